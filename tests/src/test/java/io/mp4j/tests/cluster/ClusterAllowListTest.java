package io.mp4j.tests.cluster;

import io.mp4j.ProcessPoolExecutor;
import io.mp4j.RemoteTaskException;
import io.mp4j.SerializableCallable;
import io.mp4j.cluster.ClusterBackend;
import io.mp4j.queue.MessageDecodingException;
import io.mp4j.queue.Queue;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Lock;
import io.mp4j.shm.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster whose every node runs with {@code --allow-list} (one member JVM and this JVM as a client): Ignite
 * deserializes only its own classes, the JDK classes it lists and mp4j's allow-list.
 */
class ClusterAllowListTest
{
    static LocalCluster cluster;
    static ClusterBackend backend;

    @BeforeAll
    static void start() throws Exception
    {
        cluster = LocalCluster.start(1, true);
        backend = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void aTaskCapturingAClassOutsideTheListIsRefusedByTheMemberNamingIt() throws Exception
    {
        final java.text.DecimalFormat format = new java.text.DecimalFormat("0.00");
        try (ProcessPoolExecutor executor = backend.executor(1))
        {
            final ExecutionException refused = assertThrows(ExecutionException.class, () -> executor.submit(
                (SerializableCallable<String>)() -> format.format(1.5)).get(120, TimeUnit.SECONDS));
            final MessageDecodingException decoding = assertInstanceOf(MessageDecodingException.class, refused.getCause());
            assertTrue(decoding.getMessage().contains("java.text.DecimalFormat") && decoding.getMessage().contains("mp4j.serial.allow"),
                decoding.getMessage());
            // the executor is still usable, and what the list allows goes through
            final File file = new File("/tmp/x");
            assertEquals("/tmp/x", executor.submit((SerializableCallable<String>)file::getPath).get(120, TimeUnit.SECONDS));
        }
    }

    @Test
    void everyObjectWorksUnderTheList() throws Exception
    {
        final Value counter = backend.value("allowed-counter", ElementType.LONG, 0L);
        final Lock lock = backend.lock("allowed-lock");
        final Queue<Object> queue = backend.queue("allowed-queue");
        final Map<String, List<Integer>> dict = backend.dict("allowed-dict");
        try (ProcessPoolExecutor executor = backend.executor(1))
        {
            assertEquals(List.of(1L, 2L), executor.submit((SerializableCallable<List<Long>>)() ->
            {
                lock.lock();
                try
                {
                    queue.put("from the member");
                    dict.put("k", List.of(1, 2));
                    return List.of(counter.incrementAndGet(), counter.incrementAndGet());
                }
                finally
                {
                    lock.unlock();
                }
            }).get(120, TimeUnit.SECONDS));
            assertEquals("from the member", queue.get(Duration.ofSeconds(120)));
            assertEquals(List.of(1, 2), dict.get("k"));
            final ExecutionException failed = assertThrows(ExecutionException.class, () -> executor.submit(
                (SerializableCallable<Object>)() -> { throw new IOException("disk full"); }).get(120, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, assertInstanceOf(RemoteTaskException.class, failed.getCause()).getCause());
        }
    }
}

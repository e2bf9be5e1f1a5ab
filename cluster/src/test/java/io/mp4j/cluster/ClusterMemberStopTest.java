package io.mp4j.cluster;

import io.mp4j.SerializableCallable;
import org.apache.ignite.Ignition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two members and a client in this JVM (the tasks report through static fields, which only nodes of one JVM
 * share): what stopping a member does to the tasks running on it.
 */
class ClusterMemberStopTest
{
    static final ConcurrentLinkedQueue<String> LOG = new ConcurrentLinkedQueue<>();
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Test
    void aTaskInterruptedByItsMembersStopRunsAgainOnAnother() throws Exception
    {
        final int base = 49_000 + ThreadLocalRandom.current().nextInt(0, 40) * 20;
        final ClusterConfig.Builder builder = ClusterConfig.builder().seeds("127.0.0.1:" + base + ".." + (base + 1)).localAddress("127.0.0.1")
            .communicationPort(base + 8, 11).memory(64L << 20).threads(2).noSecret(true)
            // a stopping member interrupts its running tasks after this (10 s by default)
            .failureDetectionTimeout(Duration.ofSeconds(4));
        ClusterBackend stopping = null;
        ClusterBackend staying = null;
        ClusterBackend client = null;
        try
        {
            stopping = ClusterBackend.startMember(builder.discoveryPort(base, 0).build());
            staying = ClusterBackend.startMember(builder.discoveryPort(base + 1, 0).build());
            client = ClusterBackend.join(builder.discoveryPort(base + 2, 4).build());
            final String stoppingName = stopping.ignite().name();
            final String stayingName = staying.ignite().name();
            final io.mp4j.ProcessPoolExecutor executor = client.executor(1);
            final List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                final int n = i;
                futures.add(executor.submit((SerializableCallable<String>)() ->
                {
                    final String me = Ignition.localIgnite().name();
                    LOG.add("start " + n + " on " + me);
                    RELEASE.await();
                    return me;
                }));
            }
            final long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (LOG.stream().noneMatch(l -> l.endsWith(stoppingName)) && System.nanoTime() - bound < 0)
            {
                Thread.onSpinWait();
            }
            assertTrue(LOG.stream().anyMatch(l -> l.endsWith(stoppingName)), "no task reached the member to stop: " + LOG);
            stopping.close();
            stopping = null;
            RELEASE.countDown();
            // before the fix the tasks the stop interrupted failed with RemoteTaskException(InterruptedException)
            for (final Future<String> future : futures)
            {
                assertEquals(stayingName, future.get(120, TimeUnit.SECONDS), "log: " + LOG);
            }
            executor.shutdown();
        }
        finally
        {
            for (final ClusterBackend b : new ClusterBackend[]{ client, stopping, staying })
            {
                if (b != null)
                {
                    b.close();
                }
            }
        }
    }
}

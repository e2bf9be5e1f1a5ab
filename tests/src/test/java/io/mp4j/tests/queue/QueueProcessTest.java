package io.mp4j.tests.queue;

import io.mp4j.Process;
import io.mp4j.queue.Connection;
import io.mp4j.queue.EndOfStreamException;
import io.mp4j.queue.JavaSerializationCodec;
import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.Pipe;
import io.mp4j.queue.Queue;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queues and pipes passed to {@link Process} children as plain arguments, as in Python.
 */
@ExtendWith(NoLeaks.class)
class QueueProcessTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    private RuntimeDirectory dir;

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown()
    {
        dir.close();
        assertFalse(Files.exists(dir.path()));
    }

    static void produce(final Queue<Integer> queue, final Integer count) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            queue.put(i);
        }
        queue.put(-1);
        queue.close();
    }

    static void echo(final Connection conn)
    {
        try
        {
            while (true)
            {
                conn.send(conn.recv());
            }
        }
        catch (final EndOfStreamException eof)
        {
            conn.close();
        }
    }

    static void holdThenWait(final Connection conn) throws Exception
    {
        conn.send("holding");
        new CountDownLatch(1).await(); // until killed
    }

    static void work(final JoinableQueue<Integer> tasks, final Queue<Integer> results) throws Exception
    {
        while (true)
        {
            final int task = tasks.get();
            if (task < 0)
            {
                tasks.taskDone();
                return;
            }
            results.put(task * 2);
            tasks.taskDone();
        }
    }

    static void increment(final Queue<Object> atomics, final Queue<Long> results) throws Exception
    {
        results.put(((AtomicLong)atomics.get()).get() + 1);
    }

    @Test
    void aQueueWithItsOwnAllowListPassedToAChildDecodesThoseClassesThere() throws Exception
    {
        // AtomicLong is outside the default allow-list (java.util.* is one package): only the queue's codec allows
        // it, and the child must get that codec, patterns included, with the queue
        try (Queue<Object> atomics = Queue.create(dir, "atomics", Queue.DEFAULT_CAPACITY,
                 new JavaSerializationCodec(AtomicLong.class.getName()));
             Queue<Long> results = Queue.create(dir, "results"))
        {
            final Process child = Process.of(QueueProcessTest::increment, atomics, results);
            child.start();
            atomics.put(new AtomicLong(41));
            assertEquals(42L, results.get(WAIT), () -> String.join("\n", child.stderrTail()));
            assertTrue(child.join(WAIT));
            assertEquals(0, child.exitCode().getAsInt(), () -> String.join("\n", child.stderrTail()));
        }
    }

    @Test
    void aQueuePassedToAChildJustWorks() throws Exception
    {
        try (Queue<Integer> queue = Queue.create(dir, "q"))
        {
            final Process child = Process.of(QueueProcessTest::produce, queue, 10_000);
            child.start();
            long sum = 0;
            int n = 0;
            for (int v = queue.get(WAIT); v != -1; v = queue.get(WAIT))
            {
                sum += v;
                n++;
            }
            assertEquals(10_000, n);
            assertEquals(10_000L * 9_999 / 2, sum);
            assertTrue(child.join(WAIT));
            assertEquals(0, child.exitCode().getAsInt(), () -> String.join("\n", child.stderrTail()));
        }
    }

    @Test
    void aPipeEndPassedToAChildPingPongsAndEndsWithEndOfStream() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p");
        final Connection mine = pipe.first();
        final Process child = Process.of(QueueProcessTest::echo, pipe.second());
        child.start();
        pipe.second().close(); // as in Python: the child holds that end now
        assertTimeoutPreemptively(WAIT, () ->
        {
            for (int i = 0; i < 1000; i++)
            {
                mine.send(i);
                assertEquals(i, mine.recv());
            }
        });
        mine.close();
        assertTrue(child.join(WAIT), "the child sees end of stream and exits");
        assertEquals(0, child.exitCode().getAsInt(), () -> String.join("\n", child.stderrTail()));
    }

    @Test
    void recvRaisesEndOfStreamWhenTheChildIsKilled() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p");
        final Connection mine = pipe.first();
        final Process child = Process.of(QueueProcessTest::holdThenWait, pipe.second());
        child.start();
        pipe.second().close();
        assertEquals("holding", mine.recv(WAIT));
        child.kill();
        assertTrue(child.join(WAIT));
        assertTimeoutPreemptively(WAIT, () -> assertThrows(EndOfStreamException.class, mine::recv));
        mine.close();
    }

    @Test
    void joinableQueueJoinWaitsForWorkersInChildren() throws Exception
    {
        try (JoinableQueue<Integer> tasks = JoinableQueue.create(dir, "tasks");
             Queue<Integer> results = Queue.create(dir, "results"))
        {
            final Process w1 = Process.of(QueueProcessTest::work, tasks, results);
            final Process w2 = Process.of(QueueProcessTest::work, tasks, results);
            w1.start();
            w2.start();
            for (int i = 0; i < 500; i++)
            {
                tasks.put(i);
            }
            tasks.put(-1);
            tasks.put(-1);
            assertTrue(tasks.join(WAIT));
            long sum = 0;
            for (int i = 0; i < 500; i++)
            {
                sum += results.get(WAIT);
            }
            assertEquals(2L * 500 * 499 / 2, sum);
            assertTrue(w1.join(WAIT) && w2.join(WAIT));
        }
    }
}

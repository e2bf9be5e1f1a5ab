package io.mp4j.tests.shm;

import io.mp4j.Process;
import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared objects passed as arguments to {@link Process}: serialized as handles, re-attached in the child.
 */
@ExtendWith(NoLeaks.class)
class ShmProcessTest
{
    static final Duration BOUND = Duration.ofSeconds(120);

    RuntimeDirectory dir;
    final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown()
    {
        for (final Process p : processes)
        {
            p.kill();
        }
        dir.close();
    }

    static void increment(final Value counter, final Integer times)
    {
        for (int i = 0; i < times; i++)
        {
            try (SharedLock.Held held = counter.getLock().locked())
            {
                counter.setInt(counter.getInt() + 1);
            }
        }
    }

    static void incrementWith(final Value counter, final Lock lock)
    {
        for (int i = 0; i < 5_000; i++)
        {
            lock.run(() -> counter.setLong(counter.getLong() + 1));
        }
    }

    static void doubleAll(final Array array)
    {
        array.getLock().run(() ->
        {
            for (int i = 0; i < array.length(); i++)
            {
                array.setInt(i, array.getInt(i) * 2);
            }
        });
    }

    static void meet(final Barrier barrier, final Semaphore done) throws Exception
    {
        barrier.await(BOUND);
        done.release();
    }

    static void rounds(final Barrier barrier, final Integer generations) throws Exception
    {
        for (int i = 0; i < generations; i++)
        {
            barrier.await(BOUND);
        }
    }

    @Test
    void barrierActionTravelsWithTheBarrierAndRunsOncePerGeneration() throws Exception
    {
        final Value trips = Value.createRaw(dir, "trips", ElementType.INT, 0);
        final Runnable action = (Runnable & java.io.Serializable)trips::incrementAndGet;
        final Barrier barrier = Barrier.create(dir, "barrier", 3, action, BOUND);
        final int generations = 50;
        final Process a = start(Process.of(ShmProcessTest::rounds, barrier, generations));
        final Process b = start(Process.of(ShmProcessTest::rounds, barrier, generations));
        rounds(barrier, generations);
        joinOk(a);
        joinOk(b);
        assertEquals(generations, trips.getInt());
        assertEquals(0, barrier.nWaiting());
    }

    private Process start(final Process p)
    {
        processes.add(p);
        p.start();
        return p;
    }

    private static void joinOk(final Process p) throws InterruptedException
    {
        assertTrue(p.join(BOUND), "child did not finish");
        assertEquals(0, p.exitCode().orElse(-999));
    }

    @Test
    void seedCounterFourProcessesTimesTenThousand() throws Exception
    {
        final Value counter = Value.create(dir, "counter", "i", 0);
        final List<Process> started = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            started.add(start(Process.of(ShmProcessTest::increment, counter, 10_000)));
        }
        for (final Process p : started)
        {
            joinOk(p);
        }
        assertEquals(40_000, counter.getInt());
    }

    @Test
    void rawValueAndSeparateLockAsTwoArguments() throws Exception
    {
        final Value counter = Value.createRaw(dir, "counter", ElementType.LONG, 0);
        final Lock lock = Lock.create(dir, "lock");
        final Process a = start(Process.of(ShmProcessTest::incrementWith, counter, lock));
        final Process b = start(Process.of(ShmProcessTest::incrementWith, counter, lock));
        joinOk(a);
        joinOk(b);
        assertEquals(10_000, counter.getLong());
    }

    @Test
    void arrayDoubledInAChild() throws Exception
    {
        final Array array = Array.create(dir, "array", ElementType.INT, 10);
        for (int i = 0; i < 10; i++)
        {
            array.setInt(i, i);
        }
        joinOk(start(Process.of(ShmProcessTest::doubleAll, array)));
        assertArrayEquals(new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18}, array.toIntArray());
    }

    @Test
    void barrierAndSemaphoreAsArguments() throws Exception
    {
        final Barrier barrier = Barrier.create(dir, "barrier", 3);
        final Semaphore done = Semaphore.create(dir, "done", 0);
        final Process a = start(Process.of(ShmProcessTest::meet, barrier, done));
        final Process b = start(Process.of(ShmProcessTest::meet, barrier, done));
        barrier.await(BOUND);
        assertTrue(done.acquire(BOUND));
        assertTrue(done.acquire(BOUND));
        joinOk(a);
        joinOk(b);
    }
}

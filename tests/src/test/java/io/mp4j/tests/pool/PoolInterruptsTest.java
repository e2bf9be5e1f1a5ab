package io.mp4j.tests.pool;

import io.mp4j.AsyncResult;
import io.mp4j.Pool;
import io.mp4j.ProcessPoolExecutor;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Interrupts left set where the pool runs code it does not own (callbacks on its dispatcher thread, tasks
 * in its workers) or carried by the threads that call it: none reaches anyone else, none breaks the pool.
 */
@ExtendWith(NoLeaks.class)
class PoolInterruptsTest
{
    /** Larger than any ring a pool has by default: sent through a message file. */
    private static final int BIG = 1 << 20;

    static int square(final int x)
    {
        return x * x;
    }

    static int len(final byte[] bytes)
    {
        return bytes.length;
    }

    static String interruptSelf(final int x)
    {
        Thread.currentThread().interrupt(); // as `catch (InterruptedException e) { interrupt(); }` leaves it
        return "set";
    }

    static boolean interruptedOnEntry(final int x)
    {
        return Thread.currentThread().isInterrupted();
    }

    static boolean interruptedOnEntryThenInterrupt(final int x)
    {
        final boolean was = Thread.currentThread().isInterrupted();
        Thread.currentThread().interrupt();
        return was;
    }

    static byte[] interruptSelfAndReturnBig(final int x)
    {
        Thread.currentThread().interrupt();
        return new byte[BIG + x];
    }

    static String sleepBriefly(final int x) throws InterruptedException
    {
        TimeUnit.MILLISECONDS.sleep(1);
        return "slept";
    }

    @Test
    void aCallbackThatLeavesTheInterruptSetOnTheDispatcherDoesNotBreakThePool() throws Exception
    {
        // one task per worker: each call below needs a new worker, which the dispatcher thread starts
        try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(1).build())
        {
            String ranOn = null;
            for (int attempt = 0; attempt < 10 && (ranOn == null || !ranOn.startsWith("mp4j-Pool-")); attempt++)
            {
                final CountDownLatch ran = new CountDownLatch(1);
                final AtomicReference<String> thread = new AtomicReference<>();
                // this thread waits on a latch, not on the result: the dispatcher thread collects it
                pool.applyAsync(PoolInterruptsTest::square, attempt).onSuccess(v ->
                {
                    thread.set(Thread.currentThread().getName());
                    Thread.currentThread().interrupt();
                    ran.countDown();
                });
                try
                {
                    assertTrue(ran.await(60, TimeUnit.SECONDS), "the callback to run");
                }
                catch (final InterruptedException ex)
                {
                    // it ran on this thread (the result was in before the callback was added): again
                    assertTrue(ran.await(60, TimeUnit.SECONDS), "the callback to run");
                }
                Thread.interrupted();
                ranOn = thread.get();
            }
            assertTrue(ranOn.startsWith("mp4j-Pool-"), "the callback ran on the dispatcher thread, not " + ranOn);
            for (int i = 0; i < 3; i++)
            {
                assertEquals(i * i, pool.apply(PoolInterruptsTest::square, i), "the pool still works (worker " + i + ")");
            }
        }
    }

    @Test
    void anInterruptedCallerSubmittingATaskTooBigForTheRingDoesNotBreakThePool() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).build())
        {
            assertEquals(4, pool.apply(PoolInterruptsTest::square, 2));
            for (int i = 0; i < 3; i++)
            {
                Thread.currentThread().interrupt();
                final AsyncResult<Integer> r = pool.applyAsync(PoolInterruptsTest::len, new byte[BIG + i]);
                assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept for it");
                try
                {
                    // a waiting caller dispatches too, with its interrupt still set
                    r.get(60, TimeUnit.SECONDS);
                    fail("get() ignored the caller's interrupt");
                }
                catch (final InterruptedException expected)
                {
                    // its own
                }
                assertEquals(BIG + i, r.get(60, TimeUnit.SECONDS));
            }
            assertEquals(BIG, pool.apply(PoolInterruptsTest::len, new byte[BIG]), "the pool still works");
        }
    }

    @Test
    void aTaskThatLeavesItsInterruptSetAndReturnsAResultTooBigForTheRingDoesNotBreakItsWorker() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).build())
        {
            assertTrue(pool.awaitReady(java.time.Duration.ofSeconds(60)));
            final long worker = pool.workerPids().iterator().next();
            for (int i = 0; i < 3; i++)
            {
                assertEquals(BIG + i, pool.apply(PoolInterruptsTest::interruptSelfAndReturnBig, i).length);
            }
            assertEquals(java.util.Set.of(worker), pool.workerPids(), "the same worker, alive");
            assertEquals(9, pool.apply(PoolInterruptsTest::square, 3), "the pool still works");
        }
    }

    @Test
    void anInterruptedCallerSubmittingABigTaskToTheExecutorDoesNotBreakIt() throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(1))
        {
            for (int i = 0; i < 3; i++)
            {
                final byte[] big = new byte[BIG + i];
                Thread.currentThread().interrupt();
                final Future<Integer> f = executor.submit(() -> big.length);
                assertTrue(Thread.interrupted(), "the caller's interrupt is kept for it");
                assertEquals(BIG + i, f.get(60, TimeUnit.SECONDS));
            }
            final byte[] big = new byte[BIG];
            assertEquals(BIG, executor.submit(() -> big.length).get(60, TimeUnit.SECONDS), "the executor still works");
        }
    }

    @Test
    void aTaskThatLeavesItsInterruptSetDoesNotPassItToTheNextTask() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).build())
        {
            for (int i = 0; i < 3; i++)
            {
                assertEquals("set", pool.apply(PoolInterruptsTest::interruptSelf, i));
                assertFalse(pool.apply(PoolInterruptsTest::interruptedOnEntry, i), "the next task starts without the interrupt");
                assertEquals("slept", pool.apply(PoolInterruptsTest::sleepBriefly, i), "the next task can sleep");
            }
            // nor to the next task of the same chunk
            final List<Boolean> was = pool.map(PoolInterruptsTest::interruptedOnEntryThenInterrupt, List.of(0, 1, 2, 3, 4, 5, 6, 7), 8);
            assertEquals(List.of(false, false, false, false, false, false, false, false), was);
            try
            {
                assertFalse(pool.applyAsync(PoolInterruptsTest::interruptedOnEntry, 0).get(60, TimeUnit.SECONDS));
            }
            catch (final ExecutionException ex)
            {
                throw new AssertionError("the worker broke", ex);
            }
        }
    }
}

package io.mp4j.tests.pool;

import io.mp4j.AsyncResult;
import io.mp4j.Pool;
import io.mp4j.ProcessPoolExecutor;
import io.mp4j.ResultIterator;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import io.mp4j.SerializableCallable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timeouts at the ends of their range: the most negative one has passed already (it times out at once,
 * as zero does), never wraps around into a wait.
 */
@ExtendWith(NoLeaks.class)
class PoolTimeoutBoundsTest
{
    /** Longer than any of these tests waits when correct; each pool is terminated before it ends. */
    static int slowSquare(final int x) throws InterruptedException
    {
        TimeUnit.SECONDS.sleep(20);
        return x * x;
    }

    static void slowStart() throws InterruptedException
    {
        TimeUnit.SECONDS.sleep(20);
    }

    @Test
    void getWithTheMostNegativeTimeoutTimesOut() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).build())
        {
            final AsyncResult<Integer> r = pool.applyAsync(PoolTimeoutBoundsTest::slowSquare, 3);
            assertThrows(TimeoutException.class, () -> r.get(Long.MIN_VALUE, TimeUnit.SECONDS));
            assertThrows(TimeoutException.class, () -> r.get(Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            assertThrows(TimeoutException.class, () -> r.get(Duration.ofSeconds(Long.MIN_VALUE)));
            assertFalse(r.waitFor(Duration.ofNanos(Long.MIN_VALUE)));
            assertFalse(r.isDone());
        }
    }

    @Test
    void nextWithTheMostNegativeTimeoutTimesOut() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).build())
        {
            final ResultIterator<Integer> it = pool.imap(PoolTimeoutBoundsTest::slowSquare, List.of(3));
            assertThrows(TimeoutException.class, () -> it.next(Duration.ofNanos(Long.MIN_VALUE)));
            assertThrows(TimeoutException.class, () -> it.next(Duration.ofSeconds(Long.MIN_VALUE)));
            assertTrue(it.hasNext());
        }
    }

    @Test
    void awaitReadyWithTheMostNegativeTimeoutReturnsAtOnce() throws Exception
    {
        // the workers' initializer holds them from being ready for longer than the test lasts
        try (Pool pool = Pool.builder().processes(1).initializer(PoolTimeoutBoundsTest::slowStart).build())
        {
            assertFalse(pool.awaitReady(Duration.ofNanos(Long.MIN_VALUE)));
            assertFalse(pool.awaitReady(Duration.ofSeconds(Long.MIN_VALUE)));
            assertFalse(pool.awaitReady(Duration.ZERO));
        }
    }

    @Test
    void invokeAllWithTheMostNegativeTimeoutCancelsEveryTask() throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(1))
        {
            final List<SerializableCallable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
            final List<Future<Integer>> futures = executor.invokeAll(tasks, Long.MIN_VALUE, TimeUnit.NANOSECONDS);
            assertEquals(3, futures.size());
            for (final Future<Integer> f : futures)
            {
                assertTrue(f.isCancelled(), "a task whose timeout had passed before it was sent is cancelled");
            }
        }
    }

    @Test
    void nextReportsAnInterruptAsACancellationAsMapDoes() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).build())
        {
            final ResultIterator<Integer> it = pool.imap(PoolTimeoutBoundsTest::slowSquare, List.of(3));
            Thread.currentThread().interrupt();
            try
            {
                assertThrows(CancellationException.class, it::next);
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
            }
            finally
            {
                Thread.interrupted();
            }
            Thread.currentThread().interrupt();
            try
            {
                assertThrows(CancellationException.class, () -> pool.map(PoolTimeoutBoundsTest::slowSquare, List.of(3)),
                    "as map() reports it");
            }
            finally
            {
                Thread.interrupted();
            }
        }
    }
}

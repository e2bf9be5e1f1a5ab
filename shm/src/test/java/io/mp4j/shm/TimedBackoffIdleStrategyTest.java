package io.mp4j.shm;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimedBackoffIdleStrategyTest
{
    @Test
    void rejectsNegativeSpinsAndBadParkPeriods()
    {
        assertThrows(IllegalArgumentException.class, () -> new TimedBackoffIdleStrategy(-1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new TimedBackoffIdleStrategy(0, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new TimedBackoffIdleStrategy(0, 0, 0, 1));
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new TimedBackoffIdleStrategy(0, 0, 10, 5));
        assertTrue(ex.getMessage().contains("min 10, max 5"), ex.getMessage());
    }

    @Test
    void isTheDefaultBackoff()
    {
        assertTrue(IdleStrategies.backoff() instanceof TimedBackoffIdleStrategy);
        assertEquals("backoff", IdleStrategies.backoff().alias());
    }

    /** After its spin and yield phases a waiter parks: its thread is seen TIMED_WAITING. */
    @Test
    void parksAfterItsSpinPhase() throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread waiter = new Thread(() ->
        {
            final TimedBackoffIdleStrategy idle = new TimedBackoffIdleStrategy(
                TimeUnit.MICROSECONDS.toNanos(50), 2, TimeUnit.MICROSECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(50));
            while (!stop.get())
            {
                idle.idle();
            }
        }, "timed-backoff-waiter");
        waiter.start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(Thread.State.TIMED_WAITING, waiter.getState(), "the waiter never parked");
        }
        finally
        {
            stop.set(true);
            waiter.join(TimeUnit.SECONDS.toMillis(20));
        }
    }
}

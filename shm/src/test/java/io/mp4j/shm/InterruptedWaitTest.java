package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An uninterruptible wait that is interrupted keeps waiting without spinning: the idle strategy's park
 * would return at once while the interrupt status is set, so the wait clears it and sets it again on return.
 */
class InterruptedWaitTest
{
    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

    /** Counts its idle calls, and those made with the caller's interrupt status set. */
    static final class RecordingIdle implements IdleStrategy
    {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger callsWhileInterrupted = new AtomicInteger();

        @Override
        public void idle(final int workCount)
        {
            if (workCount <= 0)
            {
                idle();
            }
        }

        @Override
        public void idle()
        {
            if (Thread.currentThread().isInterrupted())
            {
                callsWhileInterrupted.incrementAndGet();
            }
            calls.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }

        @Override
        public void reset()
        {
        }
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void lockWaiterInterruptedKeepsWaitingParkedAndKeepsTheInterrupt() throws Exception
    {
        final RecordingIdle idle = new RecordingIdle();
        final Lock lock = MappedLock.create(dir, "l").withIdleStrategy(() -> idle);
        lock.lock();
        final Thread[] waiterThread = new Thread[1];
        final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() ->
        {
            waiterThread[0] = Thread.currentThread();
            lock.lock();
            final boolean interrupted = Thread.interrupted();
            lock.unlock();
            return interrupted;
        }, r -> new Thread(r, "lock-waiter").start());
        // past the first 64 spins, the wait checks the interrupt status before every idle call
        await("the waiter to idle", () -> idle.calls.get() > 100);
        waiterThread[0].interrupt();
        final int before = idle.calls.get();
        await("the waiter to idle on after the interrupt", () -> idle.calls.get() > before + 50);
        assertTrue(idle.callsWhileInterrupted.get() <= 1,
            idle.callsWhileInterrupted.get() + " idle calls were made with the interrupt status set (each park returns at once)");
        lock.unlock();
        assertEquals(Boolean.TRUE, waiter.get(30, TimeUnit.SECONDS), "the interrupt status is set again when lock() returns");
    }

    @Test
    void timedAcquireInterruptedTimesOutAndKeepsTheInterrupt() throws Exception
    {
        final RecordingIdle idle = new RecordingIdle();
        final Lock lock = MappedLock.create(dir, "t").withIdleStrategy(() -> idle);
        lock.lock();
        final CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() ->
        {
            Thread.currentThread().interrupt();
            final boolean acquired = lock.acquire(Duration.ofMillis(200));
            return acquired + " " + Thread.interrupted();
        }, r -> new Thread(r, "timed-waiter").start());
        assertEquals("false true", waiter.get(30, TimeUnit.SECONDS));
        assertTrue(idle.callsWhileInterrupted.get() <= 1, idle.callsWhileInterrupted.get() + " idle calls with the interrupt status set");
        lock.unlock();
    }
}

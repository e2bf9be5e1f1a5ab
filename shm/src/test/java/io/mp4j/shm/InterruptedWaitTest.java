package io.mp4j.shm;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An uninterruptible wait that is interrupted keeps waiting without spinning: the idle strategy's park
 * would return at once while the interrupt status is set, so the wait clears it and sets it again on return.
 */
class InterruptedWaitTest
{
    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

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
        Await.until("the waiter to idle", () -> idle.calls() > 100);
        waiterThread[0].interrupt();
        final int before = idle.calls();
        Await.until("the waiter to idle on after the interrupt", () -> idle.calls() > before + 50);
        assertTrue(idle.callsWhileInterrupted() <= 1,
            idle.callsWhileInterrupted() + " idle calls were made with the interrupt status set (each park returns at once)");
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
        assertTrue(idle.callsWhileInterrupted() <= 1, idle.callsWhileInterrupted() + " idle calls with the interrupt status set");
        lock.unlock();
    }
}

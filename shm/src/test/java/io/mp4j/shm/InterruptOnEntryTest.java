package io.mp4j.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interrupt contract of the interruptible entry points, as in java.util.concurrent: interrupted on
 * entry, they throw {@link InterruptedException} (clearing the status) even when they could have acquired
 * at once; the uninterruptible ones acquire and keep the status.
 */
class InterruptOnEntryTest
{
    private RuntimeDirectory dir;

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown()
    {
        Thread.interrupted();
        dir.close();
    }

    @Test
    void lockInterruptiblyAndTimedTryLockThrowWhenInterruptedOnEntry() throws Exception
    {
        for (final SharedLock lock : new SharedLock[] {Lock.create(dir, "l"), RLock.create(dir, "r")})
        {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, lock::lockInterruptibly, lock + ": lockInterruptibly");
            assertFalse(Thread.currentThread().isInterrupted(), "the status is cleared, as Lock requires");
            assertFalse(lock.isLocked(), lock + " was acquired anyway");
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> lock.tryLock(1, TimeUnit.SECONDS), lock + ": tryLock(time)");
            assertFalse(lock.isLocked(), lock + " was acquired anyway");

            Thread.currentThread().interrupt();
            lock.lock();   // uninterruptible: acquires, and keeps the status
            assertTrue(Thread.interrupted());
            lock.unlock();
        }
    }

    @Test
    void aHeldRLockIsNotReenteredByAnInterruptedLockInterruptibly()
    {
        final RLock lock = RLock.create(dir, "r");
        lock.lock();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, lock::lockInterruptibly);
        assertEquals(1, lock.getHoldCount());
        lock.unlock();
    }

    @Test
    void semaphoreAcquireThrowsWhenInterruptedOnEntry() throws Exception
    {
        final Semaphore semaphore = Semaphore.create(dir, "s", 2);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, semaphore::acquire);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> semaphore.acquire(Duration.ofSeconds(1)));
        assertEquals(2, semaphore.getValue(), "a permit was taken anyway");
        Thread.currentThread().interrupt();
        assertTrue(semaphore.tryAcquire(), "tryAcquire() is not interruptible, as in java.util.concurrent");
        assertTrue(Thread.interrupted());
    }
}

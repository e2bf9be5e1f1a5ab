package io.mp4j.tests.manager;

import io.mp4j.Manager;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Lock;
import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An interrupt never closes a proxy's connection unless it ends an interruptible call: a blocking socket channel
 * used by an interrupted thread closes, and the manager would release every lock that thread holds.
 */
@ExtendWith(NoLeaks.class)
class ManagerInterruptTest
{
    @AfterEach
    void clearInterrupt()
    {
        Thread.interrupted();
    }

    static boolean lockedElsewhere(final Lock lock) throws Exception
    {
        return !CompletableFuture.supplyAsync(lock::tryLock).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aCallWithAPendingInterruptKeepsTheThreadsLocksAndTheInterrupt() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Lock lock = manager.lock();
            final Map<Integer, Integer> dict = manager.dict();
            lock.lock();
            Thread.currentThread().interrupt();
            dict.put(1, 1);
            assertTrue(Thread.interrupted(), "the interrupt is set again after the call");
            assertEquals(1, dict.get(1));
            assertTrue(lockedElsewhere(lock), "the manager released the lock of the interrupted thread");
            lock.unlock();
            assertFalse(lockedElsewhere(lock));
        }
    }

    @Test
    void anInterruptibleCallWithAPendingInterruptThrowsAtOnceAndKeepsTheLocks() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Lock lock = manager.lock();
            final Queue<Integer> queue = manager.queue();
            lock.lock();
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, queue::get);
            assertFalse(Thread.currentThread().isInterrupted(), "InterruptedException clears the status");
            assertTrue(lockedElsewhere(lock), "the manager released the lock of the interrupted thread");
            queue.put(7);
            assertEquals(7, queue.get());
            lock.unlock();
        }
    }

    @Test
    void anInterruptDuringAnUninterruptibleWaitKeepsTheConnectionTheLocksAndTheInterrupt() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Lock held = manager.lock();
            final Lock contended = manager.lock();
            contended.lock();
            final AtomicBoolean waiting = new AtomicBoolean();
            final AtomicReference<Object> outcome = new AtomicReference<>();
            final Thread waiter = new Thread(() ->
            {
                try
                {
                    held.lock();
                    waiting.set(true);
                    contended.lock(); // as ReentrantLock.lock(): waits on through an interrupt
                    final boolean interrupted = Thread.interrupted();
                    contended.unlock();
                    held.unlock(); // IllegalMonitorStateException if the manager had released it
                    outcome.set(interrupted);
                }
                catch (final Throwable ex)
                {
                    outcome.set(ex);
                }
            }, "uninterruptible-waiter");
            waiter.start();
            try
            {
                Await.until("the waiter to sleep on its connection's socket", () -> waiting.get() &&
                    java.util.Arrays.stream(waiter.getStackTrace()).anyMatch(f -> f.getClassName().equals("java.io.FileInputStream") ||
                        f.getClassName().startsWith("sun.nio.ch.")));
                waiter.interrupt();
                assertTrue(lockedElsewhere(held), "the manager released the lock of the interrupted thread");
            }
            finally
            {
                contended.unlock();
                waiter.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertFalse(waiter.isAlive());
            assertEquals(Boolean.TRUE, outcome.get(), "lock() returned, with the interrupt status set");
            assertFalse(lockedElsewhere(held));
        }
    }

    @Test
    void aManagerStartsOnAnInterruptedThread() throws Exception
    {
        Thread.currentThread().interrupt();
        try (Manager manager = Manager.start())
        {
            assertTrue(Thread.interrupted(), "the interrupt is set again after start()");
            final Map<String, Integer> dict = manager.dict();
            dict.put("a", 1);
            assertEquals(1, dict.get("a"));
        }
    }
}

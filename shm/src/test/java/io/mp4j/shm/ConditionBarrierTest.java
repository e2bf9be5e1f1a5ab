package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConditionBarrierTest
{
    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

    @Test
    void waitRequiresLockAndTimesOut() throws Exception
    {
        final MappedCondition cond = MappedCondition.create(dir, "c");
        assertThrows(IllegalMonitorStateException.class, cond::await);
        assertThrows(IllegalMonitorStateException.class, cond::signal);
        try (SharedLock.Held held = cond.locked())
        {
            cond.getLock().lock();   // RLock depth 2: wait releases fully and restores
            assertFalse(cond.await(Duration.ofMillis(5)));
            assertEquals(2, ((RLock)cond.getLock()).getHoldCount());
            cond.getLock().unlock();
            assertFalse(cond.waitFor(() -> false, Duration.ofMillis(5)));
            assertTrue(cond.waitFor(() -> true, Duration.ZERO));
        }
        assertEquals(0, cond.waiters());
    }

    @Test
    void producerConsumer() throws Exception
    {
        final MappedCondition cond = MappedCondition.create(dir, "c");
        final MappedValue items = MappedValue.create(dir, "items", ElementType.INT, 0, cond.getLock());
        final int total = 2_000;
        final CompletableFuture<Integer> consumer = CompletableFuture.supplyAsync(() ->
        {
            int taken = 0;
            try
            {
                while (taken < total)
                {
                    try (SharedLock.Held held = cond.locked())
                    {
                        assertTrue(cond.waitFor(() -> items.getInt() > 0, Duration.ofSeconds(30)));
                        items.setInt(items.getInt() - 1);
                        taken++;
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
            return taken;
        });
        for (int i = 0; i < total; i++)
        {
            try (SharedLock.Held held = cond.locked())
            {
                items.setInt(items.getInt() + 1);
                cond.signal();
            }
        }
        assertEquals(total, consumer.get(60, TimeUnit.SECONDS));
    }

    @Test
    void signalNWakesExactlyNAndSkipsDeadWaiters() throws Exception
    {
        final MappedCondition cond = MappedCondition.create(dir, "c");
        // a dead process's waiter slot, oldest of all
        try (MappedRegion region = MappedRegion.attach(cond.path(), RegionType.CONDITION))
        {
            final int slot = MappedCondition.SLOTS_OFFSET;
            region.buffer().putLong(slot + MappedCondition.SLOT_TICKET_OFFSET, -5);
            region.buffer().putLong(slot + MappedCondition.SLOT_START_TIME_OFFSET, 1);
            region.buffer().putLong(slot + MappedCondition.SLOT_PID_OFFSET, LockTest.DEAD_PID);
            region.buffer().putIntVolatile(slot + MappedCondition.SLOT_STATE_OFFSET, MappedCondition.WAITING);
        }
        final AtomicInteger woken = new AtomicInteger();
        final List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            waiters.add(CompletableFuture.supplyAsync(() ->
            {
                try (SharedLock.Held held = cond.locked())
                {
                    final boolean signalled = cond.await(Duration.ofSeconds(30));
                    woken.incrementAndGet();
                    return signalled;
                }
                catch (final InterruptedException ex)
                {
                    return false;
                }
            }));
        }
        Await.until("3 live waiters and the dead one", () -> cond.waiters() == 4);
        try (SharedLock.Held held = cond.locked())
        {
            assertEquals(2, cond.signal(2), "the dead waiter and one live one are signalled; the dead one's signal is handed on");
        }
        Await.until("two woken", () -> woken.get() == 2);
        assertEquals(1, cond.waiters());
        try (SharedLock.Held held = cond.locked())
        {
            assertEquals(1, cond.signalAll());
        }
        for (final CompletableFuture<Boolean> waiter : waiters)
        {
            assertTrue(waiter.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void barrierReleasesAllRunsActionOncePerGeneration() throws Exception
    {
        final AtomicInteger actions = new AtomicInteger();
        final MappedBarrier barrier = MappedBarrier.create(dir, "b", 3, actions::incrementAndGet, Duration.ofSeconds(30));
        for (int generation = 1; generation <= 3; generation++)
        {
            final List<CompletableFuture<Integer>> parties = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final Barrier mine = i == 0 ? barrier : Barrier.attach(barrier.path(), actions::incrementAndGet);
                parties.add(CompletableFuture.supplyAsync(() ->
                {
                    try
                    {
                        return mine.await();
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                }));
            }
            int indexSum = 0;
            for (final CompletableFuture<Integer> party : parties)
            {
                indexSum += party.get(30, TimeUnit.SECONDS);
            }
            assertEquals(0 + 1 + 2, indexSum);
            assertEquals(generation, actions.get());
        }
        assertEquals(0, barrier.nWaiting());
        assertFalse(barrier.isBroken());
    }

    @Test
    void abortTimeoutResetAndDeadParty() throws Exception
    {
        final MappedBarrier barrier = MappedBarrier.create(dir, "b", 2);
        final CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return barrier.await(Duration.ofSeconds(30));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        Await.until("one waiting", () -> barrier.nWaiting() == 1);
        barrier.abort();
        final ExecutionException broken = assertThrows(ExecutionException.class, () -> waiter.get(30, TimeUnit.SECONDS));
        assertTrue(broken.getCause().getCause() instanceof BrokenBarrierException, String.valueOf(broken.getCause()));
        assertTrue(barrier.isBroken());
        assertThrows(BrokenBarrierException.class, barrier::await);
        barrier.reset();
        assertFalse(barrier.isBroken());

        assertThrows(TimeoutException.class, () -> barrier.await(Duration.ofMillis(20)));
        assertTrue(barrier.isBroken());
        barrier.reset();

        // a dead process waits in the barrier: the next waiter breaks it instead of hanging
        try (MappedRegion region = MappedRegion.attach(barrier.path(), RegionType.BARRIER))
        {
            final int slot = MappedBarrier.SLOTS_OFFSET + MappedBarrier.SLOT_LENGTH * 5;
            region.buffer().putLong(slot + MappedBarrier.SLOT_GENERATION_OFFSET, region.buffer().getLongVolatile(MappedBarrier.STATE_OFFSET) >>> 32);
            region.buffer().putLong(slot + MappedBarrier.SLOT_START_TIME_OFFSET, 1);
            region.buffer().putLong(slot + MappedBarrier.SLOT_OWNER_OFFSET, (long)LockTest.DEAD_PID << 32 | 1);
            region.buffer().putIntVolatile(slot + MappedBarrier.SLOT_STATE_OFFSET, MappedBarrier.WAITING);
        }
        final Barrier three = barrier;
        assertThrows(BrokenBarrierException.class, () -> three.await(Duration.ofSeconds(30)));
        assertTrue(barrier.isBroken());
    }

    @Test
    void barrierStressManyThreadsManyGenerations() throws Exception
    {
        final int parties = 4;
        final int generations = 300;
        final AtomicInteger trips = new AtomicInteger();
        final MappedBarrier barrier = MappedBarrier.create(dir, "stress", parties, trips::incrementAndGet, Duration.ofSeconds(60));
        final List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < parties; t++)
        {
            threads.add(CompletableFuture.runAsync(() ->
            {
                try
                {
                    for (int g = 0; g < generations; g++)
                    {
                        barrier.await();
                    }
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, daemonExecutor()));
        }
        for (final CompletableFuture<Void> thread : threads)
        {
            thread.get(120, TimeUnit.SECONDS);
        }
        assertEquals(generations, trips.get());
    }

    @Test
    void moreThreadsThanPartiesEachArrivalFindsAGeneration() throws Exception
    {
        final int parties = 2;
        final int threadCount = 3;
        final int arrivals = 1_200;
        // threads take arrivals from a common count: a fixed number per thread could leave one thread
        // with awaits left and no partner, which would hang any barrier
        final AtomicInteger taken = new AtomicInteger();
        final AtomicInteger trips = new AtomicInteger();
        final Barrier barrier = Barrier.create(dir, "crowd", parties, trips::incrementAndGet, Duration.ofSeconds(60));
        final List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < threadCount; t++)
        {
            threads.add(CompletableFuture.runAsync(() ->
            {
                try
                {
                    while (taken.getAndIncrement() < arrivals)
                    {
                        barrier.await();
                    }
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, daemonExecutor()));
        }
        for (final CompletableFuture<Void> thread : threads)
        {
            thread.get(120, TimeUnit.SECONDS);
        }
        assertEquals(arrivals / parties, trips.get());
        assertFalse(barrier.isBroken());
        assertEquals(0, barrier.nWaiting());
    }

    @Test
    void conditionStressManyWaitersManySignallers() throws Exception
    {
        final MappedCondition cond = MappedCondition.create(dir, "stress");
        final MappedValue tokens = MappedValue.createRaw(dir, "tokens", ElementType.INT, 0);
        final int perThread = 1_000;
        final List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < 2; t++)
        {
            all.add(CompletableFuture.runAsync(() ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    try (SharedLock.Held held = cond.locked())
                    {
                        try
                        {
                            assertTrue(cond.waitFor(() -> tokens.getInt() > 0, Duration.ofSeconds(60)));
                        }
                        catch (final InterruptedException ex)
                        {
                            throw new IllegalStateException(ex);
                        }
                        tokens.setInt(tokens.getInt() - 1);
                    }
                }
            }, daemonExecutor()));
            all.add(CompletableFuture.runAsync(() ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    try (SharedLock.Held held = cond.locked())
                    {
                        tokens.setInt(tokens.getInt() + 1);
                        cond.signal();
                    }
                }
            }, daemonExecutor()));
        }
        for (final CompletableFuture<Void> future : all)
        {
            future.get(120, TimeUnit.SECONDS);
        }
        assertEquals(0, tokens.getInt());
    }

    static java.util.concurrent.Executor daemonExecutor()
    {
        return java.util.concurrent.Executors.newSingleThreadExecutor(r ->
        {
            final Thread thread = new Thread(r);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Test
    void actionThatThrowsBreaksTheBarrier() throws Exception
    {
        final MappedBarrier barrier = MappedBarrier.create(dir, "b", 1, () ->
        {
            throw new IllegalArgumentException("boom");
        }, null);
        assertThrows(IllegalArgumentException.class, barrier::await);
        assertTrue(barrier.isBroken());
    }

    @Test
    void aWaiterInterruptedWhileAnotherPartyBreaksTheBarrierKeepsItsInterruptStatus() throws Exception
    {
        assertInterruptKeptWhenBroken(false);
    }

    @Test
    void aWaiterInterruptedWhileTheBarrierIsResetKeepsItsInterruptStatus() throws Exception
    {
        assertInterruptKeptWhenBroken(true);
    }

    /**
     * The last arriver's action interrupts the waiter, waits until the waiter has taken the interrupt in
     * (it cannot break a generation that is tripping), then breaks the barrier: by throwing, or by reset.
     * As with CyclicBarrier, the waiter gets BrokenBarrierException and its interrupt status stays set.
     */
    private void assertInterruptKeptWhenBroken(final boolean reset) throws Exception
    {
        final Thread[] waiter = new Thread[1];
        final MappedBarrier[] holder = new MappedBarrier[1];
        final MappedBarrier barrier = MappedBarrier.create(dir, "b", 2, () ->
        {
            waiter[0].interrupt();
            Await.until("the waiter to look at its interrupt status", () -> !waiter[0].isInterrupted());
            if (reset)
            {
                holder[0].reset();
            }
            else
            {
                throw new IllegalStateException("action fails");
            }
        }, null);
        holder[0] = barrier;
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        waiter[0] = new Thread(() ->
        {
            try
            {
                barrier.await();
                outcome.complete("tripped");
            }
            catch (final BrokenBarrierException ex)
            {
                outcome.complete("broken, interrupted=" + Thread.currentThread().isInterrupted());
            }
            catch (final Throwable ex)
            {
                outcome.complete(ex.toString());
            }
        }, "barrier-waiter");
        waiter[0].start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (barrier.nWaiting() != 1)
            {
                assertTrue(System.nanoTime() - deadline < 0, "the waiter never arrived");
                Thread.yield();
            }
            final Exception last = assertThrows(Exception.class, barrier::await);
            assertTrue(reset ? last instanceof BrokenBarrierException : last instanceof IllegalStateException, last.toString());
            assertEquals("broken, interrupted=true", outcome.get(60, TimeUnit.SECONDS));
        }
        finally
        {
            waiter[0].interrupt();
            waiter[0].join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    /**
     * A live waiter that has just seen its signal clears its slot; another process checking for signals
     * held by dead waiters could read its pid with the start time already cleared (0), and took 0 for a
     * dead process: it handed the signal on (a second wake-up) and freed the slot under the waiter. The
     * half-cleared slot is forged here with the pid of a live process; it must be left alone.
     */
    @Test
    void aSignalledSlotWhoseStartTimeIsBeingClearedIsNotTakenForADeadWaiter() throws Exception
    {
        final MappedCondition cond = MappedCondition.create(dir, "c");
        final CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() ->
        {
            try (SharedLock.Held held = cond.locked())
            {
                return cond.await(Duration.ofSeconds(120));
            }
            catch (final InterruptedException ex)
            {
                return false;
            }
        });
        Await.until("the waiter", () -> cond.waiters() == 1);
        final AtomicBuffer buffer = cond.region.buffer();
        int forged = -1;
        for (int i = 0; i < MappedCondition.DEFAULT_MAX_WAITERS && forged < 0; i++)
        {
            final int slot = MappedCondition.SLOTS_OFFSET + i * MappedCondition.SLOT_LENGTH;
            if (buffer.getIntVolatile(slot + MappedCondition.SLOT_STATE_OFFSET) == MappedCondition.FREE)
            {
                forged = slot;
            }
        }
        final long livePid = ProcessHandle.current().parent().orElseThrow().pid();
        buffer.putLong(forged + MappedCondition.SLOT_PID_OFFSET, livePid);
        buffer.putLong(forged + MappedCondition.SLOT_START_TIME_OFFSET, 0);
        buffer.putLong(forged + MappedCondition.SLOT_SIGNAL_TIME_OFFSET, System.nanoTime() - TimeUnit.SECONDS.toNanos(10));
        buffer.putLong(forged + MappedCondition.SLOT_SIGNAL_SEQUENCE_OFFSET, buffer.getLong(MappedCondition.SEQUENCE_OFFSET));
        buffer.putIntVolatile(forged + MappedCondition.SLOT_STATE_OFFSET, MappedCondition.SIGNALLED);
        try (SharedLock.Held held = cond.locked())
        {
            assertEquals(0, cond.signal(0));   // looks for signals of dead waiters first
        }
        assertEquals(MappedCondition.SIGNALLED, buffer.getIntVolatile(forged + MappedCondition.SLOT_STATE_OFFSET));
        assertEquals(livePid, buffer.getLongVolatile(forged + MappedCondition.SLOT_PID_OFFSET));
        assertEquals(1, cond.waiters(), "the signal was not handed on to the live waiter");
        assertFalse(woken.isDone());
        try (SharedLock.Held held = cond.locked())
        {
            assertEquals(1, cond.signalAll());
        }
        assertTrue(woken.get(120, TimeUnit.SECONDS));
    }

    /**
     * Two waiters find the same dead owner in a barrier slot. The first frees the slot and a live thread
     * claims it (owner and start time written, not yet arrived); the second, slower, then acts on what it
     * judged: it must leave the new owner's slot alone. It used to write FREE and start time 0 before its
     * owner CAS failed, so the new owner's slot lost its start time and its liveness could not be checked.
     */
    @Test
    void aSlowerReclaimerOfADeadBarrierSlotLeavesTheSlotOfItsNewOwnerAlone()
    {
        final MappedBarrier barrier = MappedBarrier.create(dir, "b", 2);
        final AtomicBuffer buffer = barrier.region.buffer();
        final int slot = MappedBarrier.SLOTS_OFFSET;
        final long deadOwner = 4_000_000L << 32 | 7;   // above any pid_max: no such process
        buffer.putLong(slot + MappedBarrier.SLOT_START_TIME_OFFSET, 12345);
        buffer.putLongVolatile(slot + MappedBarrier.SLOT_OWNER_OFFSET, deadOwner);
        final long state = buffer.getLongVolatile(MappedBarrier.STATE_OFFSET);

        assertTrue(barrier.reclaimSlot(slot, deadOwner, state), "the first reclaimer frees it");
        assertEquals(0, buffer.getLongVolatile(slot + MappedBarrier.SLOT_OWNER_OFFSET));
        // a live thread claims it, as tryClaim does
        final long newOwner = OwnerWord.current();
        assertTrue(buffer.compareAndSetLong(slot + MappedBarrier.SLOT_OWNER_OFFSET, 0, newOwner));
        buffer.putLongRelease(slot + MappedBarrier.SLOT_START_TIME_OFFSET, OwnerWord.START_TIME);

        assertFalse(barrier.reclaimSlot(slot, deadOwner, state), "the slower reclaimer has lost the slot");
        assertEquals(newOwner, buffer.getLongVolatile(slot + MappedBarrier.SLOT_OWNER_OFFSET));
        assertEquals(OwnerWord.START_TIME, buffer.getLongVolatile(slot + MappedBarrier.SLOT_START_TIME_OFFSET));
    }
}

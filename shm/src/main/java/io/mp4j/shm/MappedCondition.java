package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The memory-mapped implementation of {@link Condition}.
 *
 * <p>Layout (payload of a {@link RegionType#CONDITION} region, variant 0):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Lock reference (448 bytes): kind, path length, UTF-8 path  ...
 * ...                                                              |
 *  +---------------------------------------------------------------+ 448
 *  |          Ticket sequence (64 bits, written under the lock)    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Waiter slot count                        |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to offset 512                     ...
 *  +---------------------------------------------------------------+ 512
 *  |        Waiter slot 0: pid of the waiting process (64 bits)    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 start time of that process (64 bits)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       ticket (64 bits)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     state: 0 FREE, 1 WAITING, 2 SIGNALLED (3: never written)  |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  +---------------------------------------------------------------+
 *  |        signal time (System.nanoTime of the signaller)         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     ticket sequence when signalled (who was waiting then)     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Reserved to the end of the slot's cache line        ...
 *  +---------------------------------------------------------------+ 576
 *  |        Waiter slots 1 .. count-1, 64 bytes each              ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Every change of a slot's state is one store or CAS, and the fields a claim writes first (ticket, start
 * time, pid) mean nothing until the state says WAITING: a FREE slot's pid and start time are stale and never
 * read. So a process killed between any two stores leaves no slot that cannot be claimed again: a claimer
 * killed before its WAITING store (with the lock, which the next acquirer recovers) left a FREE slot; a waiter
 * killed after its own CAS to FREE left nothing. (Earlier versions passed slots through a LEAVING state,
 * 3, while clearing pid and start time; a process killed then left the slot LEAVING forever.)
 */
final class MappedCondition extends MappedObject implements Condition
{
    /** Waiter slots of a condition created without a count: at most this many threads wait at once. */
    public static final int DEFAULT_MAX_WAITERS = 64;

    static final int LOCK_REFERENCE_OFFSET = 0;

    static final int SEQUENCE_OFFSET = 448;

    static final int SLOT_COUNT_OFFSET = 456;

    static final int SLOTS_OFFSET = 512;

    static final int SLOT_LENGTH = 64;

    static final int SLOT_PID_OFFSET = 0;

    static final int SLOT_START_TIME_OFFSET = 8;

    static final int SLOT_TICKET_OFFSET = 16;

    static final int SLOT_STATE_OFFSET = 24;

    static final int SLOT_SIGNAL_TIME_OFFSET = 32;

    static final int SLOT_SIGNAL_SEQUENCE_OFFSET = 40;

    static final int FREE = 0;

    static final int WAITING = 1;

    static final int SIGNALLED = 2;

    private final AtomicBuffer buffer;

    private final SharedLock lock;

    private final RobustMutex mutex;

    private final MappedMutexLock mutexLock;

    private final int slotCount;

    private final IdleCache idleCache = new IdleCache();

    private volatile Supplier<IdleStrategy> idle;

    private MappedCondition(final MappedRegion region, final SharedLock lock)
    {
        super(region);
        this.buffer = region.buffer();
        this.lock = lock;
        this.mutex = mutexOf(lock);
        this.mutexLock = (MappedMutexLock)lock;
        this.slotCount = buffer().getInt(SLOT_COUNT_OFFSET);
    }

    static RobustMutex mutexOf(final SharedLock lock)
    {
        if (lock instanceof MappedMutexLock)
        {
            return ((MappedMutexLock)lock).mutex();
        }
        throw new IllegalArgumentException("not an mp4j Lock or RLock: " + lock);
    }

    static MappedCondition create(final RuntimeDirectory directory, final String name)
    {
        directory.resolve(name);   // a bad name is refused before the lock is made
        return MappedValue.withOwnLock(directory, name, lock -> make(directory, name, lock, DEFAULT_MAX_WAITERS));
    }

    static MappedCondition create(final RuntimeDirectory directory, final String name, final SharedLock lock)
    {
        return create(directory, name, lock, DEFAULT_MAX_WAITERS);
    }

    static MappedCondition create(final RuntimeDirectory directory, final String name, final SharedLock lock, final int maxWaiters)
    {
        return MappedValue.withCallersLock(lock, held -> make(directory, name, held, maxWaiters));
    }

    /** Make a condition that owns one hold on {@code lock}, which its last close gives back. */
    private static MappedCondition make(final RuntimeDirectory directory, final String name, final SharedLock lock, final int maxWaiters)
    {
        if (maxWaiters < 1 || maxWaiters > 1 << 20)
        {
            throw new IllegalArgumentException("maxWaiters=" + maxWaiters + " is out of range 1.." + (1 << 20));
        }
        mutexOf(lock);
        final Path file = directory.resolve(name);
        final MappedRegion region = MappedRegion.create(file, RegionType.CONDITION, 0, SLOTS_OFFSET + (long)maxWaiters * SLOT_LENGTH);
        try
        {
            LockReference.write(region.buffer(), LOCK_REFERENCE_OFFSET, lock);
            region.buffer().putInt(SLOT_COUNT_OFFSET, maxWaiters);
            region.publish();
            return SharedObjects.register(new MappedCondition(region, lock));
        }
        catch (final RuntimeException ex)
        {
            region.close();
            MappedRegion.deleteQuietly(file);
            throw ex;
        }
    }

    static MappedCondition create()
    {
        return create(RuntimeDirectory.global(), Names.unique("condition"));
    }

    static MappedCondition attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedCondition attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.CONDITION);
        try
        {
            if (region.payloadLength() < SLOTS_OFFSET)
            {
                throw new InvalidRegionException(file, "condition payload is " + region.payloadLength() + " bytes");
            }
            final int slots = region.buffer().getInt(SLOT_COUNT_OFFSET);
            if (slots < 1 || SLOTS_OFFSET + (long)slots * SLOT_LENGTH > region.payloadLength())
            {
                throw new InvalidRegionException(file, "corrupt condition: slots=" + slots +
                    ", payloadLength=" + region.payloadLength());
            }
            final SharedLock lock = LockReference.read(region.buffer(), LOCK_REFERENCE_OFFSET, file);
            if (lock == null)
            {
                throw new InvalidRegionException(file, "corrupt condition: no lock reference");
            }
            return new MappedCondition(region, lock);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    @Override
    public Condition withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    @Override
    public SharedLock getLock()
    {
        return lock;
    }

    @Override
    public void await() throws InterruptedException
    {
        await(Long.MAX_VALUE);
    }

    @Override
    public boolean await(final Duration timeout) throws InterruptedException
    {
        return await(IdleStrategies.toNanos(timeout));
    }

    @Override
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return await(unit.toNanos(timeout));
    }

    private void checkHeld(final String what)
    {
        if (!mutex().isHeldByCurrentThread())
        {
            throw new IllegalMonitorStateException("cannot " + what + " without holding the lock " + ((SharedObject)lock).path() +
                " (held by " + OwnerWord.describe(mutex().owner()) + ")");
        }
    }

    private boolean await(final long timeoutNanos) throws InterruptedException
    {
        checkHeld("wait");
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        // counted while it waits, so that a close by another thread waits for this one to leave before it unmaps;
        // a closed condition is refused here, with the lock still held
        enterWait();
        final int depth;
        final Supplier<IdleStrategy> supplier;
        boolean signalled = false;
        boolean interrupted = false;
        boolean closed = false;
        try
        {
            final int slot = claimSlot();
            depth = mutex().holdCount();
            mutex().release();

            final Supplier<IdleStrategy> own = idle;
            supplier = own != null ? own : IdleStrategies.forRegion(region.path());
            final IdleStrategy idleStrategy = idleCache.get(supplier);
            final long start = System.nanoTime();
            long nextCheck = start + OwnerWord.LIVENESS_INTERVAL_NANOS;
            boolean cancelled = false;
            while (true)
            {
                if (isClosing())
                {
                    // closed under this waiter by another thread of this JVM: give up the slot, and a signal it
                    // got meanwhile to the next waiter, then take the lock back below before throwing
                    closed = true;
                    if (!cancel(slot))
                    {
                        handOnAndFree(slot);
                    }
                    break;
                }
                if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == SIGNALLED)
                {
                    signalled = true;
                    break;
                }
                final long now = System.nanoTime();
                if (now - nextCheck >= 0)
                {
                    nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
                    handOnSignalsOfDeadWaitersUnderFreeLock(now);
                    continue;
                }
                if (Thread.interrupted())
                {
                    interrupted = true;
                    if (CrashPoints.ENABLED)
                    {
                        CrashPoints.reached("condition.interruptedBeforeCancel");
                    }
                    cancelled = cancel(slot);
                    signalled = !cancelled;
                    break;
                }
                if (timeoutNanos != Long.MAX_VALUE && now - start >= timeoutNanos)
                {
                    cancelled = cancel(slot);
                    signalled = !cancelled;
                    break;
                }
                idleStrategy.idle();
            }
            if (!closed)
            {
                leave(slot, cancelled);
            }
        }
        finally
        {
            exitWait();
        }

        reacquire(depth, supplier);
        if (closed)
        {
            throw closedException();
        }
        if (interrupted)
        {
            if (signalled)
            {
                signal(1);
            }
            throw new InterruptedException();
        }
        return signalled;
    }

    /**
     * Take the lock back at the depth it had. Counted in the lock while at it, so that a close of the lock
     * by another thread does not unmap it under this one (which then gets an {@link IllegalStateException}).
     * Runs also when this condition has been closed meanwhile, so that the caller's {@code unlock()} in its
     * {@code finally} does not hide the condition's exception behind an {@link IllegalMonitorStateException}.
     */
    private void reacquire(final int depth, final Supplier<IdleStrategy> supplier)
    {
        mutexLock.enterWait();
        try
        {
            mutex.acquire(OwnerWord.current(), Long.MAX_VALUE, false, supplier);
            mutex.holdCount(depth);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("not interruptible", ex);
        }
        finally
        {
            mutexLock.exitWait();
        }
    }

    /** A waiter that timed out or was interrupted frees its slot, unless it was signalled first. */
    private boolean cancel(final int slot)
    {
        return buffer().compareAndSetInt(slot + SLOT_STATE_OFFSET, WAITING, FREE);
    }

    /**
     * The waiter's own exit: free its slot with one CAS from SIGNALLED (a slot it cancelled is FREE already).
     * If that CAS fails, another process has judged this waiter dead, freed the slot and handed the signal
     * on: a spurious wake-up, which a condition allows.
     */
    private void leave(final int slot, final boolean cancelled)
    {
        if (CrashPoints.ENABLED)
        {
            CrashPoints.reached("condition.leave");
        }
        if (!cancelled)
        {
            buffer().compareAndSetInt(slot + SLOT_STATE_OFFSET, SIGNALLED, FREE);
        }
    }

    /**
     * Called with the lock held: slot claims and signals are serialized by the lock; only the waiter's
     * own cancel runs without it, as a CAS on its state.
     */
    private int claimSlot()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                // a FREE slot's other fields are stale (or half written by a claimer killed with the lock)
                if (buffer().getIntVolatile(slot + SLOT_STATE_OFFSET) == FREE)
                {
                    final long ticket = buffer().getLong(SEQUENCE_OFFSET) + 1;
                    buffer().putLong(SEQUENCE_OFFSET, ticket);
                    buffer().putLong(slot + SLOT_TICKET_OFFSET, ticket);
                    buffer().putLong(slot + SLOT_START_TIME_OFFSET, OwnerWord.START_TIME);
                    buffer().putLong(slot + SLOT_PID_OFFSET, OwnerWord.PID);
                    if (CrashPoints.ENABLED)
                    {
                        CrashPoints.reached("condition.claim");
                    }
                    buffer().putIntRelease(slot + SLOT_STATE_OFFSET, WAITING);
                    return slot;
                }
            }
            reclaimDeadSlots();
        }
        throw new IllegalStateException("more than " + slotCount + " threads waiting on " + region.path() +
            "; create the condition with a larger maxWaiters");
    }

    private void reclaimDeadSlots()
    {
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            final int state = buffer().getIntVolatile(slot + SLOT_STATE_OFFSET);
            if ((state == WAITING || state == SIGNALLED) &&
                OwnerWord.isSlotDead(buffer, slot + SLOT_PID_OFFSET, slot + SLOT_START_TIME_OFFSET))
            {
                if (state == SIGNALLED)
                {
                    handOnAndFree(slot);
                }
                else
                {
                    buffer().compareAndSetInt(slot + SLOT_STATE_OFFSET, WAITING, FREE);
                }
            }
        }
    }

    @Override
    public void signal()
    {
        signal(1);
    }

    @Override
    public int signal(final int n)
    {
        checkHeld("notify");
        final long now = System.nanoTime();
        handOnSignalsOfDeadWaiters(now);
        final long sequence = buffer().getLong(SEQUENCE_OFFSET);
        int woken = 0;
        long lastTicket = Long.MIN_VALUE;
        while (woken < n)
        {
            final int oldest = oldestWaiting(lastTicket, Long.MAX_VALUE);
            if (oldest < 0)
            {
                break;
            }
            lastTicket = buffer().getLong(oldest + SLOT_TICKET_OFFSET);
            if (trySignal(oldest, now, sequence))
            {
                woken++;
            }
        }
        return woken;
    }

    private int oldestWaiting(final long afterTicket, final long maxTicket)
    {
        int oldest = -1;
        long oldestTicket = Long.MAX_VALUE;
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (buffer().getIntVolatile(slot + SLOT_STATE_OFFSET) == WAITING)
            {
                final long ticket = buffer().getLong(slot + SLOT_TICKET_OFFSET);
                if (ticket > afterTicket && ticket <= maxTicket && ticket < oldestTicket)
                {
                    oldest = slot;
                    oldestTicket = ticket;
                }
            }
        }
        return oldest;
    }

    private boolean trySignal(final int slot, final long now, final long sequence)
    {
        buffer().putLong(slot + SLOT_SIGNAL_TIME_OFFSET, now);
        buffer().putLong(slot + SLOT_SIGNAL_SEQUENCE_OFFSET, sequence);
        return buffer().compareAndSetInt(slot + SLOT_STATE_OFFSET, WAITING, SIGNALLED);
    }

    /**
     * Free the slots of dead processes holding a signal they never took up, handing each signal on. Runs
     * under the lock, so that two judges never both hand one signal on (which would wake one waiter more
     * than {@code signal(n)} said).
     */
    private void handOnSignalsOfDeadWaiters(final long now)
    {
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (holdsDeadSignal(slot, now))
            {
                handOnAndFree(slot);
            }
        }
    }

    private boolean holdsDeadSignal(final int slot, final long now)
    {
        return buffer().getIntVolatile(slot + SLOT_STATE_OFFSET) == SIGNALLED &&
            now - buffer().getLongVolatile(slot + SLOT_SIGNAL_TIME_OFFSET) >= OwnerWord.LIVENESS_INTERVAL_NANOS &&
            OwnerWord.isSlotDead(buffer, slot + SLOT_PID_OFFSET, slot + SLOT_START_TIME_OFFSET);
    }

    /**
     * A waiter's check, made without the lock: only when a dead waiter holds a signal, and only if the lock
     * is free, it takes the lock for the hand-on (a plain CAS from free: it never recovers a dead holder, so
     * the next user still learns of that death). A lock that stays held hands the signal on at its holder's
     * next {@code signal}.
     */
    private void handOnSignalsOfDeadWaitersUnderFreeLock(final long now)
    {
        boolean any = false;
        for (int i = 0; i < slotCount && !any; i++)
        {
            any = holdsDeadSignal(SLOTS_OFFSET + i * SLOT_LENGTH, now);
        }
        final long me = OwnerWord.current();
        if (any && mutex().tryAcquireFree(me))
        {
            try
            {
                handOnSignalsOfDeadWaiters(now);
            }
            finally
            {
                mutex().release();
            }
        }
    }

    /**
     * The signal of a dead waiter goes on first, then its slot is freed: a process killed in between leaves
     * the slot SIGNALLED, and the next judge hands the signal on again (a spurious wake-up at worst, where the
     * other order would lose the signal). Judges hold the lock, so two never hand one signal on together.
     */
    private void handOnAndFree(final int slot)
    {
        handOn(buffer().getLongVolatile(slot + SLOT_SIGNAL_SEQUENCE_OFFSET));
        if (CrashPoints.ENABLED)
        {
            CrashPoints.reached("condition.handOn");
        }
        buffer().compareAndSetInt(slot + SLOT_STATE_OFFSET, SIGNALLED, FREE);
    }

    /** Give a signal to the oldest waiter whose ticket is at most {@code sequence}, if any. */
    private void handOn(final long sequence)
    {
        long lastTicket = Long.MIN_VALUE;
        while (true)
        {
            final int oldest = oldestWaiting(lastTicket, sequence);
            if (oldest < 0)
            {
                return;
            }
            lastTicket = buffer().getLong(oldest + SLOT_TICKET_OFFSET);
            if (trySignal(oldest, System.nanoTime(), sequence))
            {
                return;
            }
        }
    }

    @Override
    public int signalAll()
    {
        return signal(Integer.MAX_VALUE);
    }

    @Override
    public int waiters()
    {
        return waiting(buffer(), slotCount);
    }

    private static int waiting(final org.agrona.concurrent.AtomicBuffer buffer, final int slots)
    {
        int count = 0;
        for (int i = 0; i < slots; i++)
        {
            if (buffer.getIntVolatile(SLOTS_OFFSET + i * SLOT_LENGTH + SLOT_STATE_OFFSET) == WAITING)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @return how many threads wait on a condition region now, for {@link RegionInspector}s:
     * {@code "2 waiting"}.
     */
    static String describe(final org.agrona.concurrent.AtomicBuffer payload)
    {
        final int slots = Math.min(payload.getInt(SLOT_COUNT_OFFSET), (payload.capacity() - SLOTS_OFFSET) / SLOT_LENGTH);
        return waiting(payload, slots) + " waiting";
    }

    @Override
    void released()
    {
        ((SharedObject)lock).close();
    }

    @Override
    public String toString()
    {
        return "Condition{" + region.path() + ", lock " + ((SharedObject)lock).path() + '}';
    }

    /**
     * @return the payload buffer, after checking that the region is still mapped.
     * @throws IllegalStateException once every holder has closed this object.
     */
    private AtomicBuffer buffer()
    {
        ensureOpen();
        return buffer;
    }

    /**
     * @return the lock's mutex, after checking that this condition and its lock are still mapped.
     * @throws IllegalStateException once either has been closed by every holder.
     */
    private RobustMutex mutex()
    {
        ensureOpen();
        mutexLock.ensureOpen();
        return mutex;
    }
}

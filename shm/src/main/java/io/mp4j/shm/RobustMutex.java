package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * The robust mutual exclusion word behind {@link Lock}, {@link RLock} and the internal locks of
 * {@link Barrier}: an owner word CASed from 0 to the acquirer's identity, plus what a waiter needs to
 * tell whether the owner died. 64 bytes, one cache line (all of it is written by the holder only;
 * waiters only read it until they CAS the owner word).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       Owner word: 0 = free, else pid &lt;&lt; 32 | thread id        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Owner process start time                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     Owner tag: copy of the owner word, written after the      |
 *  |     start time (so a reader knows whose start time it read)   |
 *  +---------------------------------------------------------------+
 *  |                  Hold count (RLock depth)                     |
 *  +---------------------------------------------------------------+
 *  |      Owner died: 1 if this holding recovered a dead owner     |
 *  +---------------------------------------------------------------+
 *  |               Recoveries (count of dead owners, 64 bits)      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Last dead owner word (64 bits)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Reserved (16 bytes)                     ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Acquire: CAS the owner word from 0 to {@code pid << 32 | threadId}, then write the start time and
 * the tag. Release: a release store of 0. A waiter that has waited {@link OwnerWord#LIVENESS_INTERVAL_NANOS}
 * reads the owner's pid, and judges it dead if no process has that pid, or if the process that has it
 * started at another time than the one recorded under a matching tag (pid reuse). It then CASes the
 * owner word from <em>that exact owner</em> to itself, so two recoverers never both win, and a holder
 * that released in between is never robbed. The new holder sees {@link #ownerDied()} true.
 */
final class RobustMutex
{
    static final int OWNER_OFFSET = 0;
    static final int START_TIME_OFFSET = 8;
    static final int TAG_OFFSET = 16;
    static final int HOLD_COUNT_OFFSET = 24;
    static final int OWNER_DIED_OFFSET = 28;
    static final int RECOVERIES_OFFSET = 32;
    static final int LAST_DEAD_OWNER_OFFSET = 40;
    static final int LENGTH = 64;

    /** Idle calls of a waiter during which it reads the clock (for timeout and liveness) only every 8th time. */
    private static final int CLOCK_FREE_SPINS = 64;
    /** The most {@link Thread#onSpinWait()} calls a waiter makes between two reads of the owner word. */
    private static final int MAX_BACKOFF_PAUSES = 16;

    /** The object whose region holds this mutex: a waiter is counted in it, and leaves when it closes. */
    private final MappedObject object;
    private final AtomicBuffer buffer;
    private final int ownerOffset;
    private final int startTimeOffset;
    private final int tagOffset;
    private final int holdCountOffset;
    private final int ownerDiedOffset;
    private final int recoveriesOffset;
    private final int lastDeadOffset;
    private final IdleCache idleCache = new IdleCache();
    private volatile long lastTryCheckNanos;

    /**
     * @param object the object whose region holds the mutex (the buffer's mapping ends with its close).
     * @param buffer the payload of that region.
     * @param offset where the mutex starts in it.
     */
    RobustMutex(final MappedObject object, final AtomicBuffer buffer, final int offset)
    {
        this.object = object;
        this.buffer = buffer;
        this.ownerOffset = offset + OWNER_OFFSET;
        this.startTimeOffset = offset + START_TIME_OFFSET;
        this.tagOffset = offset + TAG_OFFSET;
        this.holdCountOffset = offset + HOLD_COUNT_OFFSET;
        this.ownerDiedOffset = offset + OWNER_DIED_OFFSET;
        this.recoveriesOffset = offset + RECOVERIES_OFFSET;
        this.lastDeadOffset = offset + LAST_DEAD_OWNER_OFFSET;
    }

    long owner()
    {
        return buffer.getLongVolatile(ownerOffset);
    }

    boolean isHeldByCurrentThread()
    {
        return isHeldBy(OwnerWord.current());
    }

    /**
     * @return whether {@code me}, a thread of this JVM, holds the mutex: the owner word is {@code me} and the
     * start time is this JVM's (else the holder was an earlier process with our pid, now dead). The start
     * time is a plain read: a holder wrote it before returning from its acquire, in this same thread.
     */
    boolean isHeldBy(final long me)
    {
        return buffer.getLongVolatile(ownerOffset) == me &&
            !OwnerWord.isEarlierProcessOfOurPid(buffer.getLong(startTimeOffset), OwnerWord.START_TIME);
    }

    int holdCount()
    {
        return buffer.getInt(holdCountOffset);
    }

    void holdCount(final int count)
    {
        buffer.putInt(holdCountOffset, count);
    }

    boolean ownerDied()
    {
        return buffer.getInt(ownerDiedOffset) != 0;
    }

    long recoveries()
    {
        return buffer.getLongVolatile(recoveriesOffset);
    }

    long lastDeadOwner()
    {
        return buffer.getLongVolatile(lastDeadOffset);
    }

    /**
     * The uncontended path: one CAS from free, no liveness check, no allocation.
     */
    boolean tryAcquireFree(final long me)
    {
        if (buffer.compareAndSetLong(ownerOffset, 0, me))
        {
            acquired(me, 0);
            return true;
        }
        return false;
    }

    /**
     * One attempt, no waiting. Checks the owner's liveness at most once per liveness interval per
     * instance, so a caller that only ever polls still recovers a dead owner.
     */
    boolean tryAcquire(final long me)
    {
        final long owner = buffer.getLongVolatile(ownerOffset);
        if (owner == 0)
        {
            if (buffer.compareAndSetLong(ownerOffset, 0, me))
            {
                acquired(me, 0);
                return true;
            }
            return false;
        }
        final long now = System.nanoTime();
        if (now - lastTryCheckNanos >= OwnerWord.LIVENESS_INTERVAL_NANOS)
        {
            lastTryCheckNanos = now;
            return tryRecover(owner, me);
        }
        return false;
    }

    /**
     * Acquire, waiting at most {@code timeoutNanos} (Long.MAX_VALUE: forever). An uninterruptible wait
     * clears the interrupt status while it waits and sets it again when it returns, as
     * {@link java.util.concurrent.locks.ReentrantLock#lock()} does: with the status set, every park of the
     * idle strategy would return at once, and the waiter would spin a core until the lock came free.
     *
     * <p>The waiter is counted in the owning object while it waits ({@link MappedObject#enterWait()}), so
     * that a close by another thread of this JVM waits for it instead of unmapping the word it reads.
     *
     * @return true if acquired.
     * @throws InterruptedException if interruptible and the thread is interrupted while waiting.
     * @throws IllegalStateException if the owning object is closed while the thread waits.
     */
    boolean acquire(final long me, final long timeoutNanos, final boolean interruptible, final Supplier<IdleStrategy> idleSupplier)
        throws InterruptedException
    {
        if (buffer.compareAndSetLong(ownerOffset, 0, me))
        {
            acquired(me, 0);
            return true;
        }
        if (interruptible && Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final boolean timed = timeoutNanos != Long.MAX_VALUE;
        final long start = timed ? System.nanoTime() : 0;
        long nextCheck = 0;
        int spins = 0;
        int pauses = 1;
        final IdleStrategy idle = idleCache.get(idleSupplier);
        boolean keptInterrupt = false;
        object.enterWait();
        try
        {
            while (true)
            {
                object.checkClosing();
                // test, then test-and-set: read (a shared copy of the line) until the lock looks free, CAS only then
                final long owner = buffer.getLongVolatile(ownerOffset);
                if (owner == 0)
                {
                    if (buffer.compareAndSetLong(ownerOffset, 0, me))
                    {
                        acquired(me, 0);
                        return true;
                    }
                    continue;
                }
                // the clock costs about 50 ns a read here: while spinning, read it every 8th time only
                if (spins >= CLOCK_FREE_SPINS || (++spins & 7) == 0)
                {
                    final long now = System.nanoTime();
                    if (nextCheck == 0)
                    {
                        nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
                    }
                    else if (now - nextCheck >= 0)
                    {
                        nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
                        if (tryRecover(owner, me))
                        {
                            return true;
                        }
                    }
                    if (timed && now - start >= timeoutNanos)
                    {
                        return false;
                    }
                }
                if (Thread.interrupted())
                {
                    if (interruptible)
                    {
                        throw new InterruptedException();
                    }
                    keptInterrupt = true;
                }
                idle.idle();
                // Back-off between reads: every read of the owner word takes a shared copy of the holder's line,
                // which the holder's next acquire must take back. A holder that releases and re-acquires at once
                // (a tight locked loop) keeps the line, and the lock, for a run of acquisitions while this waiter
                // stays off it. The default idle strategy's spin phase is measured in time, so the pauses do not
                // lengthen it; they cost a waiter at most MAX_BACKOFF_PAUSES pauses (about 0.4 us here) of
                // lateness when the lock is released.
                for (int i = 0; i < pauses; i++)
                {
                    Thread.onSpinWait();
                }
                pauses = Math.min(pauses << 1, MAX_BACKOFF_PAUSES);
            }
        }
        finally
        {
            object.exitWait();
            if (keptInterrupt)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Release by the owner (whatever the hold count).
     */
    void release()
    {
        buffer.putInt(holdCountOffset, 0);
        buffer.putLongRelease(ownerOffset, 0);
    }

    /**
     * Release whoever holds it (Python's {@code Lock.release()} may be called by any process).
     *
     * @return the owner it released, or 0 if it was not held.
     */
    long releaseAny()
    {
        final long me = OwnerWord.current();
        if (buffer.getLongVolatile(ownerOffset) == me)
        {
            // the holder releases: nobody else writes the owner word of a held lock but a recoverer of a
            // dead holder, and this holder is alive, so a store does (no CAS)
            release();
            return me;
        }
        while (true)
        {
            final long owner = buffer.getLongVolatile(ownerOffset);
            if (owner == 0)
            {
                return 0;
            }
            if (buffer.compareAndSetLong(ownerOffset, owner, 0))
            {
                return owner;
            }
        }
    }

    /**
     * @return whether the holder {@code owner} is a dead process (never true for this JVM; true for an
     * earlier process that had this JVM's pid, told apart by its start time, if this JVM's is known).
     */
    boolean isOwnerDead(final long owner)
    {
        return isOwnerDead(owner, OwnerWord.START_TIME);
    }

    /**
     * @param ownStart this JVM's start time ({@link OwnerWord#START_TIME}; a parameter for the tests):
     *                 {@link ProcessIds#NO_PROCESS} if it could not be read, and then a holder with our pid
     *                 is this JVM, alive.
     */
    boolean isOwnerDead(final long owner, final long ownStart)
    {
        final long pid = OwnerWord.pidOf(owner);
        if (pid == OwnerWord.PID && ownStart == ProcessIds.NO_PROCESS)
        {
            return false;
        }
        final long actualStart = pid == OwnerWord.PID ? ownStart : ProcessIds.startTime(pid);
        if (actualStart == ProcessIds.NO_PROCESS)
        {
            return buffer.getLongVolatile(ownerOffset) == owner;
        }
        // A process with that pid lives: dead only if the start time recorded by the owner differs.
        final long tag = buffer.getLongVolatile(tagOffset);
        final long recordedStart = buffer.getLongVolatile(startTimeOffset);
        return tag == owner && buffer.getLongVolatile(tagOffset) == owner &&
            buffer.getLongVolatile(ownerOffset) == owner && recordedStart != actualStart;
    }

    private boolean tryRecover(final long owner, final long me)
    {
        if (isOwnerDead(owner) && buffer.compareAndSetLong(ownerOffset, owner, me))
        {
            acquired(me, owner);
            return true;
        }
        return false;
    }

    private void acquired(final long me, final long deadOwner)
    {
        buffer.putLong(startTimeOffset, OwnerWord.START_TIME);
        buffer.putLongRelease(tagOffset, me);
        buffer.putInt(holdCountOffset, 1);
        if (deadOwner != 0)
        {
            buffer.putLong(lastDeadOffset, deadOwner);
            buffer.getAndAddLong(recoveriesOffset, 1);
            buffer.putInt(ownerDiedOffset, 1);
        }
        else
        {
            buffer.putInt(ownerDiedOffset, 0);
        }
    }

    /**
     * @param payload   the region's payload.
     * @param offset    where the mutex is in it.
     * @param reentrant whether it is an {@link RLock}'s (its hold count is told).
     * @return who holds it now, for {@link RegionInspector}s: {@code "free"}, {@code "held by pid 4242 thread 1"}
     * (a reentrant one with {@code ", depth 2"}), then the dead holders recovered so far, if any.
     */
    static String describe(final org.agrona.concurrent.AtomicBuffer payload, final int offset, final boolean reentrant)
    {
        final long owner = payload.getLongVolatile(offset + OWNER_OFFSET);
        final long recoveries = payload.getLongVolatile(offset + RECOVERIES_OFFSET);
        final StringBuilder out = new StringBuilder();
        if (owner == 0)
        {
            out.append("free");
        }
        else
        {
            out.append("held by pid ").append(OwnerWord.pidOf(owner)).append(" thread ").append(OwnerWord.threadOf(owner));
            if (reentrant)
            {
                out.append(", depth ").append(payload.getIntVolatile(offset + HOLD_COUNT_OFFSET));
            }
        }
        if (recoveries > 0)
        {
            out.append(", ").append(recoveries).append(recoveries == 1 ? " dead holder" : " dead holders").append(" recovered");
        }
        return out.toString();
    }
}

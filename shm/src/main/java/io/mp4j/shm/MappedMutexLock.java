package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the memory-mapped {@link Lock} and {@link RLock} share: a region holding one {@link RobustMutex}.
 * They differ in re-entry (an {@link RLock}'s owner acquires again by counting) and in who may release
 * (anyone may release a {@link Lock}, as in Python; only the owner an {@link RLock}).
 *
 * <p>Layout (payload of a {@link RegionType#LOCK} or {@link RegionType#RLOCK} region, variant 0), one cache line:
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
 *  |           Owner tag (owner word, written after start time)    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Hold count (re-entry depth of an RLock's owner; 1: Lock)    |
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
 */
abstract sealed class MappedMutexLock extends MappedObject implements SharedLock permits MappedLock, MappedRLock
{
    /** Payload length of a lock region. */
    static final int PAYLOAD_LENGTH = RobustMutex.LENGTH;

    private final RobustMutex mutex;
    private final boolean reentrant;
    private final Held held = this::unlock;
    private volatile Supplier<IdleStrategy> idle;

    MappedMutexLock(final MappedRegion region, final boolean reentrant)
    {
        super(region);
        this.mutex = new RobustMutex(this, region.buffer(), 0);
        this.reentrant = reentrant;
    }

    /**
     * Map an existing lock region and check that it holds a whole mutex().
     */
    static MappedRegion attachRegion(final Path file, final RegionType type)
    {
        final MappedRegion region = MappedRegion.attach(file, type);
        if (region.payloadLength() < PAYLOAD_LENGTH)
        {
            region.close();
            throw new InvalidRegionException(file, "lock payload is " + region.payloadLength() +
                " bytes, expected " + PAYLOAD_LENGTH);
        }
        return region;
    }

    final void idleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
    }

    /**
     * @return the mutex, after checking that the region is still mapped.
     * @throws IllegalStateException once every holder has closed this lock.
     */
    final RobustMutex mutex()
    {
        ensureOpen();
        return mutex;
    }

    final Supplier<IdleStrategy> idle()
    {
        final Supplier<IdleStrategy> own = idle;
        return own != null ? own : IdleStrategies.forRegion(region.path());
    }

    @Override
    public final boolean acquire()
    {
        lock();
        return true;
    }

    @Override
    public final boolean acquire(final boolean block)
    {
        if (block)
        {
            lock();
            return true;
        }
        return tryLock();
    }

    @Override
    public final boolean acquire(final Duration timeout)
    {
        return acquireUninterruptibly(IdleStrategies.toNanos(timeout));
    }

    @Override
    public final boolean acquire(final long timeout, final TimeUnit unit)
    {
        return acquireUninterruptibly(unit.toNanos(timeout));
    }

    private boolean acquireUninterruptibly(final long timeoutNanos)
    {
        final RobustMutex mutex = mutex();
        final long me = OwnerWord.current();
        if (reenter(mutex, me))
        {
            return true;
        }
        if (timeoutNanos <= 0)
        {
            return mutex.tryAcquire(me);
        }
        if (mutex.tryAcquireFree(me))
        {
            return true;
        }
        try
        {
            return mutex.acquire(me, timeoutNanos, false, idle());
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("not interruptible", ex);
        }
    }

    /**
     * @return true if this is an RLock that {@code me} holds: then its hold count has gone up by one.
     */
    private boolean reenter(final RobustMutex mutex, final long me)
    {
        if (reentrant && mutex.isHeldBy(me))
        {
            final int depth = mutex.holdCount();
            if (depth == Integer.MAX_VALUE)
            {
                throw new Error("maximum lock count exceeded");
            }
            mutex.holdCount(depth + 1);
            return true;
        }
        return false;
    }

    @Override
    public final void lock()
    {
        acquireUninterruptibly(Long.MAX_VALUE);
    }

    @Override
    public final void lockInterruptibly() throws InterruptedException
    {
        // interrupted on entry: throw even if the lock is free or ours, as java.util.concurrent.locks.Lock requires
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final RobustMutex mutex = mutex();
        final long me = OwnerWord.current();
        if (!reenter(mutex, me))
        {
            mutex.acquire(me, Long.MAX_VALUE, true, idle());
        }
    }

    @Override
    public final boolean tryLock()
    {
        final RobustMutex mutex = mutex();
        final long me = OwnerWord.current();
        return reenter(mutex, me) || mutex.tryAcquire(me);
    }

    @Override
    public final boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final long nanos = unit.toNanos(time);
        final RobustMutex mutex = mutex();
        final long me = OwnerWord.current();
        if (reenter(mutex, me))
        {
            return true;
        }
        return nanos <= 0 ? mutex.tryAcquire(me) : mutex.acquire(me, nanos, true, idle());
    }

    @Override
    public final void unlock()
    {
        final RobustMutex mutex = mutex();
        final long me = OwnerWord.current();
        if (!mutex.isHeldBy(me))
        {
            throw new IllegalMonitorStateException("unlock by " + OwnerWord.describe(me) +
                " of a lock held by " + OwnerWord.describe(mutex.owner()) + ": " + region.path());
        }
        final int depth = reentrant ? mutex.holdCount() : 1;
        if (depth > 1)
        {
            mutex.holdCount(depth - 1);
        }
        else
        {
            mutex.release();
        }
    }

    @Override
    public final java.util.concurrent.locks.Condition newCondition()
    {
        throw new UnsupportedOperationException("use io.mp4j.shm.Condition.create(directory, name, lock)");
    }

    @Override
    public final Held locked()
    {
        lock();
        return held;
    }

    @Override
    public final boolean isHeldByCurrentThread()
    {
        return mutex().isHeldByCurrentThread();
    }

    @Override
    public final boolean isLocked()
    {
        return mutex().owner() != 0;
    }

    @Override
    public final boolean previousOwnerDied()
    {
        return mutex().ownerDied();
    }

    @Override
    public final long recoveries()
    {
        return mutex().recoveries();
    }

    @Override
    public final long ownerPid()
    {
        return OwnerWord.pidOf(mutex().owner());
    }

    @Override
    public final String toString()
    {
        return (reentrant ? "RLock{" : "Lock{") + region.path() +
            (isClosed() ? ", closed" : ", held by " + OwnerWord.describe(mutex().owner())) + '}';
    }
}

package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The memory-mapped implementation of {@link RLock}.
 *
 * <p>Layout (payload of a {@link RegionType#RLOCK} region, variant 0), one cache line:
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
 *  |              Hold count (re-entry depth of the owner)         |
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
final class MappedRLock implements RLock, SharedObject
{
    /** Payload length of a lock region. */
    public static final int PAYLOAD_LENGTH = RobustMutex.LENGTH;

    private final MappedRegion region;

    private final RobustMutex mutex;

    private final Held held = this::unlock;

    private volatile Supplier<IdleStrategy> idle;

    private MappedRLock(final MappedRegion region)
    {
        this.region = region;
        this.mutex = new RobustMutex(region.buffer(), 0);
    }

    static MappedRLock create(final RuntimeDirectory directory, final String name)
    {
        return create(directory.resolve(name));
    }

    static MappedRLock create(final Path file)
    {
        final MappedRegion region = MappedRegion.create(file, RegionType.RLOCK, 0, PAYLOAD_LENGTH);
        return SharedObjects.register(new MappedRLock(region.publish()));
    }

    static MappedRLock create()
    {
        return create(RuntimeDirectory.global(), Names.unique("rlock"));
    }

    static MappedRLock attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedRLock attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.RLOCK);
        if (region.payloadLength() < PAYLOAD_LENGTH)
        {
            region.close();
            throw new InvalidRegionException(file, "lock payload is " + region.payloadLength() +
                " bytes, expected " + PAYLOAD_LENGTH);
        }
        return new MappedRLock(region);
    }

    @Override
    public RLock withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    RobustMutex mutex()
    {
        return mutex;
    }

    Supplier<IdleStrategy> idle()
    {
        final Supplier<IdleStrategy> own = idle;
        return own != null ? own : IdleStrategies.forRegion(region.path());
    }

    @Override
    public boolean acquire()
    {
        lock();
        return true;
    }

    @Override
    public boolean acquire(final boolean block)
    {
        if (block)
        {
            lock();
            return true;
        }
        return tryLock();
    }

    @Override
    public boolean acquire(final Duration timeout)
    {
        return acquireUninterruptibly(IdleStrategies.toNanos(timeout));
    }

    @Override
    public boolean acquire(final long timeout, final TimeUnit unit)
    {
        return acquireUninterruptibly(unit.toNanos(timeout));
    }

    private boolean acquireUninterruptibly(final long timeoutNanos)
    {
        final long me = OwnerWord.current();
        if (reenter(me))
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

    private boolean reenter(final long me)
    {
        if (mutex.owner() == me)
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
    public void release()
    {
        unlock();
    }

    @Override
    public void lock()
    {
        acquireUninterruptibly(Long.MAX_VALUE);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException
    {
        if (reenter(OwnerWord.current()))
        {
            return;
        }
        mutex.acquire(OwnerWord.current(), Long.MAX_VALUE, true, idle());
    }

    @Override
    public boolean tryLock()
    {
        final long me = OwnerWord.current();
        return reenter(me) || mutex.tryAcquire(me);
    }

    @Override
    public boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        final long nanos = unit.toNanos(time);
        final long me = OwnerWord.current();
        if (reenter(me))
        {
            return true;
        }
        return nanos <= 0 ? mutex.tryAcquire(me) : mutex.acquire(me, nanos, true, idle());
    }

    @Override
    public void unlock()
    {
        final long owner = mutex.owner();
        if (owner != OwnerWord.current())
        {
            throw new IllegalMonitorStateException("unlock by " + OwnerWord.describe(OwnerWord.current()) +
                " of a lock held by " + OwnerWord.describe(owner) + ": " + region.path());
        }
        final int depth = mutex.holdCount();
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
    public int getHoldCount()
    {
        return mutex.isHeldByCurrentThread() ? mutex.holdCount() : 0;
    }

    @Override
    public java.util.concurrent.locks.Condition newCondition()
    {
        throw new UnsupportedOperationException("use io.mp4j.shm.Condition.create(directory, name, lock)");
    }

    @Override
    public Held locked()
    {
        lock();
        return held;
    }

    @Override
    public boolean isHeldByCurrentThread()
    {
        return mutex.isHeldByCurrentThread();
    }

    @Override
    public boolean isLocked()
    {
        return mutex.owner() != 0;
    }

    @Override
    public boolean previousOwnerDied()
    {
        return mutex.ownerDied();
    }

    @Override
    public long recoveries()
    {
        return mutex.recoveries();
    }

    @Override
    public long ownerPid()
    {
        return OwnerWord.pidOf(mutex.owner());
    }

    @Override
    public Path path()
    {
        return region.path();
    }

    @Override
    public boolean isClosed()
    {
        return region.isClosed();
    }

    @Override
    public void close()
    {
        region.close();
    }

    @Override
    public String toString()
    {
        return "RLock{" + region.path() + ", held by " + OwnerWord.describe(mutex.owner()) + '}';
    }

    private Object writeReplace()
    {
        return RegionHandle.of(this);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("an RLock travels as a RegionHandle");
    }
}

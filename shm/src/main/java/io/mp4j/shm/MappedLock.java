package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The memory-mapped implementation of {@link Lock}.
 *
 * <p>Layout (payload of a {@link RegionType#LOCK} region, variant 0), one cache line:
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
 *  |                  Hold count (1 while held)                    |
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
final class MappedLock implements Lock, SharedObject
{
    /** Payload length of a lock region. */
    public static final int PAYLOAD_LENGTH = RobustMutex.LENGTH;

    private final MappedRegion region;

    private final RobustMutex mutex;

    private final Held held = this::unlock;

    private volatile Supplier<IdleStrategy> idle;

    private MappedLock(final MappedRegion region)
    {
        this.region = region;
        this.mutex = new RobustMutex(region.buffer(), 0);
    }

    static MappedLock create(final RuntimeDirectory directory, final String name)
    {
        return create(directory.resolve(name));
    }

    static MappedLock create(final Path file)
    {
        final MappedRegion region = MappedRegion.create(file, RegionType.LOCK, 0, PAYLOAD_LENGTH);
        return SharedObjects.register(new MappedLock(region.publish()));
    }

    static MappedLock create()
    {
        return create(RuntimeDirectory.global(), Names.unique("lock"));
    }

    static MappedLock attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedLock attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.LOCK);
        if (region.payloadLength() < PAYLOAD_LENGTH)
        {
            region.close();
            throw new InvalidRegionException(file, "lock payload is " + region.payloadLength() +
                " bytes, expected " + PAYLOAD_LENGTH);
        }
        return new MappedLock(region);
    }

    @Override
    public Lock withIdleStrategy(final Supplier<IdleStrategy> supplier)
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

    @Override
    public void release()
    {
        if (mutex.releaseAny() == 0)
        {
            throw new IllegalStateException("release of an unlocked lock: " + region.path());
        }
    }

    @Override
    public void lock()
    {
        acquireUninterruptibly(Long.MAX_VALUE);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException
    {
        mutex.acquire(OwnerWord.current(), Long.MAX_VALUE, true, idle());
    }

    @Override
    public boolean tryLock()
    {
        return mutex.tryAcquire(OwnerWord.current());
    }

    @Override
    public boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        final long nanos = unit.toNanos(time);
        final long me = OwnerWord.current();
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
        mutex.release();
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
        return "Lock{" + region.path() + ", held by " + OwnerWord.describe(mutex.owner()) + '}';
    }

    private Object writeReplace()
    {
        return RegionHandle.of(this);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a Lock travels as a RegionHandle");
    }
}

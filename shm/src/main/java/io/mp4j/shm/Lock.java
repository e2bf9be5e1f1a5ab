package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A non-reentrant lock shared between the threads of any number of JVMs: Python's
 * {@code multiprocessing.Lock}, usable as a {@link java.util.concurrent.locks.Lock}.
 *
 * <p>Python semantics: {@link #acquire(boolean)} and {@link #acquire(Duration)} return whether the lock
 * was taken; {@link #release()} may be called by any thread of any process (as Python allows) and
 * throws {@link IllegalStateException} if the lock is not held. A thread that acquires a lock it
 * already holds waits forever (or until its timeout), as in Python. Java semantics: {@link #unlock()}
 * may only be called by the holding thread, else {@link IllegalMonitorStateException}.
 *
 * <p>Robustness: the lock word holds the owner's identity (pid and thread) and the owner's process start
 * time is recorded beside it. A waiter that has waited {@code mp4j.liveness.checkMillis} (10 ms by default)
 * checks whether the owner's process is alive (pid <em>and</em> start time, so a reused pid is not
 * mistaken for it) and, if it is dead, takes the lock over with a CAS from that exact owner.
 * {@link #previousOwnerDied()} then returns true for the new holder, which should repair the state the
 * lock protects. A thread that dies holding the lock in a JVM that stays alive is not recovered (as with
 * {@link java.util.concurrent.locks.ReentrantLock}).
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
 *
 * <p>Memory consistency effects: actions in a thread (of any process) before it releases the lock
 * happen-before actions after a subsequent acquire of the lock by any thread of any process, for data
 * in shared memory.
 *
 * <p>Example, two programs started separately:
 * <pre>{@code
 * RuntimeDirectory dir = RuntimeDirectory.openNamed("demo");
 * Lock lock;
 * try
 * {
 *     lock = Lock.create(dir, "lock");
 * }
 * catch (IllegalStateException alreadyCreatedByTheOther)
 * {
 *     lock = Lock.attach(dir, "lock");
 * }
 * lock.lock();
 * try
 * {
 *     // critical section, exclusive across both JVMs
 * }
 * finally
 * {
 *     lock.unlock();
 * }
 * }</pre>
 */
public final class Lock implements SharedLock
{
    /** Payload length of a lock region. */
    public static final int PAYLOAD_LENGTH = RobustMutex.LENGTH;

    private final MappedRegion region;
    private final RobustMutex mutex;
    private final Held held = this::unlock;
    private volatile Supplier<IdleStrategy> idle;

    private Lock(final MappedRegion region)
    {
        this.region = region;
        this.mutex = new RobustMutex(region.buffer(), 0);
    }

    /**
     * Create a lock in a runtime directory.
     *
     * @param directory where.
     * @param name      the file name (letters, digits, '_', '.', '-').
     * @return the new lock, free.
     * @throws IllegalStateException if a region with that name exists.
     */
    public static Lock create(final RuntimeDirectory directory, final String name)
    {
        return create(directory.resolve(name));
    }

    /**
     * Create a lock at a path.
     *
     * @param file a path that does not exist, in a private directory.
     * @return the new lock, free.
     */
    public static Lock create(final Path file)
    {
        final MappedRegion region = MappedRegion.create(file, RegionType.LOCK, 0, PAYLOAD_LENGTH);
        return SharedObjects.register(new Lock(region.publish()));
    }

    /**
     * Python's {@code Lock()}: a new lock in this JVM's default runtime directory.
     *
     * @return the new lock.
     */
    public static Lock create()
    {
        return create(RuntimeDirectory.global(), Names.unique("lock"));
    }

    /**
     * Attach to an existing lock, by name in a runtime directory.
     *
     * @param directory where.
     * @param name      its name.
     * @return the lock.
     * @throws InvalidRegionException if there is no lock region of that name.
     */
    public static Lock attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    /**
     * Attach to an existing lock.
     *
     * @param file its region file.
     * @return the lock.
     * @throws InvalidRegionException if the file is not a valid lock region.
     */
    public static Lock attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.LOCK);
        if (region.payloadLength() < PAYLOAD_LENGTH)
        {
            region.close();
            throw new InvalidRegionException(file, "lock payload is " + region.payloadLength() +
                " bytes, expected " + PAYLOAD_LENGTH);
        }
        return new Lock(region);
    }

    /**
     * Use this idle strategy when waiting on this lock (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
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

    /**
     * Release the lock, whoever holds it (Python semantics).
     *
     * @throws IllegalStateException if the lock is not held.
     */
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

    /**
     * Release the lock held by the calling thread.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold it.
     */
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

    /**
     * Not supported: use {@link Condition}, which works across processes.
     *
     * @throws UnsupportedOperationException always.
     */
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

    /**
     * @return the pid of the holder, or 0 if free.
     */
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

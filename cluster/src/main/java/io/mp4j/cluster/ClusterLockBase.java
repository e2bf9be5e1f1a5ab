package io.mp4j.cluster;

import io.mp4j.shm.SharedLock;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteAtomicLong;

import java.io.ObjectStreamException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What {@link ClusterLock} and {@link ClusterRLock} share: the {@link OwnerWord} protocol, waiting,
 * dead-owner takeover and the Python/Java method pairs.
 */
abstract class ClusterLockBase implements SharedLock
{
    private static final long serialVersionUID = 1L;

    final transient ClusterBackend backend;
    final String name;
    /** What this lock is, for the handle it travels as: a user's lock or rlock, or a value's or list's own. */
    private final ClusterHandle.Kind kind;
    final transient OwnerWord word;
    private final transient IgniteAtomicLong recoveryCount;
    private final transient Held held = this::unlock;
    transient Supplier<IdleStrategy> idle = OwnerWord::idle;
    /** Set by the thread that took the lock over from a dead owner; read by the holder. */
    private transient volatile boolean previousOwnerDied;

    ClusterLockBase(final ClusterBackend backend, final String name, final ClusterHandle.Kind kind, final IgniteAtomicLong word,
        final IgniteAtomicLong recoveryCount)
    {
        this.backend = backend;
        this.name = name;
        this.kind = kind;
        this.word = new OwnerWord(backend, word);
        this.recoveryCount = recoveryCount;
    }

    /**
     * Take the word for the calling thread, waiting until the deadline.
     *
     * @param deadlineNanos {@link System#nanoTime()} deadline, or {@link Long#MAX_VALUE} for none.
     * @param interruptible whether an interrupt ends the wait with {@link InterruptedException}.
     * @return whether the word was taken.
     */
    final boolean take(final long deadlineNanos, final boolean interruptible) throws InterruptedException
    {
        final long me = word.me();
        int taken;
        IdleStrategy strategy = null;
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    taken = word.tryTake(me);
                }
                catch (final RuntimeException ex)
                {
                    if (!IgniteInterrupts.isInterrupt(ex))
                    {
                        throw ex;
                    }
                    // an interrupt during a round trip: Ignite's unchecked exception, and the CAS may have been
                    // applied all the same, so read the word (the status cleared first, or the read would be
                    // interrupted too); acquired, the interrupt status is kept, as in java.util.concurrent
                    Thread.interrupted();
                    interrupted = true;
                    taken = word.get() == me ? 1 : 0;
                    if (taken == 0 && interruptible)
                    {
                        interrupted = false;
                        throw new InterruptedException("interrupted waiting for " + this);
                    }
                }
                if (taken != 0)
                {
                    break;
                }
                if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0)
                {
                    return false;
                }
                if (Thread.interrupted())
                {
                    if (interruptible)
                    {
                        throw new InterruptedException("interrupted waiting for " + this);
                    }
                    interrupted = true;
                }
                if (strategy == null)
                {
                    strategy = idle.get();
                }
                strategy.idle();
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        previousOwnerDied = taken == 2;
        if (taken == 2)
        {
            recoveryCount.incrementAndGet();
        }
        return true;
    }

    static long deadline(final long timeout, final TimeUnit unit)
    {
        final long nanos = unit.toNanos(Math.max(0, timeout));
        return System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
    }

    /**
     * @return the deadline of a timeout given as a {@code Duration}; one too long for nanoseconds (e.g.
     * {@code ChronoUnit.FOREVER.getDuration()}) waits as long as {@code Long.MAX_VALUE} nanoseconds would.
     */
    static long deadline(final Duration timeout)
    {
        return deadline(io.mp4j.shm.IdleStrategies.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * Wait with the idle strategy until {@code done} is true or the deadline passes. An interrupt throws
     * {@link InterruptedException}, also one that lands during a round trip to the cluster (Ignite reports
     * it unchecked, see {@link IgniteInterrupts}), with the interrupt status cleared, as the
     * waits of {@code java.util.concurrent} leave it.
     *
     * @return whether {@code done} became true before the deadline.
     */
    static boolean pollUntil(final java.util.function.BooleanSupplier done, final long deadlineNanos,
        final Supplier<IdleStrategy> idle, final Object waitingFor) throws InterruptedException
    {
        IdleStrategy strategy = null;
        try
        {
            while (!done.getAsBoolean())
            {
                if (Thread.interrupted())
                {
                    throw new InterruptedException("interrupted waiting for " + waitingFor);
                }
                if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0)
                {
                    return false;
                }
                if (strategy == null)
                {
                    strategy = idle.get();
                }
                strategy.idle();
            }
            return true;
        }
        catch (final RuntimeException ex)
        {
            throw IgniteInterrupts.interrupted(ex, "interrupted waiting for " + waitingFor);
        }
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
        return block ? acquire() : tryLock();
    }

    @Override
    public boolean acquire(final Duration timeout)
    {
        return acquire(io.mp4j.shm.IdleStrategies.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean acquire(final long timeout, final TimeUnit unit)
    {
        try
        {
            return acquireOrWait(deadline(timeout, unit), false);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Override
    public void lock()
    {
        try
        {
            acquireOrWait(Long.MAX_VALUE, false);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException
    {
        acquireOrWait(Long.MAX_VALUE, true);
    }

    @Override
    public boolean tryLock()
    {
        try
        {
            return acquireOrWait(System.nanoTime(), false);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Override
    public boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        return acquireOrWait(deadline(time, unit), true);
    }

    /** Acquire for the calling thread (reentrant or not, per subclass). */
    abstract boolean acquireOrWait(long deadlineNanos, boolean interruptible) throws InterruptedException;

    @Override
    public final Held locked()
    {
        lock();
        return held;
    }

    @Override
    public boolean isLocked()
    {
        return word.get() != 0;
    }

    @Override
    public boolean previousOwnerDied()
    {
        return previousOwnerDied;
    }

    @Override
    public long recoveries()
    {
        return recoveryCount.get();
    }

    /**
     * @return the pid of the holder's JVM (on its host, which may be another one), or 0 if free.
     */
    public long ownerPid()
    {
        final long owner = word.get();
        return owner == 0 ? 0 : backend.pidOfNode(owner >>> 32);
    }

    /**
     * Not supported: a {@code Condition} cannot keep its single-host guarantees on a cluster (see
     * {@link ClusterBackend}).
     *
     * @throws UnsupportedOperationException always.
     */
    @Override
    public java.util.concurrent.locks.Condition newCondition()
    {
        throw new UnsupportedOperationException("a cluster lock has no Condition: " + ClusterBackend.NO_CONDITION);
    }

    /**
     * @return the lock's name in the cluster.
     */
    public String name()
    {
        return name;
    }

    @Override
    public void close()
    {
        // the lock belongs to the cluster; this handle holds nothing to release
    }

    Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(kind, name, null, 0);
    }

    @Override
    public String toString()
    {
        return ClusterHandle.describe(kind, name);
    }
}

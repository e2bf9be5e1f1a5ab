package io.mp4j.cluster;

import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Semaphore;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteSemaphore;

import java.io.ObjectStreamException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link Semaphore} (and, made with a bound, a {@link BoundedSemaphore}) on Ignite's {@code IgniteSemaphore}
 * in fail-over-safe mode: the permits a member held when it left the cluster are given back by Ignite, so
 * {@link #recoversDeadHolders()} is true (as with the mapped bounded semaphore).
 *
 * <p>The bound of a bounded semaphore is checked against the permits available at the moment of the release,
 * which another JVM may change in between: an over-release racing with another release can go undetected.
 * On one host the check is exact.
 */
public class ClusterSemaphore implements Semaphore
{
    private static final long serialVersionUID = 1L;

    final String name;
    final long bound;
    private final transient IgniteSemaphore semaphore;

    ClusterSemaphore(final String name, final long bound, final IgniteSemaphore semaphore)
    {
        this.name = name;
        this.bound = bound;
        this.semaphore = semaphore;
    }

    /**
     * The bounded kind.
     */
    static final class Bounded extends ClusterSemaphore implements BoundedSemaphore
    {
        private static final long serialVersionUID = 1L;

        Bounded(final String name, final long bound, final IgniteSemaphore semaphore)
        {
            super(name, bound, semaphore);
        }
    }

    @Override
    public Semaphore withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        return this;    // Ignite wakes waiters itself
    }

    @Override
    public void acquire() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted acquiring " + this);
        }
        semaphore.acquire();
    }

    @Override
    public boolean acquire(final boolean block) throws InterruptedException
    {
        if (block)
        {
            acquire();
            return true;
        }
        return tryAcquire();
    }

    @Override
    public boolean acquire(final Duration timeout) throws InterruptedException
    {
        return tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted acquiring " + this);
        }
        return semaphore.tryAcquire(Math.max(0, timeout), unit);
    }

    @Override
    public boolean tryAcquire()
    {
        return semaphore.tryAcquire();
    }

    @Override
    public void release()
    {
        release(1);
    }

    @Override
    public void release(final long n)
    {
        if (n < 1 || n > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("release(" + n + "): n must be within 1.." + Integer.MAX_VALUE + ": " + this);
        }
        if (bound != Long.MAX_VALUE && semaphore.availablePermits() + n > bound)
        {
            throw new IllegalStateException("semaphore released too many times (bound " + bound + "): " + this);
        }
        semaphore.release((int)n);
    }

    @Override
    public long getValue()
    {
        return semaphore.availablePermits();
    }

    @Override
    public long bound()
    {
        return bound;
    }

    @Override
    public boolean recoversDeadHolders()
    {
        return true;
    }

    /**
     * @return 0: Ignite gives a dead member's permits back without counting them.
     */
    @Override
    public long reclaimedPermits()
    {
        return 0;
    }

    /**
     * @return 0: Ignite already gave back the permits of members that left.
     */
    @Override
    public long reclaimDeadHolders()
    {
        return 0;
    }

    @Override
    public void close()
    {
        // the semaphore belongs to the cluster
    }

    private Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(bound == Long.MAX_VALUE ? ClusterHandle.Kind.SEMAPHORE : ClusterHandle.Kind.BOUNDED_SEMAPHORE,
            name, null, bound == Long.MAX_VALUE ? 0 : bound);
    }

    @Override
    public String toString()
    {
        return "cluster " + (bound == Long.MAX_VALUE ? "semaphore" : "bounded semaphore") + " '" + name + "'";
    }
}

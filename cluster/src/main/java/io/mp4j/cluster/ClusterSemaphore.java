package io.mp4j.cluster;

import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Semaphore;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.IgniteSemaphore;

import java.io.ObjectStreamException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link Semaphore} on one Ignite atomic long, and a {@link BoundedSemaphore} on Ignite's
 * {@code IgniteSemaphore} in fail-over-safe mode.
 *
 * <p>The plain semaphore does not recover dead holders, as the mapped {@code Semaphore} by default: it is
 * often a signal counter (one node releases, another acquires), and Ignite's fail-over-safe semaphore gives
 * back every permit a departed node acquired, even those released to it by others, which a consumer's
 * departure turns into phantom signals; without fail-over safety Ignite breaks the semaphore for everyone.
 * So the count is an atomic long: an acquire is a compare-and-set that takes one permit while there is one,
 * and a waiter polls with its idle strategy (parking at most 5 ms), as the
 * cluster locks do.
 *
 * <p>The bounded semaphore recovers dead holders (Ignite gives a departed node's permits back), capped at
 * its bound: permits above the bound, which the recovery of permits handed between nodes can leave (Ignite
 * counts per node the permits acquired minus those released), are taken away again at the next
 * {@code release} or {@code getValue()} on any node, which read the count anyway. Not at an acquire, which
 * would pay a round trip more for it: between a departure and the next release or {@code getValue()} an
 * acquire may take such a permit. The bound is checked against the
 * permits available at the moment of the release, which another JVM may change in between: an over-release
 * racing with another release can go undetected. On one host the check is exact.
 *
 * <p>An interrupt of a waiting thread throws {@link InterruptedException} with the interrupt status
 * cleared, as {@code java.util.concurrent} does.
 */
public class ClusterSemaphore implements Semaphore
{
    private static final long serialVersionUID = 1L;

    final String name;
    final long bound;
    private final transient IgniteAtomicLong count;
    private transient volatile Supplier<IdleStrategy> idle = OwnerWord::idle;

    ClusterSemaphore(final String name, final IgniteAtomicLong count)
    {
        this.name = name;
        this.bound = Long.MAX_VALUE;
        this.count = count;
    }

    private ClusterSemaphore(final String name, final long bound)
    {
        this.name = name;
        this.bound = bound;
        this.count = null;
    }

    /**
     * The bounded kind, on Ignite's fail-over-safe semaphore.
     */
    static final class Bounded extends ClusterSemaphore implements BoundedSemaphore
    {
        private static final long serialVersionUID = 1L;

        private final transient IgniteSemaphore semaphore;

        Bounded(final String name, final long bound, final IgniteSemaphore semaphore)
        {
            super(name, bound);
            this.semaphore = semaphore;
        }

        @Override
        public Semaphore withIdleStrategy(final Supplier<IdleStrategy> supplier)
        {
            return this;    // Ignite wakes waiters itself
        }

        @Override
        public void acquire() throws InterruptedException
        {
            checkInterrupt();
            try
            {
                semaphore.acquire();
            }
            catch (final RuntimeException ex)
            {
                throw IgniteInterrupts.interrupted(ex, "interrupted acquiring " + this);
            }
        }

        @Override
        public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
        {
            checkInterrupt();
            try
            {
                return semaphore.tryAcquire(Math.max(0, timeout), unit);
            }
            catch (final RuntimeException ex)
            {
                throw IgniteInterrupts.interrupted(ex, "interrupted acquiring " + this);
            }
        }

        @Override
        public boolean tryAcquire()
        {
            return semaphore.tryAcquire();
        }

        @Override
        public void release(final long n)
        {
            checkRelease(n);
            if (trim() + n > bound)
            {
                throw new IllegalStateException("semaphore released too many times (bound " + bound + "): " + this);
            }
            semaphore.release((int)n);
        }

        @Override
        public long getValue()
        {
            return trim();
        }

        /**
         * Take away permits above the bound, left by Ignite's recovery of a departed node's permits.
         *
         * @return the permits available, at most the bound.
         */
        private int trim()
        {
            // availablePermits() is a round trip: release and getValue make it anyway, acquires do not
            int available;
            while ((available = semaphore.availablePermits()) > bound && !semaphore.tryAcquire(available - (int)bound))
            {
                Thread.onSpinWait();
            }
            return Math.min(available, (int)bound);
        }

        @Override
        public boolean recoversDeadHolders()
        {
            return true;
        }
    }

    @Override
    public Semaphore withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        idle = supplier;
        return this;
    }

    @Override
    public void acquire() throws InterruptedException
    {
        acquireUntil(Long.MAX_VALUE);
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
        return acquireUntil(ClusterLockBase.deadline(timeout));
    }

    @Override
    public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return acquireUntil(ClusterLockBase.deadline(timeout, unit));
    }

    private boolean acquireUntil(final long deadlineNanos) throws InterruptedException
    {
        checkInterrupt();
        return ClusterLockBase.pollUntil(this::tryAcquire, deadlineNanos, idle, this);
    }

    @Override
    public boolean tryAcquire()
    {
        long available;
        while ((available = count.get()) > 0)
        {
            if (count.compareAndSet(available, available - 1))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void release()
    {
        release(1);
    }

    @Override
    public void release(final long n)
    {
        checkRelease(n);
        count.addAndGet(n);
    }

    void checkRelease(final long n)
    {
        if (n < 1 || n > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("release(" + n + "): n must be within 1.." + Integer.MAX_VALUE + ": " + this);
        }
    }

    void checkInterrupt() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted acquiring " + this);
        }
    }

    @Override
    public long getValue()
    {
        return count.get();
    }

    @Override
    public long bound()
    {
        return bound;
    }

    /**
     * @return false for a plain semaphore (see the class comment), true for a bounded one.
     */
    @Override
    public boolean recoversDeadHolders()
    {
        return false;
    }

    /**
     * @return 0: a bounded semaphore's dead holders' permits are given back by Ignite without counting them.
     */
    @Override
    public long reclaimedPermits()
    {
        return 0;
    }

    /**
     * @return 0: Ignite already gave back the permits of members that left a bounded semaphore; a plain one
     * does not recover them.
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

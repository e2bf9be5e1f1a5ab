package io.mp4j.cluster;

import io.mp4j.shm.Lock;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteAtomicLong;

import java.util.function.Supplier;

/**
 * A non-reentrant {@link Lock} shared by every thread of every JVM in the cluster, with the semantics of
 * the memory-mapped one: Python's {@code release()} from any thread, Java's {@code unlock()} only from the
 * holder, a holder that acquires again waits (for ever or until its timeout).
 *
 * <p>It is an {@link OwnerWord} (one Ignite atomic long, layout there). A holder whose node leaves the
 * cluster (its JVM killed, its host lost) is detected by waiters from the topology, and the first to CAS
 * the word from that exact owner takes it over; {@link #previousOwnerDied()} is then true for it, as
 * POSIX's {@code EOWNERDEAD}. Ignite's own {@code IgniteLock} is not used: with {@code failoverSafe} it
 * releases a dead owner's lock silently, so the next holder cannot be told; without it the lock breaks for
 * every user.
 *
 * <p>Cost: an uncontended acquire and a release are one atomic round trip each to the word's primary
 * member. Waiters poll with back-off (100 µs to 5 ms), so a contended hand-over takes up to a few
 * milliseconds more than on one host; the lock is not fair. Actions before a release happen-before
 * actions after the next acquire for data kept in the cluster (Ignite's atomics are linearizable).
 */
public final class ClusterLock extends ClusterLockBase implements Lock
{
    private static final long serialVersionUID = 1L;

    ClusterLock(final ClusterBackend backend, final String name, final ClusterHandle.Kind kind, final IgniteAtomicLong word,
        final IgniteAtomicLong recoveries)
    {
        super(backend, name, kind, word, recoveries);
    }

    @Override
    boolean acquireOrWait(final long deadlineNanos, final boolean interruptible) throws InterruptedException
    {
        return take(deadlineNanos, interruptible);
    }

    @Override
    public Lock withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        idle = supplier;
        return this;
    }

    @Override
    public void release()
    {
        final long owner = word.get();
        if (owner == 0 || !word.compareAndSet(owner, 0))
        {
            throw new IllegalStateException("release of an unlocked lock: " + this);
        }
    }

    @Override
    public void unlock()
    {
        if (!word.compareAndSet(word.me(), 0))
        {
            throw new IllegalMonitorStateException("unlock by a thread that does not hold " + this);
        }
    }

    @Override
    public boolean isHeldByCurrentThread()
    {
        return word.get() == word.me();
    }
}

package io.mp4j.cluster;

import io.mp4j.shm.Event;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteAtomicLong;

import java.io.ObjectStreamException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An {@link Event} held by the cluster: one Ignite atomic long, 0 (clear) or 1 (set). {@link #set()} and
 * {@link #clear()} are one round trip; a waiter polls with back-off (100 µs to 5 ms), so it wakes up to a
 * few milliseconds after the set. A waiter that sees the flag set at any poll returns true, as on one host
 * (a set followed at once by a clear may be missed by a waiter between two polls).
 */
public final class ClusterEvent implements Event
{
    private static final long serialVersionUID = 1L;

    private final String name;
    private final transient IgniteAtomicLong flag;
    private transient Supplier<IdleStrategy> idle = OwnerWord::idle;

    ClusterEvent(final String name, final IgniteAtomicLong flag)
    {
        this.name = name;
        this.flag = flag;
    }

    @Override
    public Event withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        idle = supplier;
        return this;
    }

    @Override
    public boolean isSet()
    {
        return flag.get() != 0;
    }

    @Override
    public void set()
    {
        flag.getAndSet(1);
    }

    @Override
    public void clear()
    {
        flag.getAndSet(0);
    }

    @Override
    public void await() throws InterruptedException
    {
        awaitUntil(Long.MAX_VALUE);
    }

    @Override
    public boolean await(final Duration timeout) throws InterruptedException
    {
        return awaitUntil(ClusterLockBase.deadline(timeout));
    }

    @Override
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return awaitUntil(ClusterLockBase.deadline(timeout, unit));
    }

    private boolean awaitUntil(final long deadlineNanos) throws InterruptedException
    {
        return ClusterLockBase.pollUntil(() -> flag.get() != 0, deadlineNanos, idle, this);
    }

    @Override
    public void close()
    {
        // the event belongs to the cluster
    }

    private Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(ClusterHandle.Kind.EVENT, name, null, 0);
    }

    @Override
    public String toString()
    {
        return "cluster event '" + name + "'";
    }
}

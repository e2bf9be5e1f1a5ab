package io.mp4j.cluster;

import io.mp4j.shm.RLock;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteAtomicLong;

import java.util.function.Supplier;

/**
 * A reentrant {@link RLock} shared by every thread of every JVM in the cluster: {@link ClusterLock}'s owner
 * word and dead-owner takeover, plus a hold count kept by the holding JVM (only the holder ever touches it,
 * so re-entry costs no round trip). Release and unlock must come from the holding thread.
 */
public final class ClusterRLock extends ClusterLockBase implements RLock
{
    private static final long serialVersionUID = 1L;

    /** The thread of this JVM that holds the lock, and how many times; only that thread writes them. */
    private transient volatile Thread holder;
    private transient int holds;

    ClusterRLock(final ClusterBackend backend, final String name, final ClusterHandle.Kind kind, final IgniteAtomicLong word,
        final IgniteAtomicLong recoveries)
    {
        super(backend, name, kind, word, recoveries);
    }

    @Override
    boolean acquireOrWait(final long deadlineNanos, final boolean interruptible) throws InterruptedException
    {
        if (holder == Thread.currentThread())
        {
            holds++;
            return true;
        }
        if (!take(deadlineNanos, interruptible))
        {
            return false;
        }
        holds = 1;
        holder = Thread.currentThread();
        return true;
    }

    @Override
    public RLock withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        idle = supplier;
        return this;
    }

    @Override
    public void release()
    {
        if (holder != Thread.currentThread())
        {
            throw new IllegalStateException("cannot release un-acquired lock: " + this + " is not held by this thread");
        }
        exit();
    }

    @Override
    public void unlock()
    {
        if (holder != Thread.currentThread())
        {
            throw new IllegalMonitorStateException("unlock by a thread that does not hold " + this);
        }
        exit();
    }

    private void exit()
    {
        if (--holds == 0)
        {
            holder = null;
            if (!word.compareAndSet(word.me(), 0))
            {
                throw new IllegalStateException(this + " was taken over while held: this node was dropped from the cluster");
            }
        }
    }

    @Override
    public boolean isHeldByCurrentThread()
    {
        return holder == Thread.currentThread();
    }

    @Override
    public int getHoldCount()
    {
        return holder == Thread.currentThread() ? holds : 0;
    }
}

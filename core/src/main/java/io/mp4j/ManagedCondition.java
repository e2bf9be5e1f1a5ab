package io.mp4j;

import io.mp4j.shm.Condition;
import io.mp4j.shm.SharedLock;
import org.agrona.concurrent.IdleStrategy;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client side of {@link Manager#condition()}: Python's {@code manager.Condition(lock)} through the
 * {@link Condition} interface. The lock is a manager {@link io.mp4j.shm.Lock} or {@link io.mp4j.shm.RLock}
 * (its own RLock by default), which {@link #getLock()} returns. {@code await} and {@code signal} are each
 * one call to the condition in the manager's server, which releases and re-acquires the lock there;
 * {@link #waitFor} evaluates its predicate here, with the lock held, between waits. Waiters whose process
 * died stay queued in the server (their server threads are still waiting) and may take a signal: a waiter
 * that must not miss one waits with a timeout and checks its predicate, as with any condition.
 * Serializable: passed to a {@link Process} or a pool task it travels as its proxy does and works in the
 * child.
 */
final class ManagedCondition extends ManagerAdapter<ManagerHosted.ConditionWire> implements Condition
{
    private static final long serialVersionUID = 1L;

    private final ManagedSharedLock lock;

    ManagedCondition(final ManagerHosted.ConditionWire remote, final ManagedSharedLock lock)
    {
        super(remote);
        this.lock = lock;
    }

    /**
     * Ignored: a manager condition is waited for in the server.
     *
     * @param supplier ignored.
     * @return this.
     */
    @Override
    public Condition withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        return this;
    }

    @Override
    public SharedLock getLock()
    {
        return lock;
    }

    private boolean awaitNanos(final long nanos) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return remote.await(ManagedSharedLock.PID, nanos);
    }

    @Override
    public void await() throws InterruptedException
    {
        awaitNanos(-1);
    }

    @Override
    public boolean await(final Duration timeout) throws InterruptedException
    {
        return awaitNanos(ManagerHosted.nanos(timeout));
    }

    @Override
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return awaitNanos(ManagerHosted.nanos(timeout, unit));
    }

    @Override
    public void signal()
    {
        remote.signal(1);
    }

    @Override
    public int signal(final int n)
    {
        return remote.signal(n);
    }

    @Override
    public int signalAll()
    {
        return remote.signal(Integer.MAX_VALUE);
    }

    @Override
    public int waiters()
    {
        return remote.waiters();
    }

}

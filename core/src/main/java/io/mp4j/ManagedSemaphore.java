package io.mp4j;

import io.mp4j.shm.Semaphore;
import org.agrona.concurrent.IdleStrategy;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client side of {@link Manager#semaphore(long)}: Python's {@code manager.Semaphore(value)} through
 * the {@link Semaphore} interface; each method is one call to the semaphore in the manager's server.
 * Permits have no owner, so the permits of a process that died holding some are not recovered
 * ({@link #recoversDeadHolders()} is false). Serializable: passed to a {@link Process} or a pool task it
 * travels as its proxy does and works in the child.
 */
class ManagedSemaphore extends ManagerAdapter<ManagerHosted.SemaphoreWire> implements Semaphore
{
    private static final long serialVersionUID = 1L;


    ManagedSemaphore(final ManagerHosted.SemaphoreWire remote)
    {
        super(remote);
    }

    /**
     * Ignored: a manager semaphore is waited for in the server.
     *
     * @param supplier ignored.
     * @return this.
     */
    @Override
    public Semaphore withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        return this;
    }

    private boolean acquireNanos(final long nanos) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return remote.acquire(nanos);
    }

    @Override
    public void acquire() throws InterruptedException
    {
        acquireNanos(-1);
    }

    @Override
    public boolean acquire(final boolean block) throws InterruptedException
    {
        return acquireNanos(block ? -1 : 0);
    }

    @Override
    public boolean acquire(final Duration timeout) throws InterruptedException
    {
        return acquireNanos(ManagerHosted.nanos(timeout));
    }

    @Override
    public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return acquireNanos(ManagerHosted.nanos(timeout, unit));
    }

    @Override
    public boolean tryAcquire()
    {
        try
        {
            return remote.acquire(0);
        }
        catch (final InterruptedException ex)
        {
            // one attempt never waits, so the server has nothing to be interrupted in; keep the status
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void release()
    {
        remote.release(1);
    }

    @Override
    public void release(final long n)
    {
        remote.release(n);
    }

    @Override
    public long getValue()
    {
        return remote.getValue();
    }

    @Override
    public long bound()
    {
        return remote.bound();
    }

    /**
     * @return false: a manager semaphore does not track holders.
     */
    @Override
    public boolean recoversDeadHolders()
    {
        return false;
    }

    /**
     * @return 0.
     */
    @Override
    public long reclaimedPermits()
    {
        return 0;
    }

    /**
     * @return 0: a manager semaphore does not track holders.
     */
    @Override
    public long reclaimDeadHolders()
    {
        return 0;
    }

}

package io.mp4j;

import io.mp4j.shm.Barrier;
import org.agrona.concurrent.IdleStrategy;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The client side of {@link Manager#barrier(int)}: Python's {@code manager.Barrier(parties, action,
 * timeout)} through the {@link Barrier} interface; {@code await} is one call to the barrier in the
 * manager's server, arrival indexes count from 0 (first) to {@code parties - 1} (last), as for a
 * memory-mapped barrier.
 *
 * <p>The action is given at creation ({@link Manager#barrier(int, SerializableRunnable, Duration)}) and
 * runs in the server, as Python's manager runs it in the manager process; {@link #withAction} refuses a
 * new one. A party whose process died after arriving still counts as arrived (its server thread is
 * waiting); one that died before arriving makes the others wait until their timeout, so give one.
 * Serializable: passed to a {@link Process} or a pool task it travels as its proxy does and works in the
 * child.
 */
final class ManagedBarrier extends ManagerAdapter<ManagerHosted.BarrierWire> implements Barrier
{
    private static final long serialVersionUID = 1L;

    private final int parties;
    private final long timeoutNanos;

    ManagedBarrier(final ManagerHosted.BarrierWire remote, final int parties, final long timeoutNanos)
    {
        super(remote);
        this.parties = parties;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Ignored: a manager barrier is waited for in the server.
     *
     * @param supplier ignored.
     * @return this.
     */
    @Override
    public Barrier withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        return this;
    }

    /**
     * Not supported: a manager barrier's action is given at creation and runs in the server.
     *
     * @param action must be null.
     * @return this, for null.
     * @throws UnsupportedOperationException for any action.
     */
    @Override
    public Barrier withAction(final Runnable action)
    {
        if (action != null)
        {
            throw new UnsupportedOperationException("a manager Barrier's action is given at creation, " +
                "Manager.barrier(parties, action, timeout), and runs in the server");
        }
        return this;
    }

    private int awaitNanos(final long nanos) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return remote.await(nanos);
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return awaitNanos(ManagerHosted.DEFAULT_TIMEOUT);
    }

    @Override
    public int await(final Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return awaitNanos(ManagerHosted.nanos(timeout));
    }

    @Override
    public int await(final long timeout, final TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return awaitNanos(ManagerHosted.nanos(timeout, unit));
    }

    @Override
    public void abort()
    {
        remote.abort();
    }

    @Override
    public void reset()
    {
        remote.reset();
    }

    @Override
    public int parties()
    {
        return parties;
    }

    @Override
    public int nWaiting()
    {
        return remote.nWaiting();
    }

    @Override
    public boolean isBroken()
    {
        return remote.isBroken();
    }

    @Override
    public Duration timeout()
    {
        return timeoutNanos < 0 ? null : Duration.ofNanos(timeoutNanos);
    }

}

package io.mp4j;

import io.mp4j.shm.Event;
import org.agrona.concurrent.IdleStrategy;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client side of {@link Manager#event()}: Python's {@code manager.Event()} through the {@link Event}
 * interface; each method is one call to the event in the manager's server. Serializable: passed to a
 * {@link Process} or a pool task it travels as its proxy does and works in the child.
 */
final class ManagedEvent extends ManagerAdapter<ManagerHosted.EventWire> implements Event
{
    private static final long serialVersionUID = 1L;


    ManagedEvent(final ManagerHosted.EventWire remote)
    {
        super(remote);
    }

    /**
     * Ignored: a manager event is waited for in the server.
     *
     * @param supplier ignored.
     * @return this.
     */
    @Override
    public Event withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        return this;
    }

    @Override
    public boolean isSet()
    {
        return remote.isSet();
    }

    @Override
    public void set()
    {
        remote.set();
    }

    @Override
    public void clear()
    {
        remote.clear();
    }

    private boolean awaitNanos(final long nanos) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return remote.await(nanos);
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

}

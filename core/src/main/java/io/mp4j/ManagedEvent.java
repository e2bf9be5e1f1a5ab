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
final class ManagedEvent implements Event, ManagerAdapter, Serializable
{
    private static final long serialVersionUID = 1L;

    private final ManagerHosted.EventWire remote;

    ManagedEvent(final ManagerHosted.EventWire remote)
    {
        this.remote = remote;
    }

    @Override
    public Object remote()
    {
        return remote;
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

    /**
     * Nothing to release: the event lives in the manager until {@link Manager#release} or shutdown.
     */
    @Override
    public void close()
    {
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof ManagedEvent && remote.equals(((ManagedEvent)o).remote);
    }

    @Override
    public int hashCode()
    {
        return remote.hashCode();
    }

    @Override
    public String toString()
    {
        return remote.toString();
    }
}

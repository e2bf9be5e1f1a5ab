package io.mp4j;

import java.io.Serializable;
import java.util.Objects;

/**
 * A client-side object of a {@link Manager} that implements a public interface over a proxy of an internal
 * one: {@link Manager#bind} and {@link Manager#release} reach the server object through it. Two adapters are
 * equal when they are of the same class over the same server object. Serializable: passed to a
 * {@link Process} or a pool task, an adapter travels as its proxy does and works in the child.
 *
 * @param <W> the internal interface of the server object.
 */
abstract class ManagerAdapter<W> implements Serializable
{
    private static final long serialVersionUID = 1L;

    final W remote;

    ManagerAdapter(final W remote)
    {
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    /**
     * @return the manager proxy this object calls.
     */
    final W remote()
    {
        return remote;
    }

    /**
     * Nothing to release: the object lives in the manager until {@link Manager#release} or shutdown.
     */
    public void close()
    {
    }

    @Override
    public final boolean equals(final Object o)
    {
        return o != null && o.getClass() == getClass() && remote.equals(((ManagerAdapter<?>)o).remote);
    }

    @Override
    public final int hashCode()
    {
        return remote.hashCode();
    }

    @Override
    public String toString()
    {
        return remote.toString();
    }
}

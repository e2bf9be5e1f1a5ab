package io.mp4j;

import io.mp4j.shm.RLock;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * The client side of {@link Manager#rlock()}: Python's {@code manager.RLock()} through the {@link RLock}
 * interface, reentrant and owned by the calling thread of the calling process. Serializable: passed to a
 * {@link Process} or a pool task it travels as its proxy does and works in the child. See
 * {@link ManagedSharedLock} for ownership and dead holders.
 */
final class ManagedRLock extends ManagedSharedLock implements RLock
{
    private static final long serialVersionUID = 1L;

    ManagedRLock(final ManagerHosted.LockWire remote)
    {
        super(remote);
    }

    /**
     * Ignored: a manager lock is waited for in the server.
     *
     * @param supplier ignored.
     * @return this.
     */
    @Override
    public RLock withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        return this;
    }

    @Override
    public int getHoldCount()
    {
        return remote.getHoldCount();
    }
}

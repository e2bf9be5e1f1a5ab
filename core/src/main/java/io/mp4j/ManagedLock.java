package io.mp4j;

import io.mp4j.shm.Lock;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * The client side of {@link Manager#lock()}: Python's {@code manager.Lock()} through the {@link Lock}
 * interface. Not reentrant; {@link #release()} may be called by any thread of any process (an
 * {@link IllegalStateException} if the lock is free), {@link #unlock()} only by the holder. Serializable:
 * passed to a {@link Process} or a pool task it travels as its proxy does and works in the child. See
 * {@link ManagedSharedLock} for ownership and dead holders.
 */
final class ManagedLock extends ManagedSharedLock implements Lock
{
    private static final long serialVersionUID = 1L;

    ManagedLock(final ManagerHosted.LockWire remote)
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
    public Lock withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        return this;
    }
}

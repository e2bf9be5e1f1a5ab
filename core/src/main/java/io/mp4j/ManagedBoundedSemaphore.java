package io.mp4j;

import io.mp4j.shm.BoundedSemaphore;

/**
 * The client side of {@link Manager#boundedSemaphore(long)}: Python's {@code manager.BoundedSemaphore(value)}
 * through the {@link BoundedSemaphore} interface. A release above the initial value throws
 * {@link IllegalStateException} and releases nothing. Unlike a memory-mapped bounded semaphore it does not
 * recover the permits of dead holders (see {@link ManagedSemaphore}).
 */
final class ManagedBoundedSemaphore extends ManagedSemaphore implements BoundedSemaphore
{
    private static final long serialVersionUID = 1L;

    ManagedBoundedSemaphore(final ManagerHosted.SemaphoreWire remote)
    {
        super(remote);
    }
}

package io.mp4j.manager;

import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore held by a manager: Python's {@code Semaphore} and {@code BoundedSemaphore}, with
 * the method names of {@link java.util.concurrent.Semaphore}. It has no owner: any process may release.
 */
public interface ManagedSemaphore
{
    /**
     * @throws InterruptedException if the server-side wait was interrupted.
     */
    void acquire() throws InterruptedException;

    /**
     * @return whether a permit was taken.
     */
    boolean tryAcquire();

    /**
     * @param timeout how long to wait at most.
     * @param unit    its unit.
     * @return whether a permit was taken.
     * @throws InterruptedException if the server-side wait was interrupted.
     */
    boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Return a permit.
     *
     * @throws IllegalStateException for a bounded semaphore released above its initial value.
     */
    void release();

    /**
     * @return the permits available now.
     */
    int availablePermits();
}

package io.mp4j.manager;

import java.util.concurrent.TimeUnit;

/**
 * A condition variable with its own reentrant lock, held by a manager: Python's {@code Condition}
 * ({@code acquire}/{@code release}/{@code wait}/{@code notify}/{@code notify_all} are
 * {@link #lock}/{@link #unlock}/{@link #await}/{@link #signal}/{@link #signalAll}). The lock is owned by
 * the calling thread of the calling process.
 */
public interface ManagedCondition
{
    /** Take the lock (reentrant). */
    void lock();

    /**
     * Release the lock.
     *
     * @throws IllegalMonitorStateException if this thread does not hold it.
     */
    void unlock();

    /**
     * Release the lock, wait for a signal, take the lock again.
     *
     * @throws InterruptedException if the server-side wait was interrupted.
     */
    void await() throws InterruptedException;

    /**
     * As {@link #await()}, for at most {@code timeout}.
     *
     * @param timeout how long.
     * @param unit    its unit.
     * @return false if the time elapsed.
     * @throws InterruptedException if the server-side wait was interrupted.
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;

    /** Wake one waiter. The caller must hold the lock. */
    void signal();

    /** Wake all waiters. The caller must hold the lock. */
    void signalAll();
}

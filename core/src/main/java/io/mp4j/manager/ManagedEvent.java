package io.mp4j.manager;

import java.util.concurrent.TimeUnit;

/**
 * A flag held by a manager that processes wait for: Python's {@code Event}.
 */
public interface ManagedEvent
{
    /** Set the flag and wake every waiter. */
    void set();

    /** Clear the flag. */
    void clear();

    /**
     * @return whether the flag is set.
     */
    boolean isSet();

    /**
     * Wait until the flag is set.
     *
     * @throws InterruptedException if the server-side wait was interrupted.
     */
    void await() throws InterruptedException;

    /**
     * Wait at most {@code timeout} until the flag is set.
     *
     * @param timeout how long.
     * @param unit    its unit.
     * @return whether the flag is set (false on timeout), as Python's {@code wait(timeout)}.
     * @throws InterruptedException if the server-side wait was interrupted.
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;
}

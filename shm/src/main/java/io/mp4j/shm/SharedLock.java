package io.mp4j.shm;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What {@link Lock} and {@link RLock} have in common: Python's {@code acquire}/{@code release}, the
 * {@link java.util.concurrent.locks.Lock} contract, critical sections as try-with-resources or lambdas,
 * and the report of a recovered dead owner.
 *
 * <pre>{@code
 * try (SharedLock.Held held = lock.locked())
 * {
 *     if (lock.previousOwnerDied())
 *     {
 *         repairSharedState();   // the previous holder was killed inside its critical section
 *     }
 *     counter.setLong(counter.getLong() + 1);
 * }
 * lock.run(() -> counter.setLong(counter.getLong() + 1));
 * }</pre>
 */
public interface SharedLock extends java.util.concurrent.locks.Lock, AutoCloseable, Serializable
{
    /**
     * Release this holder's handle. The creator and every handle deserialized in this JVM share one
     * object, counted per holder (see {@link SharedObjects#attach}): the view is unmapped when the last
     * holder closes it, and using the object after that throws {@link IllegalStateException}. The shared
     * object and its state stay for the other processes. A holder closes once: closing again gives back
     * another holder's count; once unmapped, further calls do nothing.
     */
    @Override
    void close();

    /**
     * Acquire, blocking until available (not interruptible, like {@link #lock()}: an interrupt while it
     * waits leaves the interrupt status set when it returns).
     *
     * @return true.
     */
    boolean acquire();

    /**
     * Python's {@code acquire(block)}.
     *
     * @param block whether to wait.
     * @return whether the lock was acquired.
     */
    boolean acquire(boolean block);

    /**
     * Python's {@code acquire(timeout=...)}: wait at most {@code timeout} (null: forever; zero or
     * negative: one attempt). Not interruptible: an interrupt while it waits leaves the interrupt status
     * set when it returns.
     *
     * @param timeout how long to wait.
     * @return whether the lock was acquired.
     */
    boolean acquire(Duration timeout);

    /**
     * As {@link #acquire(Duration)}.
     *
     * @param timeout how long to wait.
     * @param unit    its unit.
     * @return whether the lock was acquired.
     */
    boolean acquire(long timeout, TimeUnit unit);

    /**
     * Python's {@code release()}.
     */
    void release();

    /**
     * Acquire and return a guard whose {@link Held#close()} releases, for try-with-resources. The guard
     * is one object per lock, so this allocates nothing.
     *
     * @return the guard.
     */
    Held locked();

    /**
     * @return whether the calling thread holds the lock.
     */
    boolean isHeldByCurrentThread();

    /**
     * @return whether any thread of any process holds the lock.
     */
    boolean isLocked();

    /**
     * Whether the current holding was taken over from a holder that died while holding the lock
     * (POSIX's {@code EOWNERDEAD}): the state it protects may be half-updated. Meaningful while the caller
     * holds the lock.
     *
     * @return true if the previous owner died holding the lock.
     */
    boolean previousOwnerDied();

    /**
     * @return how many times a dead holder's lock has been recovered, over the region's life.
     */
    long recoveries();

    /**
     * Not supported: use {@link Condition}, which works across processes.
     *
     * @throws UnsupportedOperationException always.
     */
    java.util.concurrent.locks.Condition newCondition();

    /**
     * @return the pid of the holder, or 0 if free.
     */
    long ownerPid();

    /**
     * Run an action while holding the lock.
     *
     * @param action the critical section.
     */
    default void run(final Runnable action)
    {
        lock();
        try
        {
            action.run();
        }
        finally
        {
            unlock();
        }
    }

    /**
     * Compute a value while holding the lock.
     *
     * @param action the critical section.
     * @param <T>    what it returns.
     * @return its result.
     */
    default <T> T call(final Supplier<T> action)
    {
        lock();
        try
        {
            return action.get();
        }
        finally
        {
            unlock();
        }
    }

    /**
     * A held lock, released by {@link #close()}.
     */
    @FunctionalInterface
    interface Held extends AutoCloseable
    {
        /**
         * Release the lock.
         */
        @Override
        void close();
    }
}

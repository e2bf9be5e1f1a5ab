package io.mp4j.manager;

/**
 * A single value held by a manager: Python's {@code manager.Value(typecode, value)}. Each call is atomic;
 * a compound update (read, compute, write) needs {@link #compareAndSet} in a loop or a manager lock.
 *
 * @param <T> the value type.
 */
public interface ManagedValue<T>
{
    /**
     * @return the value.
     */
    T get();

    /**
     * @param value the new value.
     */
    void set(T value);

    /**
     * @param value the new value.
     * @return the previous value.
     */
    T getAndSet(T value);

    /**
     * Set to {@code update} if the value equals {@code expected} ({@link Object#equals}).
     *
     * @param expected the value expected.
     * @param update   the new value.
     * @return whether it was set.
     */
    boolean compareAndSet(T expected, T update);
}

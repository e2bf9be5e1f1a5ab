package io.mp4j.shm;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * One number or boolean in shared memory: Python's {@code multiprocessing.Value} (with a lock) and
 * {@code RawValue} (without), plus the lock-free atomic operations Java users expect.
 *
 * <p>Element types: {@code int} ({@code 'i'}), {@code long} ({@code 'l'}), {@code double}
 * ({@code 'd'}), {@code boolean} ({@code '?'}); see {@link ElementType}. Accessors are typed; an
 * accessor for another type throws {@link IllegalStateException} naming the right one, except that
 * {@link #getLong()} and {@link #getDouble()} widen smaller numeric types. {@link #value()} and
 * {@link #value(Object)} are the dynamic, Python-like view.
 *
 * <p>Locking: by default a value is created with its own {@link RLock} (as in Python), in a file next to
 * it named {@code <name>.lock}; {@link #getLock()} returns it, and the value's region records its path
 * so that every process that attaches the value gets the same lock. A lock can also be given (to guard
 * several values with one lock), or none ({@link #createRaw}). The lock guards compound actions such as
 * Python's {@code with v.get_lock(): v.value += 1}; the atomic operations ({@link #incrementAndGet()},
 * {@link #addAndGet(long)}, {@link #compareAndSet(long, long)}, ...) need no lock and are atomic with
 * respect to each other, not to read-then-write sequences done under the lock.
 *
 * <p>Memory consistency effects: {@code get}/{@code set} are volatile reads and writes; the atomic
 * operations have the effects of {@link java.util.concurrent.atomic.AtomicLong}'s, across processes.
 *
 * <p>Example, the tutorial's counter shared by four child JVMs:
 * <pre>{@code
 * Value counter = Value.create("i", 0);          // like Value('i', 0)
 * // in each child, given counter:
 * for (int i = 0; i < 10_000; i++)
 * {
 *     counter.getLock().run(() -> counter.setInt(counter.getInt() + 1));   // Python style
 *     // or, lock-free: counter.incrementAndGet();
 * }
 * }</pre>
 */
public interface Value extends AutoCloseable, Serializable
{
    /**
     * Python's {@code Value(typecode, initial)} in a runtime directory, with a new {@link RLock} named
     * {@code name + ".lock"}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param typecode  see {@link ElementType#fromTypecode(String)}.
     * @param initial   a {@link Number} or {@link Boolean}.
     * @return the value.
     */
    static Value create(RuntimeDirectory directory, String name, String typecode, Object initial)
    {
        return MappedValue.create(directory, name, typecode, initial);
    }

    /**
     * As {@link #create(RuntimeDirectory, String, String, Object)} with an element type.
     *
     * @param directory where.
     * @param name      its file name.
     * @param type      int, long, double or boolean.
     * @param initial   a {@link Number} or {@link Boolean}.
     * @return the value.
     */
    static Value create(RuntimeDirectory directory, String name, ElementType type, Object initial)
    {
        return MappedValue.create(directory, name, type, initial);
    }

    /**
     * A value guarded by a given lock (Python's {@code Value(typecode, initial, lock=lock)}).
     *
     * @param directory where.
     * @param name      its file name.
     * @param type      int, long, double or boolean.
     * @param initial   a {@link Number} or {@link Boolean}.
     * @param lock      a {@link Lock} or {@link RLock}, or null for none.
     * @return the value.
     */
    static Value create(
        RuntimeDirectory directory, String name, ElementType type, Object initial, SharedLock lock)
    {
        return MappedValue.create(directory, name, type, initial, lock);
    }

    /**
     * Python's {@code RawValue(typecode, initial)}: no lock.
     *
     * @param directory where.
     * @param name      its file name.
     * @param type      int, long, double or boolean.
     * @param initial   a {@link Number} or {@link Boolean}.
     * @return the value.
     */
    static Value createRaw(RuntimeDirectory directory, String name, ElementType type, Object initial)
    {
        return MappedValue.createRaw(directory, name, type, initial);
    }

    /**
     * Python's {@code Value('i', 0)}: in this JVM's default runtime directory, with its own RLock.
     *
     * @param typecode see {@link ElementType#fromTypecode(String)}.
     * @param initial  a {@link Number} or {@link Boolean}.
     * @return the value.
     */
    static Value create(String typecode, Object initial)
    {
        return MappedValue.create(typecode, initial);
    }

    /**
     * Attach to an existing Value by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the value.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    static Value attach(RuntimeDirectory directory, String name)
    {
        return MappedValue.attach(directory, name);
    }

    /**
     * Attach to an existing value, and to its lock.
     *
     * @param file its region file.
     * @return the value.
     * @throws InvalidRegionException if the file is not a valid value region, or its lock cannot be attached.
     */
    static Value attach(Path file)
    {
        return MappedValue.attach(file);
    }

    /**
     * @return the element type.
     */
    ElementType type();

    /**
     * Python's {@code get_lock()}.
     *
     * @return the lock guarding this value.
     * @throws UnsupportedOperationException for a raw value.
     */
    SharedLock getLock();

    /**
     * @return whether this value has a lock.
     */
    boolean hasLock();

    /**
     * @return the int value.
     * @throws IllegalStateException unless the type is int.
     */
    int getInt();

    /**
     * @param value the new int value.
     * @throws IllegalStateException unless the type is int.
     */
    void setInt(int value);

    /**
     * @return the value of an int or long value, widened to long.
     * @throws IllegalStateException for double and boolean.
     */
    long getLong();

    /**
     * @param value the new value of a long value, or of an int value if it fits in an int.
     * @throws IllegalStateException    for double and boolean.
     * @throws IllegalArgumentException if the value is int and {@code value} does not fit.
     */
    void setLong(long value);

    /**
     * @return the value of a numeric value, widened to double.
     * @throws IllegalStateException for boolean.
     */
    double getDouble();

    /**
     * @param value the new double value.
     * @throws IllegalStateException unless the type is double.
     */
    void setDouble(double value);

    /**
     * @return the boolean value.
     * @throws IllegalStateException unless the type is boolean.
     */
    boolean getBoolean();

    /**
     * @param value the new boolean value.
     * @throws IllegalStateException unless the type is boolean.
     */
    void setBoolean(boolean value);

    /**
     * Python's {@code .value}, boxed.
     *
     * @return an Integer, Long, Double or Boolean.
     */
    default Object value()
    {
        switch (type())
        {
            case INT:
                return getInt();
            case LONG:
                return getLong();
            case DOUBLE:
                return getDouble();
            default:
                return getBoolean();
        }
    }

    /**
     * Python's {@code .value = x}.
     *
     * @param value a Number (for a boolean value: 0 or not) or a Boolean.
     * @throws IllegalArgumentException if it does not fit the type.
     */
    default void value(final Object value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("a Value cannot hold null");
        }
        final ElementType type = type();
        switch (type)
        {
            case INT:
            case LONG:
                if (value instanceof Double || value instanceof Float || !(value instanceof Number))
                {
                    throw new IllegalArgumentException(type.name().toLowerCase(java.util.Locale.ROOT) + " value cannot hold " + value);
                }
                setLong(((Number)value).longValue());
                break;
            case DOUBLE:
                if (!(value instanceof Number))
                {
                    throw new IllegalArgumentException("double value cannot hold " + value);
                }
                setDouble(((Number)value).doubleValue());
                break;
            default:
                if (value instanceof Boolean)
                {
                    setBoolean((Boolean)value);
                }
                else if (value instanceof Number)
                {
                    setBoolean(((Number)value).longValue() != 0);
                }
                else
                {
                    throw new IllegalArgumentException("boolean value cannot hold " + value);
                }
        }
    }

    /**
     * @return the value of an int or long value (same as {@link #getLong()}).
     */
    default long get()
    {
        return getLong();
    }

    /**
     * @param value the new value (same as {@link #setLong(long)}).
     */
    default void set(final long value)
    {
        setLong(value);
    }

    /**
     * Atomically add to an int or long value. An int value wraps around as Java's int does, and the value
     * returned is the int stored.
     *
     * @param delta what to add; for an int value, it must fit an int.
     * @return the new value.
     * @throws IllegalArgumentException if the value is an int and {@code delta} does not fit an int.
     */
    long addAndGet(long delta);

    /**
     * Atomically add to an int or long value (an int wraps around as Java's int does).
     *
     * @param delta what to add; for an int value, it must fit an int.
     * @return the previous value.
     * @throws IllegalArgumentException if the value is an int and {@code delta} does not fit an int.
     */
    long getAndAdd(long delta);

    /**
     * @return the new value, after an atomic increment.
     */
    long incrementAndGet();

    /**
     * @return the new value, after an atomic decrement.
     */
    long decrementAndGet();

    /**
     * @return the previous value, before an atomic increment.
     */
    long getAndIncrement();

    /**
     * Atomically set an int or long value.
     *
     * @param value the new value.
     * @return the previous value.
     */
    long getAndSet(long value);

    /**
     * Atomically set an int or long value if it equals {@code expected}.
     *
     * @param expected the value it must have.
     * @param update   the new value.
     * @return whether it was set.
     */
    boolean compareAndSet(long expected, long update);

    /**
     * Atomically add to a double value (a CAS loop).
     *
     * @param delta what to add.
     * @return the new value.
     */
    double addAndGet(double delta);

    /**
     * Atomically set a double value if it is bit for bit equal to {@code expected}.
     *
     * @param expected the value it must have.
     * @param update   the new value.
     * @return whether it was set.
     */
    boolean compareAndSet(double expected, double update);

    /**
     * Atomically set a boolean value if it equals {@code expected}.
     *
     * @param expected the value it must have.
     * @param update   the new value.
     * @return whether it was set.
     */
    boolean compareAndSet(boolean expected, boolean update);

    /**
     * Release this holder's handle and, with the last, the object's hold on its lock (the lock stays for its other holders: it may guard other objects). The creator and every handle deserialized in this JVM share one
     * object, counted per holder (see {@link SharedObjects#attach}): the view is unmapped when the last
     * holder closes it, and using the object after that throws {@link IllegalStateException}. The shared
     * object and its state stay for the other processes. A holder closes once: closing again gives back
     * another holder's count; once unmapped, further calls do nothing.
     */
    void close();
}

package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
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
 * <p>Layout (payload of a {@link RegionType#VALUE} region; the header variant is the {@link ElementType}
 * code), 512 bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Value: int / boolean (0 or 1) in 4 bytes, long / double in 8 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to end of cache line              ...
 *  +---------------------------------------------------------------+ 64
 *  |        Lock kind: 0 none (raw), 1 Lock, 2 RLock               |
 *  +---------------------------------------------------------------+
 *  |                  Lock path length in bytes                    |
 *  +---------------------------------------------------------------+
 *  |    Absolute path of the lock region, UTF-8 (up to 440 bytes) ...
 * ...                                                              |
 *  +---------------------------------------------------------------+ 512
 * </pre>
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
public final class Value implements SharedObject
{
    /** Payload length of a value region. */
    public static final int PAYLOAD_LENGTH = 512;
    /** Offset of the value. */
    public static final int VALUE_OFFSET = 0;
    /** Offset of the lock reference. */
    public static final int LOCK_REFERENCE_OFFSET = 64;
    /** Suffix of the file name of a value's own lock. */
    public static final String LOCK_SUFFIX = ".lock";

    private final MappedRegion region;
    private final AtomicBuffer buffer;
    private final ElementType type;
    private final SharedLock lock;

    private Value(final MappedRegion region, final ElementType type, final SharedLock lock)
    {
        this.region = region;
        this.buffer = region.buffer();
        this.type = type;
        this.lock = lock;
    }

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
    public static Value create(final RuntimeDirectory directory, final String name, final String typecode, final Object initial)
    {
        return create(directory, name, ElementType.fromTypecode(typecode), initial);
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
    public static Value create(final RuntimeDirectory directory, final String name, final ElementType type, final Object initial)
    {
        checkType(type);
        final RLock lock = RLock.create(directory, name + LOCK_SUFFIX);
        return create(directory.resolve(name), type, initial, lock);
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
    public static Value create(
        final RuntimeDirectory directory, final String name, final ElementType type, final Object initial, final SharedLock lock)
    {
        checkType(type);
        return create(directory.resolve(name), type, initial, lock);
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
    public static Value createRaw(final RuntimeDirectory directory, final String name, final ElementType type, final Object initial)
    {
        checkType(type);
        return create(directory.resolve(name), type, initial, null);
    }

    /**
     * Python's {@code Value('i', 0)}: in this JVM's default runtime directory, with its own RLock.
     *
     * @param typecode see {@link ElementType#fromTypecode(String)}.
     * @param initial  a {@link Number} or {@link Boolean}.
     * @return the value.
     */
    public static Value create(final String typecode, final Object initial)
    {
        return create(RuntimeDirectory.global(), Names.unique("value"), typecode, initial);
    }

    private static Value create(final Path file, final ElementType type, final Object initial, final SharedLock lock)
    {
        final MappedRegion region = MappedRegion.create(file, RegionType.VALUE, type.code(), PAYLOAD_LENGTH);
        try
        {
            LockReference.write(region.buffer(), LOCK_REFERENCE_OFFSET, lock);
            final Value value = new Value(region, type, lock);
            value.value(initial);
            region.publish();
            return SharedObjects.register(value);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            MappedRegion.deleteQuietly(file);
            throw ex;
        }
    }

    private static void checkType(final ElementType type)
    {
        if (type == ElementType.BYTE)
        {
            throw new IllegalArgumentException("a Value holds int, long, double or boolean, not " + type);
        }
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
    public static Value attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    /**
     * Attach to an existing value, and to its lock.
     *
     * @param file its region file.
     * @return the value.
     * @throws InvalidRegionException if the file is not a valid value region, or its lock cannot be attached.
     */
    public static Value attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.VALUE);
        try
        {
            final ElementType type = ElementType.fromCode(region.variant());
            if (type == null || type == ElementType.BYTE)
            {
                throw new InvalidRegionException(file, "unknown value element type code " + region.variant());
            }
            if (region.payloadLength() < PAYLOAD_LENGTH)
            {
                throw new InvalidRegionException(file, "value payload is " + region.payloadLength() +
                    " bytes, expected " + PAYLOAD_LENGTH);
            }
            return new Value(region, type, LockReference.read(region.buffer(), LOCK_REFERENCE_OFFSET, file));
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    /**
     * @return the element type.
     */
    public ElementType type()
    {
        return type;
    }

    /**
     * Python's {@code get_lock()}.
     *
     * @return the lock guarding this value.
     * @throws UnsupportedOperationException for a raw value.
     */
    public SharedLock getLock()
    {
        if (lock == null)
        {
            throw new UnsupportedOperationException("a raw value has no lock: " + region.path());
        }
        return lock;
    }

    /**
     * @return whether this value has a lock.
     */
    public boolean hasLock()
    {
        return lock != null;
    }

    private IllegalStateException wrongType(final String wanted)
    {
        return new IllegalStateException("value is " + type.name().toLowerCase() + ", not " + wanted + ": " + region.path());
    }

    /**
     * @return the int value.
     * @throws IllegalStateException unless the type is int.
     */
    public int getInt()
    {
        if (type != ElementType.INT)
        {
            throw wrongType("int");
        }
        return buffer.getIntVolatile(VALUE_OFFSET);
    }

    /**
     * @param value the new int value.
     * @throws IllegalStateException unless the type is int.
     */
    public void setInt(final int value)
    {
        if (type != ElementType.INT)
        {
            throw wrongType("int");
        }
        buffer.putIntVolatile(VALUE_OFFSET, value);
    }

    /**
     * @return the value of an int or long value, widened to long.
     * @throws IllegalStateException for double and boolean.
     */
    public long getLong()
    {
        switch (type)
        {
            case INT:
                return buffer.getIntVolatile(VALUE_OFFSET);
            case LONG:
                return buffer.getLongVolatile(VALUE_OFFSET);
            default:
                throw wrongType("int or long");
        }
    }

    /**
     * @param value the new value of a long value, or of an int value if it fits in an int.
     * @throws IllegalStateException    for double and boolean.
     * @throws IllegalArgumentException if the value is int and {@code value} does not fit.
     */
    public void setLong(final long value)
    {
        switch (type)
        {
            case INT:
                buffer.putIntVolatile(VALUE_OFFSET, toInt(value));
                break;
            case LONG:
                buffer.putLongVolatile(VALUE_OFFSET, value);
                break;
            default:
                throw wrongType("int or long");
        }
    }

    /**
     * @return the value of a numeric value, widened to double.
     * @throws IllegalStateException for boolean.
     */
    public double getDouble()
    {
        if (type == ElementType.DOUBLE)
        {
            return Double.longBitsToDouble(buffer.getLongVolatile(VALUE_OFFSET));
        }
        if (type == ElementType.BOOLEAN)
        {
            throw wrongType("numeric");
        }
        return getLong();
    }

    /**
     * @param value the new double value.
     * @throws IllegalStateException unless the type is double.
     */
    public void setDouble(final double value)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        buffer.putLongVolatile(VALUE_OFFSET, Double.doubleToRawLongBits(value));
    }

    /**
     * @return the boolean value.
     * @throws IllegalStateException unless the type is boolean.
     */
    public boolean getBoolean()
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        return buffer.getIntVolatile(VALUE_OFFSET) != 0;
    }

    /**
     * @param value the new boolean value.
     * @throws IllegalStateException unless the type is boolean.
     */
    public void setBoolean(final boolean value)
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        buffer.putIntVolatile(VALUE_OFFSET, value ? 1 : 0);
    }

    /**
     * Python's {@code .value}, boxed.
     *
     * @return an Integer, Long, Double or Boolean.
     */
    public Object value()
    {
        switch (type)
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
    public void value(final Object value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("a Value cannot hold null");
        }
        switch (type)
        {
            case INT:
            case LONG:
                if (value instanceof Double || value instanceof Float || !(value instanceof Number))
                {
                    throw new IllegalArgumentException(type.name().toLowerCase() + " value cannot hold " + value);
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
    public long get()
    {
        return getLong();
    }

    /**
     * @param value the new value (same as {@link #setLong(long)}).
     */
    public void set(final long value)
    {
        setLong(value);
    }

    /**
     * Atomically add to an int or long value (an int wraps around as Java's int does).
     *
     * @param delta what to add.
     * @return the new value.
     */
    public long addAndGet(final long delta)
    {
        return getAndAdd(delta) + delta;
    }

    /**
     * Atomically add to an int or long value.
     *
     * @param delta what to add.
     * @return the previous value.
     */
    public long getAndAdd(final long delta)
    {
        switch (type)
        {
            case INT:
                return buffer.getAndAddInt(VALUE_OFFSET, (int)delta);
            case LONG:
                return buffer.getAndAddLong(VALUE_OFFSET, delta);
            default:
                throw wrongType("int or long");
        }
    }

    /**
     * @return the new value, after an atomic increment.
     */
    public long incrementAndGet()
    {
        return type == ElementType.INT ? (int)(getAndAdd(1) + 1) : getAndAdd(1) + 1;
    }

    /**
     * @return the new value, after an atomic decrement.
     */
    public long decrementAndGet()
    {
        return type == ElementType.INT ? (int)(getAndAdd(-1) - 1) : getAndAdd(-1) - 1;
    }

    /**
     * @return the previous value, before an atomic increment.
     */
    public long getAndIncrement()
    {
        return getAndAdd(1);
    }

    /**
     * Atomically set an int or long value.
     *
     * @param value the new value.
     * @return the previous value.
     */
    public long getAndSet(final long value)
    {
        switch (type)
        {
            case INT:
                return buffer.getAndSetInt(VALUE_OFFSET, toInt(value));
            case LONG:
                return buffer.getAndSetLong(VALUE_OFFSET, value);
            default:
                throw wrongType("int or long");
        }
    }

    /**
     * Atomically set an int or long value if it equals {@code expected}.
     *
     * @param expected the value it must have.
     * @param update   the new value.
     * @return whether it was set.
     */
    public boolean compareAndSet(final long expected, final long update)
    {
        switch (type)
        {
            case INT:
                return expected == (int)expected && buffer.compareAndSetInt(VALUE_OFFSET, (int)expected, toInt(update));
            case LONG:
                return buffer.compareAndSetLong(VALUE_OFFSET, expected, update);
            default:
                throw wrongType("int or long");
        }
    }

    /**
     * Atomically add to a double value (a CAS loop).
     *
     * @param delta what to add.
     * @return the new value.
     */
    public double addAndGet(final double delta)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        while (true)
        {
            final long bits = buffer.getLongVolatile(VALUE_OFFSET);
            final double next = Double.longBitsToDouble(bits) + delta;
            if (buffer.compareAndSetLong(VALUE_OFFSET, bits, Double.doubleToRawLongBits(next)))
            {
                return next;
            }
        }
    }

    /**
     * Atomically set a double value if it is bit for bit equal to {@code expected}.
     *
     * @param expected the value it must have.
     * @param update   the new value.
     * @return whether it was set.
     */
    public boolean compareAndSet(final double expected, final double update)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        return buffer.compareAndSetLong(VALUE_OFFSET, Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(update));
    }

    /**
     * Atomically set a boolean value if it equals {@code expected}.
     *
     * @param expected the value it must have.
     * @param update   the new value.
     * @return whether it was set.
     */
    public boolean compareAndSet(final boolean expected, final boolean update)
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        return buffer.compareAndSetInt(VALUE_OFFSET, expected ? 1 : 0, update ? 1 : 0);
    }

    private int toInt(final long value)
    {
        if (value != (int)value)
        {
            throw new IllegalArgumentException("value=" + value + " does not fit an int value: " + region.path());
        }
        return (int)value;
    }

    @Override
    public Path path()
    {
        return region.path();
    }

    @Override
    public boolean isClosed()
    {
        return region.isClosed();
    }

    /**
     * Unmap the value (its lock stays attached: it may guard other objects).
     */
    @Override
    public void close()
    {
        region.close();
    }

    @Override
    public String toString()
    {
        return "Value{" + type.typecode() + ", " + (region.isClosed() ? "closed" : String.valueOf(value())) + ", " +
            region.path() + '}';
    }

    private Object writeReplace()
    {
        return RegionHandle.of(this);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a Value travels as a RegionHandle");
    }
}

package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Path;

/**
 * The memory-mapped implementation of {@link Value}.
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
 */
final class MappedValue extends MappedObject implements Value
{
    /** Payload length of a value region. */
    public static final int PAYLOAD_LENGTH = 512;

    /** Offset of the value. */
    public static final int VALUE_OFFSET = 0;

    /** Offset of the lock reference. */
    public static final int LOCK_REFERENCE_OFFSET = 64;

    /** Suffix of the file name of a value's own lock. */
    public static final String LOCK_SUFFIX = ".lock";

    private final AtomicBuffer buffer;

    private final ElementType type;

    private final SharedLock lock;

    private MappedValue(final MappedRegion region, final ElementType type, final SharedLock lock)
    {
        super(region);
        this.buffer = region.buffer();
        this.type = type;
        this.lock = lock;
    }

    static MappedValue create(final RuntimeDirectory directory, final String name, final String typecode, final Object initial)
    {
        return create(directory, name, ElementType.fromTypecode(typecode), initial);
    }

    static MappedValue create(final RuntimeDirectory directory, final String name, final ElementType type, final Object initial)
    {
        checkType(type);
        final Path file = directory.resolve(name);
        return withOwnLock(directory, name, lock -> create(file, type, initial, lock));
    }

    /**
     * Create the {@code <name>.lock} RLock of an object, then the object with it; if making the object fails
     * (a value that does not fit, a name already taken, a full file system), remove the lock again, so that
     * the same name can be created once the cause is fixed.
     */
    static <T> T withOwnLock(final RuntimeDirectory directory, final String name, final java.util.function.Function<SharedLock, T> make)
    {
        final MappedRLock lock = MappedRLock.create(directory, name + LOCK_SUFFIX);
        try
        {
            return make.apply(lock);
        }
        catch (final RuntimeException | Error ex)
        {
            lock.close();
            MappedRegion.deleteQuietly(lock.path());
            throw ex;
        }
    }

    static MappedValue create(
        final RuntimeDirectory directory, final String name, final ElementType type, final Object initial, final SharedLock lock)
    {
        checkType(type);
        final Path file = directory.resolve(name);
        return withCallersLock(lock, held -> create(file, type, initial, held));
    }

    /**
     * Make an object with a lock the caller passed: the object takes a hold of its own on the lock (given
     * back by its last close, as the hold on an own or attached lock is), so that the caller may close its
     * lock while the object still uses it. If making the object fails, the hold is given back.
     */
    static <T> T withCallersLock(final SharedLock lock, final java.util.function.Function<SharedLock, T> make)
    {
        if (!(lock instanceof MappedObject))
        {
            return make.apply(lock);   // none (raw), or not an mp4j lock, which make refuses
        }
        final MappedObject held = (MappedObject)lock;
        if (!held.retain())
        {
            throw held.closedException();
        }
        try
        {
            return make.apply(lock);
        }
        catch (final RuntimeException | Error ex)
        {
            held.close();
            throw ex;
        }
    }

    static MappedValue createRaw(final RuntimeDirectory directory, final String name, final ElementType type, final Object initial)
    {
        checkType(type);
        return create(directory.resolve(name), type, initial, null);
    }

    static MappedValue create(final String typecode, final Object initial)
    {
        return create(RuntimeDirectory.global(), Names.unique("value"), typecode, initial);
    }

    private static MappedValue create(final Path file, final ElementType type, final Object initial, final SharedLock lock)
    {
        final MappedRegion region = MappedRegion.create(file, RegionType.VALUE, type.code(), PAYLOAD_LENGTH);
        try
        {
            LockReference.write(region.buffer(), LOCK_REFERENCE_OFFSET, lock);
            final MappedValue value = new MappedValue(region, type, lock);
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

    static MappedValue attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedValue attach(final Path file)
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
            return new MappedValue(region, type, LockReference.read(region.buffer(), LOCK_REFERENCE_OFFSET, file));
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    @Override
    public ElementType type()
    {
        return type;
    }

    @Override
    public SharedLock getLock()
    {
        if (lock == null)
        {
            throw new UnsupportedOperationException("a raw value has no lock: " + region.path());
        }
        return lock;
    }

    @Override
    public boolean hasLock()
    {
        return lock != null;
    }

    private IllegalStateException wrongType(final String wanted)
    {
        return new IllegalStateException("value is " + type.name().toLowerCase() + ", not " + wanted + ": " + region.path());
    }

    @Override
    public int getInt()
    {
        if (type != ElementType.INT)
        {
            throw wrongType("int");
        }
        return buffer().getIntVolatile(VALUE_OFFSET);
    }

    @Override
    public void setInt(final int value)
    {
        if (type != ElementType.INT)
        {
            throw wrongType("int");
        }
        buffer().putIntVolatile(VALUE_OFFSET, value);
    }

    @Override
    public long getLong()
    {
        switch (type)
        {
            case INT:
                return buffer().getIntVolatile(VALUE_OFFSET);
            case LONG:
                return buffer().getLongVolatile(VALUE_OFFSET);
            default:
                throw wrongType("int or long");
        }
    }

    @Override
    public void setLong(final long value)
    {
        switch (type)
        {
            case INT:
                buffer().putIntVolatile(VALUE_OFFSET, toInt(value));
                break;
            case LONG:
                buffer().putLongVolatile(VALUE_OFFSET, value);
                break;
            default:
                throw wrongType("int or long");
        }
    }

    @Override
    public double getDouble()
    {
        if (type == ElementType.DOUBLE)
        {
            return Double.longBitsToDouble(buffer().getLongVolatile(VALUE_OFFSET));
        }
        if (type == ElementType.BOOLEAN)
        {
            throw wrongType("numeric");
        }
        return getLong();
    }

    @Override
    public void setDouble(final double value)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        buffer().putLongVolatile(VALUE_OFFSET, Double.doubleToRawLongBits(value));
    }

    @Override
    public boolean getBoolean()
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        return buffer().getIntVolatile(VALUE_OFFSET) != 0;
    }

    @Override
    public void setBoolean(final boolean value)
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        buffer().putIntVolatile(VALUE_OFFSET, value ? 1 : 0);
    }

    @Override
    public long addAndGet(final long delta)
    {
        // an int value's new value is the int that was stored, wrapped as Java's int wraps
        return type == ElementType.INT ? (int)(getAndAdd(delta) + delta) : getAndAdd(delta) + delta;
    }

    @Override
    public long getAndAdd(final long delta)
    {
        switch (type)
        {
            case INT:
                if (delta != (int)delta)
                {
                    // a delta cut to its low 32 bits would add something else than asked
                    throw new IllegalArgumentException("delta=" + delta + " does not fit an int value: " + region.path());
                }
                return buffer().getAndAddInt(VALUE_OFFSET, (int)delta);
            case LONG:
                return buffer().getAndAddLong(VALUE_OFFSET, delta);
            default:
                throw wrongType("int or long");
        }
    }

    @Override
    public long incrementAndGet()
    {
        return type == ElementType.INT ? (int)(getAndAdd(1) + 1) : getAndAdd(1) + 1;
    }

    @Override
    public long decrementAndGet()
    {
        return type == ElementType.INT ? (int)(getAndAdd(-1) - 1) : getAndAdd(-1) - 1;
    }

    @Override
    public long getAndIncrement()
    {
        return getAndAdd(1);
    }

    @Override
    public long getAndSet(final long value)
    {
        switch (type)
        {
            case INT:
                return buffer().getAndSetInt(VALUE_OFFSET, toInt(value));
            case LONG:
                return buffer().getAndSetLong(VALUE_OFFSET, value);
            default:
                throw wrongType("int or long");
        }
    }

    @Override
    public boolean compareAndSet(final long expected, final long update)
    {
        switch (type)
        {
            case INT:
                return expected == (int)expected && buffer().compareAndSetInt(VALUE_OFFSET, (int)expected, toInt(update));
            case LONG:
                return buffer().compareAndSetLong(VALUE_OFFSET, expected, update);
            default:
                throw wrongType("int or long");
        }
    }

    @Override
    public double addAndGet(final double delta)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        while (true)
        {
            final long bits = buffer().getLongVolatile(VALUE_OFFSET);
            final double next = Double.longBitsToDouble(bits) + delta;
            if (buffer().compareAndSetLong(VALUE_OFFSET, bits, Double.doubleToRawLongBits(next)))
            {
                return next;
            }
        }
    }

    @Override
    public boolean compareAndSet(final double expected, final double update)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        return buffer().compareAndSetLong(VALUE_OFFSET, Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(update));
    }

    @Override
    public boolean compareAndSet(final boolean expected, final boolean update)
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        return buffer().compareAndSetInt(VALUE_OFFSET, expected ? 1 : 0, update ? 1 : 0);
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
    void released()
    {
        if (lock != null)
        {
            ((SharedObject)lock).close();
        }
    }

    @Override
    public String toString()
    {
        return "Value{" + type.typecode() + ", " + (isClosed() ? "closed" : String.valueOf(value())) + ", " +
            region.path() + '}';
    }

    /**
     * @return the payload buffer, after checking that the region is still mapped.
     * @throws IllegalStateException once every holder has closed this object.
     */
    private AtomicBuffer buffer()
    {
        ensureOpen();
        return buffer;
    }

    /**
     * @return what a value region holds now, for {@link RegionInspector}s: {@code "value 42"}.
     */
    static String describe(final int variant, final org.agrona.concurrent.AtomicBuffer payload)
    {
        final ElementType type = ElementType.fromCode(variant);
        if (type == null)
        {
            return null;
        }
        switch (type)
        {
            case INT:
                return "value " + payload.getIntVolatile(VALUE_OFFSET);
            case LONG:
                return "value " + payload.getLongVolatile(VALUE_OFFSET);
            case DOUBLE:
                return "value " + Double.longBitsToDouble(payload.getLongVolatile(VALUE_OFFSET));
            case BOOLEAN:
                return "value " + (payload.getIntVolatile(VALUE_OFFSET) != 0);
            default:
                return null;
        }
    }
}

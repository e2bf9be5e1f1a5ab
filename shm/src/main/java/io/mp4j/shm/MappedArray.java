package io.mp4j.shm;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Path;

/**
 * The memory-mapped implementation of {@link Array}.
 *
 * <p>Layout (payload of a {@link RegionType#ARRAY} region; header variant = {@link ElementType} code):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Length (elements)                         |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to end of cache line              ...
 *  +---------------------------------------------------------------+ 64
 *  |        Lock reference (448 bytes, see Value): kind, path     ...
 * ...                                                              |
 *  +---------------------------------------------------------------+ 512
 *  |          Elements, little-endian, Length * element size      ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class MappedArray extends MappedObject implements Array
{
    /** Offset of the length. */
    public static final int LENGTH_OFFSET = 0;

    /** Offset of the lock reference. */
    public static final int LOCK_REFERENCE_OFFSET = 64;

    /** Offset of element 0. */
    public static final int DATA_OFFSET = 512;

    private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);

    private static final long LONG_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    private static final long DOUBLE_BASE = UnsafeApi.arrayBaseOffset(double[].class);

    private static final long BYTE_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final AtomicBuffer buffer;

    private final ElementType type;

    private final int length;

    private final SharedLock lock;

    /** Address of element 0, for bulk copies (the mapping is off-heap: no base object). */
    private final long dataAddress;

    private MappedArray(final MappedRegion region, final ElementType type, final SharedLock lock)
    {
        super(region);
        this.buffer = region.buffer();
        this.type = type;
        this.length = buffer().getInt(LENGTH_OFFSET);
        this.lock = lock;
        this.dataAddress = buffer().addressOffset() + DATA_OFFSET;
    }

    static MappedArray create(final RuntimeDirectory directory, final String name, final ElementType type, final int length)
    {
        checkType(type);
        checkLength(length);
        final Path file = directory.resolve(name);
        return MappedValue.withOwnLock(directory, name, lock -> create(file, type, length, lock));
    }

    static MappedArray create(final RuntimeDirectory directory, final String name, final String typecode, final int length)
    {
        return create(directory, name, ElementType.fromTypecode(typecode), length);
    }

    static MappedArray create(
        final RuntimeDirectory directory, final String name, final ElementType type, final int length, final SharedLock lock)
    {
        checkType(type);
        final Path file = directory.resolve(name);
        return MappedValue.withCallersLock(lock, held -> create(file, type, length, held));
    }

    static MappedArray createRaw(final RuntimeDirectory directory, final String name, final ElementType type, final int length)
    {
        checkType(type);
        return create(directory.resolve(name), type, length, null);
    }

    static MappedArray create(final String typecode, final int length)
    {
        return create(RuntimeDirectory.global(), Names.unique("array"), typecode, length);
    }

    static MappedArray of(final int... values)
    {
        final MappedArray array = create("i", values.length);
        array.copyFrom(0, values, 0, values.length);
        return array;
    }

    private static void checkLength(final int length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("array length must be >= 0: length=" + length);
        }
    }

    private static MappedArray create(final Path file, final ElementType type, final int length, final SharedLock lock)
    {
        checkLength(length);
        final long payload = DATA_OFFSET + (long)length * type.size();
        final MappedRegion region = MappedRegion.create(file, RegionType.ARRAY, type.code(), payload);
        try
        {
            region.buffer().putInt(LENGTH_OFFSET, length);
            LockReference.write(region.buffer(), LOCK_REFERENCE_OFFSET, lock);
            region.publish();
            return SharedObjects.register(new MappedArray(region, type, lock));
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
        if (type == ElementType.BOOLEAN)
        {
            throw new IllegalArgumentException("an Array holds int, long, double or byte, not " + type);
        }
    }

    static MappedArray attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedArray attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.ARRAY);
        try
        {
            final ElementType type = ElementType.fromCode(region.variant());
            if (type == null || type == ElementType.BOOLEAN)
            {
                throw new InvalidRegionException(file, "unknown array element type code " + region.variant());
            }
            if (region.payloadLength() < DATA_OFFSET)
            {
                throw new InvalidRegionException(file, "array payload is " + region.payloadLength() +
                    " bytes, shorter than its " + DATA_OFFSET + "-byte descriptor");
            }
            final int length = region.buffer().getInt(LENGTH_OFFSET);
            final long expected = DATA_OFFSET + (long)length * type.size();
            if (length < 0 || expected > region.payloadLength())
            {
                throw new InvalidRegionException(file, "corrupt array: length=" + length + " of " + type +
                    " needs " + expected + " payload bytes, payloadLength=" + region.payloadLength());
            }
            return new MappedArray(region, type, LockReference.read(region.buffer(), LOCK_REFERENCE_OFFSET, file));
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    @Override
    public int length()
    {
        return length;
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
            throw new UnsupportedOperationException("a raw array has no lock: " + region.path());
        }
        return lock;
    }

    @Override
    public boolean hasLock()
    {
        return lock != null;
    }

    /**
     * The checks of a single-element access, kept small so that the JIT inlines them into the caller's
     * loop, hoists the type test and folds the index test into the loop's own range check; the exceptions
     * are built out of line.
     */
    private int checked(final int index, final ElementType wanted)
    {
        if (type != wanted)
        {
            throw wrongType(wanted);
        }
        if (index < 0 || index >= length)
        {
            throw outOfBounds(index);
        }
        return index;
    }

    private IllegalStateException wrongType(final ElementType wanted)
    {
        return new IllegalStateException("array of " + type.name().toLowerCase() + ", not " +
            wanted.name().toLowerCase() + ": " + region.path());
    }

    private IndexOutOfBoundsException outOfBounds(final int index)
    {
        return new IndexOutOfBoundsException("index=" + index + ", length=" + length + ": " + region.path());
    }

    /**
     * @return the address of element {@code index} for a bulk copy of {@code count} elements to or from a
     * Java array of {@code otherLength} elements from {@code otherOffset}, all checked.
     */
    private long range(final int index, final int count, final int otherLength, final int otherOffset, final ElementType wanted)
    {
        if (type != wanted)
        {
            throw wrongType(wanted);
        }
        if (count < 0 || index < 0 || index > length - count || otherOffset < 0 || otherOffset > otherLength - count)
        {
            throw new IndexOutOfBoundsException("index=" + index + ", count=" + count + ", length=" + length +
                ", javaArrayOffset=" + otherOffset + ", javaArrayLength=" + otherLength + ": " + region.path());
        }
        ensureOpen();   // never copy from an unmapped address
        return dataAddress + (long)index * type.size();
    }

    @Override
    public int getInt(final int index)
    {
        return buffer().getInt(DATA_OFFSET + (checked(index, ElementType.INT) << 2));
    }

    @Override
    public void setInt(final int index, final int value)
    {
        buffer().putInt(DATA_OFFSET + (checked(index, ElementType.INT) << 2), value);
    }

    @Override
    public long getLong(final int index)
    {
        return buffer().getLong(DATA_OFFSET + (checked(index, ElementType.LONG) << 3));
    }

    @Override
    public void setLong(final int index, final long value)
    {
        buffer().putLong(DATA_OFFSET + (checked(index, ElementType.LONG) << 3), value);
    }

    @Override
    public double getDouble(final int index)
    {
        return buffer().getDouble(DATA_OFFSET + (checked(index, ElementType.DOUBLE) << 3));
    }

    @Override
    public void setDouble(final int index, final double value)
    {
        buffer().putDouble(DATA_OFFSET + (checked(index, ElementType.DOUBLE) << 3), value);
    }

    @Override
    public byte getByte(final int index)
    {
        return buffer().getByte(DATA_OFFSET + checked(index, ElementType.BYTE));
    }

    @Override
    public void setByte(final int index, final byte value)
    {
        buffer().putByte(DATA_OFFSET + checked(index, ElementType.BYTE), value);
    }

    @Override
    public int addAndGetInt(final int index, final int delta)
    {
        return buffer().getAndAddInt(DATA_OFFSET + (checked(index, ElementType.INT) << 2), delta) + delta;
    }

    @Override
    public long addAndGetLong(final int index, final long delta)
    {
        return buffer().getAndAddLong(DATA_OFFSET + (checked(index, ElementType.LONG) << 3), delta) + delta;
    }

    @Override
    public void copyFrom(final int index, final int[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.INT);
        UnsafeApi.copyMemory(src, INT_BASE + (long)srcOffset * 4, null, at, (long)count * 4);
    }

    @Override
    public void copyTo(final int index, final int[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.INT);
        UnsafeApi.copyMemory(null, at, dst, INT_BASE + (long)dstOffset * 4, (long)count * 4);
    }

    @Override
    public void copyFrom(final int index, final long[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.LONG);
        UnsafeApi.copyMemory(src, LONG_BASE + (long)srcOffset * 8, null, at, (long)count * 8);
    }

    @Override
    public void copyTo(final int index, final long[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.LONG);
        UnsafeApi.copyMemory(null, at, dst, LONG_BASE + (long)dstOffset * 8, (long)count * 8);
    }

    @Override
    public void copyFrom(final int index, final double[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.DOUBLE);
        UnsafeApi.copyMemory(src, DOUBLE_BASE + (long)srcOffset * 8, null, at, (long)count * 8);
    }

    @Override
    public void copyTo(final int index, final double[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.DOUBLE);
        UnsafeApi.copyMemory(null, at, dst, DOUBLE_BASE + (long)dstOffset * 8, (long)count * 8);
    }

    @Override
    public void copyFrom(final int index, final byte[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.BYTE);
        UnsafeApi.copyMemory(src, BYTE_BASE + (long)srcOffset * 1, null, at, (long)count * 1);
    }

    @Override
    public void copyTo(final int index, final byte[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.BYTE);
        UnsafeApi.copyMemory(null, at, dst, BYTE_BASE + (long)dstOffset * 1, (long)count * 1);
    }

    @Override
    public int[] toIntArray()
    {
        final int[] copy = new int[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    @Override
    public long[] toLongArray()
    {
        final long[] copy = new long[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    @Override
    public double[] toDoubleArray()
    {
        final double[] copy = new double[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    @Override
    public byte[] toByteArray()
    {
        final byte[] copy = new byte[length];
        copyTo(0, copy, 0, length);
        return copy;
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
        return "Array{" + type.typecode() + "[" + length + "], " + region.path() + '}';
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
     * @return what an array region is, for {@link RegionInspector}s: {@code "10 DOUBLE elements"}.
     */
    static String describe(final int variant, final org.agrona.concurrent.AtomicBuffer payload)
    {
        final ElementType type = ElementType.fromCode(variant);
        return type == null ? null : payload.getInt(LENGTH_OFFSET) + " " + type + " elements";
    }
}

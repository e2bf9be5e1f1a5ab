package io.mp4j.shm;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.nio.file.Path;

/**
 * A fixed-length array in shared memory: Python's {@code multiprocessing.Array} (with a lock) and
 * {@code RawArray} (without), for {@code int[]} ({@code 'i'}), {@code long[]} ({@code 'l'}),
 * {@code double[]} ({@code 'd'}) and {@code byte[]} ({@code 'b'}).
 *
 * <p>Indexed access is typed ({@link #getInt(int)}, {@link #setLong(int, long)}, ...; another type's
 * accessor throws {@link IllegalStateException}); every index is checked and a bad one throws
 * {@link IndexOutOfBoundsException} with the index and the length.
 *
 * <p>Memory consistency: elements are read and written with plain loads and stores, like the elements
 * of a Java array shared between threads, so a loop over {@link #getDouble(int)} runs at memory speed
 * (the JIT hoists the checks out of the loop). What one process wrote is guaranteed visible to another
 * only after a happens-before edge between them: the array's lock (released by the writer, then acquired
 * by the reader), or any other mp4j synchronisation ({@link Event#set()} then {@code await}, a
 * {@link Barrier}, a {@code Queue} message, a {@link Value} written then read, the writer's exit before
 * {@code join}). Do not poll an element for a change made by another process: the JIT may read it once;
 * poll a {@link Value} or wait on an {@link Event} instead. {@link #addAndGetInt(int, int)} and
 * {@link #addAndGetLong(int, long)} are atomic and volatile. Bulk copies
 * ({@link #copyFrom(int, int[], int, int)}, {@link #copyTo(int, int[], int, int)}, {@link #toIntArray()},
 * ...) are single memory copies (memmove), under the same rule: hold the lock to see them whole.
 *
 * <p>Locking is as for {@link Value}: a new {@link RLock} named {@code <name>.lock} by default, a given
 * lock, or none ({@link #createRaw}).
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
 *
 * <p>Example, the tutorial's array doubled by a child:
 * <pre>{@code
 * Array a = Array.create(dir, "a", ElementType.INT, 10);
 * a.copyFrom(0, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 10);
 * // child, given a:
 * try (SharedLock.Held held = a.getLock().locked())
 * {
 *     for (int i = 0; i < a.length(); i++) { a.setInt(i, a.getInt(i) * 2); }
 * }
 * }</pre>
 */
public final class Array implements SharedObject
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

    private final MappedRegion region;
    private final AtomicBuffer buffer;
    private final ElementType type;
    private final int length;
    private final SharedLock lock;
    /** Address of element 0, for bulk copies (the mapping is off-heap: no base object). */
    private final long dataAddress;

    private Array(final MappedRegion region, final ElementType type, final SharedLock lock)
    {
        this.region = region;
        this.buffer = region.buffer();
        this.type = type;
        this.length = buffer.getInt(LENGTH_OFFSET);
        this.lock = lock;
        this.dataAddress = buffer.addressOffset() + DATA_OFFSET;
    }

    /**
     * Python's {@code Array(typecode, size)}: zeros, with a new {@link RLock} named {@code name + ".lock"}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param type      int, long, double or byte.
     * @param length    number of elements, at least 0.
     * @return the array.
     */
    public static Array create(final RuntimeDirectory directory, final String name, final ElementType type, final int length)
    {
        checkType(type);
        return create(directory.resolve(name), type, length, RLock.create(directory, name + Value.LOCK_SUFFIX));
    }

    /**
     * Python's {@code Array(typecode, size_or_initializer)} with a typecode.
     *
     * @param directory where.
     * @param name      its file name.
     * @param typecode  see {@link ElementType#fromTypecode(String)}.
     * @param length    number of elements.
     * @return the array.
     */
    public static Array create(final RuntimeDirectory directory, final String name, final String typecode, final int length)
    {
        return create(directory, name, ElementType.fromTypecode(typecode), length);
    }

    /**
     * An array guarded by a given lock, or none.
     *
     * @param directory where.
     * @param name      its file name.
     * @param type      int, long, double or byte.
     * @param length    number of elements.
     * @param lock      a {@link Lock} or {@link RLock}, or null for none.
     * @return the array.
     */
    public static Array create(
        final RuntimeDirectory directory, final String name, final ElementType type, final int length, final SharedLock lock)
    {
        checkType(type);
        return create(directory.resolve(name), type, length, lock);
    }

    /**
     * Python's {@code RawArray(typecode, size)}: no lock.
     *
     * @param directory where.
     * @param name      its file name.
     * @param type      int, long, double or byte.
     * @param length    number of elements.
     * @return the array.
     */
    public static Array createRaw(final RuntimeDirectory directory, final String name, final ElementType type, final int length)
    {
        checkType(type);
        return create(directory.resolve(name), type, length, null);
    }

    /**
     * Python's {@code Array('i', 10)} in this JVM's default runtime directory.
     *
     * @param typecode see {@link ElementType#fromTypecode(String)}.
     * @param length   number of elements.
     * @return the array.
     */
    public static Array create(final String typecode, final int length)
    {
        return create(RuntimeDirectory.global(), Names.unique("array"), typecode, length);
    }

    /**
     * Python's {@code Array('i', range(10))}: an int array holding a copy of {@code values}.
     *
     * @param values the initial contents.
     * @return the array.
     */
    public static Array of(final int... values)
    {
        final Array array = create("i", values.length);
        array.copyFrom(0, values, 0, values.length);
        return array;
    }

    private static Array create(final Path file, final ElementType type, final int length, final SharedLock lock)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("array length must be >= 0: length=" + length);
        }
        final long payload = DATA_OFFSET + (long)length * type.size();
        final MappedRegion region = MappedRegion.create(file, RegionType.ARRAY, type.code(), payload);
        try
        {
            region.buffer().putInt(LENGTH_OFFSET, length);
            LockReference.write(region.buffer(), LOCK_REFERENCE_OFFSET, lock);
            region.publish();
            return SharedObjects.register(new Array(region, type, lock));
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

    /**
     * Attach to an existing Array by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the array.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    public static Array attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    /**
     * Attach to an existing array, and to its lock.
     *
     * @param file its region file.
     * @return the array.
     * @throws InvalidRegionException if the file is not a valid array region or its lock cannot be attached.
     */
    public static Array attach(final Path file)
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
            return new Array(region, type, LockReference.read(region.buffer(), LOCK_REFERENCE_OFFSET, file));
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    /**
     * @return the number of elements.
     */
    public int length()
    {
        return length;
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
     * @return the lock guarding this array.
     * @throws UnsupportedOperationException for a raw array.
     */
    public SharedLock getLock()
    {
        if (lock == null)
        {
            throw new UnsupportedOperationException("a raw array has no lock: " + region.path());
        }
        return lock;
    }

    /**
     * @return whether this array has a lock.
     */
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
        region.buffer();   // throws once closed: never copy from an unmapped address
        return dataAddress + (long)index * type.size();
    }

    /**
     * @param index element index.
     * @return the element of an int array.
     */
    public int getInt(final int index)
    {
        return buffer.getInt(DATA_OFFSET + (checked(index, ElementType.INT) << 2));
    }

    /**
     * @param index element index.
     * @param value new element of an int array.
     */
    public void setInt(final int index, final int value)
    {
        buffer.putInt(DATA_OFFSET + (checked(index, ElementType.INT) << 2), value);
    }

    /**
     * @param index element index.
     * @return the element of a long array.
     */
    public long getLong(final int index)
    {
        return buffer.getLong(DATA_OFFSET + (checked(index, ElementType.LONG) << 3));
    }

    /**
     * @param index element index.
     * @param value new element of a long array.
     */
    public void setLong(final int index, final long value)
    {
        buffer.putLong(DATA_OFFSET + (checked(index, ElementType.LONG) << 3), value);
    }

    /**
     * @param index element index.
     * @return the element of a double array.
     */
    public double getDouble(final int index)
    {
        return buffer.getDouble(DATA_OFFSET + (checked(index, ElementType.DOUBLE) << 3));
    }

    /**
     * @param index element index.
     * @param value new element of a double array.
     */
    public void setDouble(final int index, final double value)
    {
        buffer.putDouble(DATA_OFFSET + (checked(index, ElementType.DOUBLE) << 3), value);
    }

    /**
     * @param index element index.
     * @return the element of a byte array.
     */
    public byte getByte(final int index)
    {
        return buffer.getByte(DATA_OFFSET + checked(index, ElementType.BYTE));
    }

    /**
     * @param index element index.
     * @param value new element of a byte array.
     */
    public void setByte(final int index, final byte value)
    {
        buffer.putByte(DATA_OFFSET + checked(index, ElementType.BYTE), value);
    }

    /**
     * Atomically add to an element of an int array.
     *
     * @param index element index.
     * @param delta what to add.
     * @return the new element.
     */
    public int addAndGetInt(final int index, final int delta)
    {
        return buffer.getAndAddInt(DATA_OFFSET + (checked(index, ElementType.INT) << 2), delta) + delta;
    }

    /**
     * Atomically add to an element of a long array.
     *
     * @param index element index.
     * @param delta what to add.
     * @return the new element.
     */
    public long addAndGetLong(final int index, final long delta)
    {
        return buffer.getAndAddLong(DATA_OFFSET + (checked(index, ElementType.LONG) << 3), delta) + delta;
    }

    /**
     * Copy {@code count} ints from {@code src[srcOffset..]} into this int array from {@code index}.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    public void copyFrom(final int index, final int[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.INT);
        UnsafeApi.copyMemory(src, INT_BASE + (long)srcOffset * 4, null, at, (long)count * 4);
    }

    /**
     * Copy {@code count} ints of this int array from {@code index} into {@code dst[dstOffset..]}.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    public void copyTo(final int index, final int[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.INT);
        UnsafeApi.copyMemory(null, at, dst, INT_BASE + (long)dstOffset * 4, (long)count * 4);
    }

    /**
     * Copy {@code count} longs into this long array.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    public void copyFrom(final int index, final long[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.LONG);
        UnsafeApi.copyMemory(src, LONG_BASE + (long)srcOffset * 8, null, at, (long)count * 8);
    }

    /**
     * Copy {@code count} longs out of this long array.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    public void copyTo(final int index, final long[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.LONG);
        UnsafeApi.copyMemory(null, at, dst, LONG_BASE + (long)dstOffset * 8, (long)count * 8);
    }

    /**
     * Copy {@code count} doubles into this double array.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    public void copyFrom(final int index, final double[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.DOUBLE);
        UnsafeApi.copyMemory(src, DOUBLE_BASE + (long)srcOffset * 8, null, at, (long)count * 8);
    }

    /**
     * Copy {@code count} doubles out of this double array.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    public void copyTo(final int index, final double[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.DOUBLE);
        UnsafeApi.copyMemory(null, at, dst, DOUBLE_BASE + (long)dstOffset * 8, (long)count * 8);
    }

    /**
     * Copy {@code count} bytes into this byte array.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    public void copyFrom(final int index, final byte[] src, final int srcOffset, final int count)
    {
        final long at = range(index, count, src.length, srcOffset, ElementType.BYTE);
        UnsafeApi.copyMemory(src, BYTE_BASE + (long)srcOffset * 1, null, at, (long)count * 1);
    }

    /**
     * Copy {@code count} bytes out of this byte array.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    public void copyTo(final int index, final byte[] dst, final int dstOffset, final int count)
    {
        final long at = range(index, count, dst.length, dstOffset, ElementType.BYTE);
        UnsafeApi.copyMemory(null, at, dst, BYTE_BASE + (long)dstOffset * 1, (long)count * 1);
    }

    /**
     * @return a copy of an int array's contents (Python's {@code a[:]}).
     */
    public int[] toIntArray()
    {
        final int[] copy = new int[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    /**
     * @return a copy of a long array's contents.
     */
    public long[] toLongArray()
    {
        final long[] copy = new long[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    /**
     * @return a copy of a double array's contents.
     */
    public double[] toDoubleArray()
    {
        final double[] copy = new double[length];
        copyTo(0, copy, 0, length);
        return copy;
    }

    /**
     * @return a copy of a byte array's contents.
     */
    public byte[] toByteArray()
    {
        final byte[] copy = new byte[length];
        copyTo(0, copy, 0, length);
        return copy;
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
     * Unmap the array (its lock stays attached: it may guard other objects).
     */
    @Override
    public void close()
    {
        region.close();
    }

    @Override
    public String toString()
    {
        return "Array{" + type.typecode() + "[" + length + "], " + region.path() + '}';
    }

    private Object writeReplace()
    {
        return RegionHandle.of(this);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("an Array travels as a RegionHandle");
    }
}

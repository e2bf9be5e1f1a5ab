package io.mp4j.shm;

import java.io.Serializable;
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
public interface Array extends AutoCloseable, Serializable
{
    /**
     * Python's {@code Array(typecode, size)}: zeros, with a new {@link RLock} named {@code name + ".lock"}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param type      int, long, double or byte.
     * @param length    number of elements, at least 0.
     * @return the array.
     */
    static Array create(RuntimeDirectory directory, String name, ElementType type, int length)
    {
        return MappedArray.create(directory, name, type, length);
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
    static Array create(RuntimeDirectory directory, String name, String typecode, int length)
    {
        return MappedArray.create(directory, name, typecode, length);
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
    static Array create(
        RuntimeDirectory directory, String name, ElementType type, int length, SharedLock lock)
    {
        return MappedArray.create(directory, name, type, length, lock);
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
    static Array createRaw(RuntimeDirectory directory, String name, ElementType type, int length)
    {
        return MappedArray.createRaw(directory, name, type, length);
    }

    /**
     * Python's {@code Array('i', 10)} in this JVM's default runtime directory.
     *
     * @param typecode see {@link ElementType#fromTypecode(String)}.
     * @param length   number of elements.
     * @return the array.
     */
    static Array create(String typecode, int length)
    {
        return MappedArray.create(typecode, length);
    }

    /**
     * Python's {@code Array('i', range(10))}: an int array holding a copy of {@code values}.
     *
     * @param values the initial contents.
     * @return the array.
     */
    static Array of(int... values)
    {
        return MappedArray.of(values);
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
    static Array attach(RuntimeDirectory directory, String name)
    {
        return MappedArray.attach(directory, name);
    }

    /**
     * Attach to an existing array, and to its lock.
     *
     * @param file its region file.
     * @return the array.
     * @throws InvalidRegionException if the file is not a valid array region or its lock cannot be attached.
     */
    static Array attach(Path file)
    {
        return MappedArray.attach(file);
    }

    /**
     * @return the number of elements.
     */
    int length();

    /**
     * @return the element type.
     */
    ElementType type();

    /**
     * Python's {@code get_lock()}.
     *
     * @return the lock guarding this array.
     * @throws UnsupportedOperationException for a raw array.
     */
    SharedLock getLock();

    /**
     * @return whether this array has a lock.
     */
    boolean hasLock();

    /**
     * @param index element index.
     * @return the element of an int array.
     */
    int getInt(int index);

    /**
     * @param index element index.
     * @param value new element of an int array.
     */
    void setInt(int index, int value);

    /**
     * @param index element index.
     * @return the element of a long array.
     */
    long getLong(int index);

    /**
     * @param index element index.
     * @param value new element of a long array.
     */
    void setLong(int index, long value);

    /**
     * @param index element index.
     * @return the element of a double array.
     */
    double getDouble(int index);

    /**
     * @param index element index.
     * @param value new element of a double array.
     */
    void setDouble(int index, double value);

    /**
     * @param index element index.
     * @return the element of a byte array.
     */
    byte getByte(int index);

    /**
     * @param index element index.
     * @param value new element of a byte array.
     */
    void setByte(int index, byte value);

    /**
     * Atomically add to an element of an int array.
     *
     * @param index element index.
     * @param delta what to add.
     * @return the new element.
     */
    int addAndGetInt(int index, int delta);

    /**
     * Atomically add to an element of a long array.
     *
     * @param index element index.
     * @param delta what to add.
     * @return the new element.
     */
    long addAndGetLong(int index, long delta);

    /**
     * Copy {@code count} ints from {@code src[srcOffset..]} into this int array from {@code index}.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    void copyFrom(int index, int[] src, int srcOffset, int count);

    /**
     * Copy {@code count} ints of this int array from {@code index} into {@code dst[dstOffset..]}.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    void copyTo(int index, int[] dst, int dstOffset, int count);

    /**
     * Copy {@code count} longs into this long array.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    void copyFrom(int index, long[] src, int srcOffset, int count);

    /**
     * Copy {@code count} longs out of this long array.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    void copyTo(int index, long[] dst, int dstOffset, int count);

    /**
     * Copy {@code count} doubles into this double array.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    void copyFrom(int index, double[] src, int srcOffset, int count);

    /**
     * Copy {@code count} doubles out of this double array.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    void copyTo(int index, double[] dst, int dstOffset, int count);

    /**
     * Copy {@code count} bytes into this byte array.
     *
     * @param index     first element written.
     * @param src       source.
     * @param srcOffset first source element.
     * @param count     how many.
     */
    void copyFrom(int index, byte[] src, int srcOffset, int count);

    /**
     * Copy {@code count} bytes out of this byte array.
     *
     * @param index     first element read.
     * @param dst       destination.
     * @param dstOffset first destination element.
     * @param count     how many.
     */
    void copyTo(int index, byte[] dst, int dstOffset, int count);

    /**
     * @return a copy of an int array's contents (Python's {@code a[:]}).
     */
    int[] toIntArray();

    /**
     * @return a copy of a long array's contents.
     */
    long[] toLongArray();

    /**
     * @return a copy of a double array's contents.
     */
    double[] toDoubleArray();

    /**
     * @return a copy of a byte array's contents.
     */
    byte[] toByteArray();

    /**
     * Release this holder's handle and, with the last, the object's hold on its lock (the lock stays for its other holders: it may guard other objects). The creator and every handle deserialized in this JVM share one
     * object, counted per holder (see {@link SharedObjects#attach}): the view is unmapped when the last
     * holder closes it, and using the object after that throws {@link IllegalStateException}. The shared
     * object and its state stay for the other processes. A holder closes once: closing again gives back
     * another holder's count; once unmapped, further calls do nothing.
     */
    void close();
}

package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A fixed-length list of typed slots in shared memory, attachable by name from another JVM: the Java twin
 * of Python's {@code multiprocessing.shared_memory.ShareableList}.
 *
 * <pre>{@code
 * try (ShareableList sl = ShareableList.create(dir, "config", List.of(42, 3.5, true, "hello", 7L)))
 * {
 *     sl.set(3, "howdy");          // fits: the slot holds up to 8 bytes of UTF-8
 *     sl.set(3, "far too long!");  // IllegalArgumentException: exceeds the slot's 8 bytes
 *     sl.set(0, "text");           // IllegalArgumentException: slot 0 holds an INT
 *     sl.add(1);                   // UnsupportedOperationException: the length is fixed
 * }
 * // elsewhere: ShareableList.attach(dir, "config").get(3) -> "howdy"
 * }</pre>
 *
 * <p>Semantics follow Python: the length is fixed at creation; a {@code String} or {@code byte[]} slot has
 * a fixed capacity, its initial value's length rounded up to a multiple of 8 (at least 8), and a longer
 * value is refused; numbers take 8 bytes. Unlike Python, which lets a slot switch between types whose
 * values fit, every slot keeps its {@link SlotType} for life (a Java list has typed readers), and values
 * are stored with their length, so a string ending in {@code '\0'} reads back intact (Python strips
 * trailing NULs). {@code null} is not supported.
 *
 * <p>Payload layout (little-endian; {@code n} slots, each slot's data 8-byte aligned):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Slot count (n)                          |
 *  +---------------------------------------------------------------+
 *  |                       Reserved (0)                            |
 *  +---------------------------------------------------------------+
 *  |            Slot 0: type code ({@link SlotType#code()})        |
 *  +---------------------------------------------------------------+
 *  |            Slot 0: capacity in bytes (8 for numbers)          |
 *  +---------------------------------------------------------------+
 *  |            Slot 0: data offset from payload start             |
 *  +---------------------------------------------------------------+
 *  |            Slot 0: reserved (0)                               |
 *  +---------------------------------------------------------------+
 *  |            ... one 16-byte descriptor per slot ...           ...
 *  +---------------------------------------------------------------+
 *  |  Data of a number slot: 8 bytes (long; double bits; int;      |
 *  |  boolean as 0/1)                                              |
 *  +---------------------------------------------------------------+
 *  |  Data of a String/bytes slot: length (int), reserved (int),   |
 *  |  then capacity bytes (UTF-8 for a String)                    ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The region header's variant holds the slot count too.
 *
 * <p>Memory consistency: as Python's, a {@code ShareableList} has no lock. A number slot is read and written
 * with single 8-byte volatile accesses, so it is never torn; a String or bytes value is not written
 * atomically, and a reader racing a writer may see a mix: guard such slots with a lock. Instances are
 * thread-safe in that sense; passing one to another mp4j process sends its path, attached on arrival.
 */
public final class ShareableList extends AbstractList<Object> implements RandomAccess, AutoCloseable, Serializable
{
    private static final long serialVersionUID = 1L;

    /** Offset of the slot count. */
    public static final int COUNT_OFFSET = 0;
    /** Offset of the first slot descriptor. */
    public static final int DESCRIPTORS_OFFSET = 8;
    /** Length of one slot descriptor. */
    public static final int DESCRIPTOR_LENGTH = 16;
    /** Offset of the type code within a descriptor. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the capacity within a descriptor. */
    public static final int CAPACITY_OFFSET = 4;
    /** Offset of the data offset within a descriptor. */
    public static final int DATA_OFFSET_OFFSET = 8;
    /** Bytes before the content of a String or bytes slot: its length and a reserved int. */
    public static final int VARIABLE_PREFIX_LENGTH = 8;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a slot holds; the code is part of the file format. */
    public enum SlotType
    {
        /** {@link Integer}, stored in 8 bytes. */
        INT(1),
        /** {@link Long}. */
        LONG(2),
        /** {@link Double}. */
        DOUBLE(3),
        /** {@link Boolean}, stored as a 0/1 long. */
        BOOLEAN(4),
        /** {@link String}, UTF-8. */
        STRING(5),
        /** {@code byte[]}. */
        BYTES(6);

        private final int code;

        SlotType(final int code)
        {
            this.code = code;
        }

        /**
         * @return the code stored in a slot descriptor.
         */
        public int code()
        {
            return code;
        }

        static SlotType fromCode(final int code)
        {
            for (final SlotType t : values())
            {
                if (t.code == code)
                {
                    return t;
                }
            }
            return null;
        }

        static SlotType of(final Object value)
        {
            if (value instanceof Integer)
            {
                return INT;
            }
            if (value instanceof Long)
            {
                return LONG;
            }
            if (value instanceof Double)
            {
                return DOUBLE;
            }
            if (value instanceof Boolean)
            {
                return BOOLEAN;
            }
            if (value instanceof String)
            {
                return STRING;
            }
            if (value instanceof byte[])
            {
                return BYTES;
            }
            throw new IllegalArgumentException("a ShareableList holds Integer, Long, Double, Boolean, String or byte[], not " +
                (value == null ? "null" : value.getClass().getName()));
        }
    }

    private final transient MappedRegion region;
    private final transient AtomicBuffer buffer;
    /** Set before unmapping; a plain field, checked on every access (closing during use by another thread is the caller's error). */
    private transient boolean unmapped;
    private final transient int size;
    private final transient SlotType[] types;
    private final transient int[] capacities;
    private final transient int[] offsets;

    private ShareableList(final MappedRegion region)
    {
        this.region = region;
        this.buffer = region.buffer();
        final Path file = region.path();
        this.size = buffer.getInt(COUNT_OFFSET);
        final long descriptorsEnd = DESCRIPTORS_OFFSET + (long)size * DESCRIPTOR_LENGTH;
        if (size < 0 || descriptorsEnd > region.payloadLength())
        {
            region.close();
            throw new InvalidRegionException(file, "corrupt ShareableList: slot count " + size +
                " does not fit in a payload of " + region.payloadLength() + " bytes");
        }
        this.types = new SlotType[size];
        this.capacities = new int[size];
        this.offsets = new int[size];
        for (int i = 0; i < size; i++)
        {
            final int d = DESCRIPTORS_OFFSET + i * DESCRIPTOR_LENGTH;
            types[i] = SlotType.fromCode(buffer.getInt(d + TYPE_OFFSET));
            capacities[i] = buffer.getInt(d + CAPACITY_OFFSET);
            offsets[i] = buffer.getInt(d + DATA_OFFSET_OFFSET);
            final long end = (long)offsets[i] + dataLength(types[i], capacities[i]);
            if (types[i] == null || capacities[i] < 0 || offsets[i] < descriptorsEnd || end > region.payloadLength())
            {
                region.close();
                throw new InvalidRegionException(file, "corrupt ShareableList: slot " + i + " has type code " +
                    buffer.getInt(d + TYPE_OFFSET) + ", capacity " + capacities[i] + ", offset " + offsets[i]);
            }
        }
    }

    private static int dataLength(final SlotType type, final int capacity)
    {
        return type == SlotType.STRING || type == SlotType.BYTES ? VARIABLE_PREFIX_LENGTH + capacity : 8;
    }

    /**
     * Create a list with a generated name in {@link RuntimeDirectory#global()}.
     *
     * @param values the initial values, which fix each slot's type and capacity.
     * @return the list.
     */
    public static ShareableList create(final List<?> values)
    {
        return create(RuntimeDirectory.global(), "psl_" + Long.toHexString(RANDOM.nextLong() >>> 16), values);
    }

    /**
     * Create a list named {@code name} in {@code dir}.
     *
     * @param dir    where the file goes.
     * @param name   the file name.
     * @param values the initial values (Integer, Long, Double, Boolean, String, byte[]), which fix each
     *               slot's type, and for String and byte[] its capacity (length rounded up to 8, at least 8).
     * @return the list.
     * @throws IllegalArgumentException if a value is of another type, or null.
     * @throws IllegalStateException    if the name is taken.
     */
    public static ShareableList create(final RuntimeDirectory dir, final String name, final List<?> values)
    {
        final int n = values.size();
        final SlotType[] types = new SlotType[n];
        final int[] capacities = new int[n];
        final byte[][] encoded = new byte[n][];
        long length = DESCRIPTORS_OFFSET + (long)n * DESCRIPTOR_LENGTH;
        for (int i = 0; i < n; i++)
        {
            final Object v = values.get(i);
            types[i] = SlotType.of(v);
            if (types[i] == SlotType.STRING || types[i] == SlotType.BYTES)
            {
                encoded[i] = v instanceof String ? ((String)v).getBytes(StandardCharsets.UTF_8) : ((byte[])v).clone();
                capacities[i] = Math.max(8, (encoded[i].length + 7) & ~7);
            }
            else
            {
                capacities[i] = 8;
            }
            length += dataLength(types[i], capacities[i]);
        }
        final MappedRegion region = MappedRegion.create(dir.resolve(name), RegionType.SHAREABLE_LIST, n, length);
        final AtomicBuffer b = region.buffer();
        b.putInt(COUNT_OFFSET, n);
        int offset = DESCRIPTORS_OFFSET + n * DESCRIPTOR_LENGTH;
        for (int i = 0; i < n; i++)
        {
            final int d = DESCRIPTORS_OFFSET + i * DESCRIPTOR_LENGTH;
            b.putInt(d + TYPE_OFFSET, types[i].code());
            b.putInt(d + CAPACITY_OFFSET, capacities[i]);
            b.putInt(d + DATA_OFFSET_OFFSET, offset);
            offset += dataLength(types[i], capacities[i]);
        }
        final ShareableList list = new ShareableList(region);
        for (int i = 0; i < n; i++)
        {
            list.set(i, values.get(i));
        }
        region.publish();
        return list;
    }

    /**
     * Attach to the list {@code name} in {@code dir}.
     *
     * @param dir  the directory that holds it.
     * @param name its name.
     * @return this JVM's view.
     * @throws InvalidRegionException if there is no such list or the file is not one.
     */
    public static ShareableList attach(final RuntimeDirectory dir, final String name)
    {
        return attach(dir.resolve(name));
    }

    /**
     * Attach to the list in {@code file}.
     *
     * @param file the list's file.
     * @return this JVM's view.
     * @throws InvalidRegionException if there is no such list or the file is not one.
     */
    public static ShareableList attach(final Path file)
    {
        return new ShareableList(MappedRegion.attach(file, RegionType.SHAREABLE_LIST));
    }

    @Override
    public int size()
    {
        return size;
    }

    /**
     * @param index a slot.
     * @return what the slot holds.
     */
    public SlotType type(final int index)
    {
        checkIndex(index);
        return types[index];
    }

    /**
     * @param index a slot.
     * @return the slot's capacity in bytes (8 for numbers).
     */
    public int capacity(final int index)
    {
        checkIndex(index);
        return capacities[index];
    }

    @Override
    public Object get(final int index)
    {
        checkIndex(index);
        final int off = offsets[index];
        switch (types[index])
        {
            case INT:
                return (int)buffer().getLongVolatile(off);
            case LONG:
                return buffer().getLongVolatile(off);
            case DOUBLE:
                return Double.longBitsToDouble(buffer().getLongVolatile(off));
            case BOOLEAN:
                return buffer().getLongVolatile(off) != 0;
            case STRING:
                return new String(readBytes(index), StandardCharsets.UTF_8);
            default:
                return readBytes(index);
        }
    }

    private byte[] readBytes(final int index)
    {
        final int off = offsets[index];
        final int length = Math.min(Math.max(buffer().getIntVolatile(off), 0), capacities[index]);
        final byte[] out = new byte[length];
        buffer().getBytes(off + VARIABLE_PREFIX_LENGTH, out);
        return out;
    }

    /**
     * @param index a LONG (or INT) slot.
     * @return its value, without boxing.
     */
    public long getLong(final int index)
    {
        requireType(index, SlotType.LONG, SlotType.INT);
        return buffer().getLongVolatile(offsets[index]);
    }

    /**
     * @param index a DOUBLE slot.
     * @return its value, without boxing.
     */
    public double getDouble(final int index)
    {
        requireType(index, SlotType.DOUBLE, SlotType.DOUBLE);
        return Double.longBitsToDouble(buffer().getLongVolatile(offsets[index]));
    }

    /**
     * Always throws: the length is fixed, as in Python.
     *
     * @throws UnsupportedOperationException always.
     */
    @Override
    public void add(final int index, final Object element)
    {
        throw new UnsupportedOperationException("a ShareableList has a fixed length (" + size() + "): set an element instead");
    }

    /**
     * Always throws: the length is fixed, as in Python.
     *
     * @throws UnsupportedOperationException always.
     */
    @Override
    public Object remove(final int index)
    {
        throw new UnsupportedOperationException("a ShareableList has a fixed length (" + size() + "): set an element instead");
    }

    /**
     * Replace the value of a slot, which keeps its type and capacity.
     *
     * @param index a slot.
     * @param value a value of the slot's type; for String and bytes, at most {@link #capacity(int)} bytes.
     * @return the previous value.
     * @throws IllegalArgumentException if the value is of another type, or too long for the slot.
     */
    @Override
    public Object set(final int index, final Object value)
    {
        checkIndex(index);
        final SlotType type = SlotType.of(value);
        if (type != types[index])
        {
            throw new IllegalArgumentException("slot " + index + " holds " + types[index] + ", not " + type +
                " (" + value + "): the type of a ShareableList slot is fixed");
        }
        final Object previous = get(index);
        final int off = offsets[index];
        switch (type)
        {
            case INT:
                buffer().putLongVolatile(off, (Integer)value);
                break;
            case LONG:
                buffer().putLongVolatile(off, (Long)value);
                break;
            case DOUBLE:
                buffer().putLongVolatile(off, Double.doubleToRawLongBits((Double)value));
                break;
            case BOOLEAN:
                buffer().putLongVolatile(off, (Boolean)value ? 1 : 0);
                break;
            default:
                final byte[] bytes = value instanceof String ? ((String)value).getBytes(StandardCharsets.UTF_8) : (byte[])value;
                if (bytes.length > capacities[index])
                {
                    throw new IllegalArgumentException("slot " + index + ": " + type + " of " + bytes.length +
                        " bytes exceeds the slot's capacity of " + capacities[index] + " bytes (fixed at creation)");
                }
                buffer().putBytes(off + VARIABLE_PREFIX_LENGTH, bytes);
                buffer().putIntVolatile(off, bytes.length);
        }
        return previous;
    }

    /**
     * Set a LONG slot without boxing.
     *
     * @param index a LONG slot.
     * @param value the new value.
     */
    public void setLong(final int index, final long value)
    {
        requireType(index, SlotType.LONG, SlotType.LONG);
        buffer().putLongVolatile(offsets[index], value);
    }

    @Override
    public int indexOf(final Object o)
    {
        for (int i = 0; i < size; i++)
        {
            if (holds(get(i), o))
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean contains(final Object o)
    {
        return indexOf(o) >= 0;
    }

    @Override
    public int lastIndexOf(final Object o)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            if (holds(get(i), o))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return whether a slot's value {@code v} is {@code o}: by content for byte arrays (whose equals is
     * identity, and every read makes a new array), by equals otherwise.
     */
    private static boolean holds(final Object v, final Object o)
    {
        return o instanceof byte[] && v instanceof byte[] ? Arrays.equals((byte[])o, (byte[])v) : v.equals(o);
    }

    /**
     * Python's {@code count(value)}.
     *
     * @param o a value.
     * @return how many slots hold it.
     */
    public int count(final Object o)
    {
        int n = 0;
        for (int i = 0; i < size; i++)
        {
            if (holds(get(i), o))
            {
                n++;
            }
        }
        return n;
    }

    private void requireType(final int index, final SlotType a, final SlotType b)
    {
        checkIndex(index);
        if (types[index] != a && types[index] != b)
        {
            throw new IllegalArgumentException("slot " + index + " holds " + types[index] + ", not " + a);
        }
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index=" + index + ", size=" + size);
        }
    }

    /**
     * @return the name: the file name.
     */
    public String name()
    {
        return region.path().getFileName().toString();
    }

    /**
     * @return the file, which another JVM can {@link #attach(Path)}.
     */
    public Path path()
    {
        return region.path();
    }

    /**
     * Unmap this JVM's view. Idempotent.
     */
    @Override
    public void close()
    {
        unmapped = true;
        region.close();
    }

    /**
     * @return the payload buffer, after checking that this view is still mapped.
     * @throws IllegalStateException once closed.
     */
    private AtomicBuffer buffer()
    {
        if (unmapped)
        {
            throw new IllegalStateException(region.path() + ": ShareableList is closed");
        }
        return buffer;
    }

    /**
     * Delete the file: no one can attach any more. Idempotent.
     */
    public void unlink()
    {
        try
        {
            java.nio.file.Files.deleteIfExists(region.path());
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot unlink " + region.path(), ex);
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        return o == this;
    }

    @Override
    public int hashCode()
    {
        return System.identityHashCode(this);
    }

    @Override
    public String toString()
    {
        return "ShareableList(" + (unmapped ? "closed" : super.toString()) + ", name='" + name() + "')";
    }

    private Object writeReplace()
    {
        return new Handle(region.path().toString());
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a ShareableList travels as its handle");
    }

    /** What is sent instead of a {@code ShareableList}: the file's path, attached again on arrival. */
    private static final class Handle implements Serializable
    {
        private static final long serialVersionUID = 1L;
        private final String path;

        Handle(final String path)
        {
            this.path = path;
        }

        private Object readResolve()
        {
            return attach(Paths.get(path));
        }
    }
}

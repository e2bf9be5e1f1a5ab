package io.mp4j;

import io.mp4j.queue.JavaSerializationCodec;
import io.mp4j.queue.StreamFilter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ConcurrentModificationException;
import java.util.function.IntFunction;

/**
 * Encodes a column of task arguments or results. Columns of {@code Integer}, {@code Long}, {@code Double}
 * or {@code String} (no nulls) are written as primitive arrays with no Java serialization; anything else
 * as one Java-serialized {@code Object[]}, read back through an {@link ObjectInputFilter}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Kind (1 int, 2 long, 3 double, 4 String, 5 object)
 *  +---------------------------------------------------------------+
 *  |                          Count                                |
 *  +---------------------------------------------------------------+
 *  |  int: Count x int32 | long, double: Count x 64 bits |        ...
 *  |  String: Count x (length:int32, UTF-8 bytes) |                ...
 *  |  object: length:int32, Java-serialized Object[Count]          ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Stateless; thread-safe.
 */
final class TaskCodec
{
    static final int KIND_INT = 1;
    static final int KIND_LONG = 2;
    static final int KIND_DOUBLE = 3;
    static final int KIND_STRING = 4;
    static final int KIND_OBJECT = 5;

    static final int KIND_OFFSET = 0;
    static final int COUNT_OFFSET = 4;
    static final int BODY_OFFSET = 8;

    /**
     * Bounds on what a pool reads from the other side: the region is private (0600) and written only by
     * this pool and its workers, so classes are not restricted; the bounds stop runaway graphs.
     */
    static final ObjectInputFilter LIMITS = ObjectInputFilter.Config.createFilter(
        "maxdepth=2000;maxrefs=50000000;maxarray=2147483647");

    private TaskCodec()
    {
    }

    /**
     * @param get   the values, by index.
     * @param count how many.
     * @param buf   where to write (an expandable buffer grows as needed).
     * @param offset where to start.
     * @return the number of bytes written.
     * @throws IllegalArgumentException if a value cannot be serialized, naming its class.
     */
    static int encode(final IntFunction<?> get, final int count, final MutableDirectBuffer buf, final int offset)
    {
        return encode(columnKind(get, 0, count), get, 0, count, buf, offset);
    }

    /**
     * Encode values {@code start .. start + count - 1} whose kind {@link #columnKind} gave earlier (a map
     * encodes its arguments when it sends them, not when it is called).
     *
     * @return the number of bytes written.
     * @throws ConcurrentModificationException if a value is no longer of that kind: the list was changed
     *                                         after it was handed to the pool.
     * @throws IllegalArgumentException        if a value cannot be serialized, naming its class.
     */
    static int encode(
        final int kind, final IntFunction<?> get, final int start, final int count, final MutableDirectBuffer buf, final int offset)
    {
        buf.putInt(offset + KIND_OFFSET, kind);
        buf.putInt(offset + COUNT_OFFSET, count);
        int pos = offset + BODY_OFFSET;
        switch (kind)
        {
            case KIND_INT:
                for (int i = 0; i < count; i++)
                {
                    buf.putInt(pos, (Integer)valueOf(get, start + i, Integer.class));
                    pos += 4;
                }
                break;
            case KIND_LONG:
                for (int i = 0; i < count; i++)
                {
                    buf.putLong(pos, (Long)valueOf(get, start + i, Long.class));
                    pos += 8;
                }
                break;
            case KIND_DOUBLE:
                for (int i = 0; i < count; i++)
                {
                    buf.putDouble(pos, (Double)valueOf(get, start + i, Double.class));
                    pos += 8;
                }
                break;
            case KIND_STRING:
                for (int i = 0; i < count; i++)
                {
                    pos += buf.putStringUtf8(pos, (String)valueOf(get, start + i, String.class));
                }
                break;
            default:
                final Object[] values = new Object[count];
                for (int i = 0; i < count; i++)
                {
                    values[i] = get.apply(start + i);
                }
                final byte[] bytes = serialize(values, "an argument or result");
                buf.putInt(pos, bytes.length);
                buf.putBytes(pos + 4, bytes);
                pos += 4 + bytes.length;
        }
        return pos - offset;
    }

    private static Object valueOf(final IntFunction<?> get, final int i, final Class<?> type)
    {
        final Object v = get.apply(i);
        if (v == null || v.getClass() != type)
        {
            throw new ConcurrentModificationException("item " + i + " was a " + type.getName() +
                " when the call was made and is now " + (v == null ? "null" : "a " + v.getClass().getName()) +
                ": was the list changed before the call returned?");
        }
        return v;
    }

    /**
     * @return whether values of this kind take a fixed number of bytes each ({@link #encodedLength}).
     */
    static boolean isFixedWidth(final int kind)
    {
        return kind == KIND_INT || kind == KIND_LONG || kind == KIND_DOUBLE;
    }

    /**
     * @return the encoded length of {@code count} values of a {@linkplain #isFixedWidth fixed-width} kind.
     */
    static int encodedLength(final int kind, final int count)
    {
        return BODY_OFFSET + count * (kind == KIND_INT ? 4 : 8);
    }

    /**
     * @return the kind a single value would be encoded as.
     */
    static int kindOfValue(final Object v)
    {
        if (v == null)
        {
            return KIND_OBJECT;
        }
        final Class<?> type = v.getClass();
        return type == Long.class ? KIND_LONG : type == Integer.class ? KIND_INT :
            type == Double.class ? KIND_DOUBLE : type == String.class && isValidUtf16((String)v) ? KIND_STRING : KIND_OBJECT;
    }

    /**
     * Whether UTF-8 carries the string unchanged: it has no unpaired surrogate (UTF-8 would replace one with
     * '?'; such a string travels by Java serialization, which keeps it).
     */
    static boolean isValidUtf16(final String s)
    {
        for (int i = 0, n = s.length(); i < n; i++)
        {
            final char c = s.charAt(i);
            if (Character.isSurrogate(c))
            {
                if (!Character.isHighSurrogate(c) || i + 1 == n || !Character.isLowSurrogate(s.charAt(i + 1)))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /**
     * @return the kind values {@code start .. start + count - 1} are encoded as: one of the primitive kinds
     * if all are of that class (none null), else {@link #KIND_OBJECT}.
     */
    static int columnKind(final IntFunction<?> get, final int start, final int count)
    {
        if (count == 0)
        {
            return KIND_INT;
        }
        final Object first = get.apply(start);
        final int kind = kindOfValue(first);
        if (kind == KIND_OBJECT)
        {
            return kind;
        }
        final Class<?> type = first.getClass();
        for (int i = 1; i < count; i++)
        {
            final Object v = get.apply(start + i);
            if (v == null || v.getClass() != type || kind == KIND_STRING && !isValidUtf16((String)v))
            {
                return KIND_OBJECT;
            }
        }
        return kind;
    }

    /**
     * @return the number of values encoded at offset.
     */
    static int count(final DirectBuffer buf, final int offset)
    {
        return buf.getInt(offset + COUNT_OFFSET);
    }

    /**
     * Decode the values at offset into dest[destOffset ..].
     *
     * @return the offset just after the encoded values.
     */
    static int decode(final DirectBuffer buf, final int offset, final Object[] dest, final int destOffset)
    {
        final int kind = buf.getInt(offset + KIND_OFFSET);
        final int count = buf.getInt(offset + COUNT_OFFSET);
        int pos = offset + BODY_OFFSET;
        switch (kind)
        {
            case KIND_INT:
                for (int i = 0; i < count; i++)
                {
                    dest[destOffset + i] = buf.getInt(pos);
                    pos += 4;
                }
                break;
            case KIND_LONG:
                for (int i = 0; i < count; i++)
                {
                    dest[destOffset + i] = buf.getLong(pos);
                    pos += 8;
                }
                break;
            case KIND_DOUBLE:
                for (int i = 0; i < count; i++)
                {
                    dest[destOffset + i] = buf.getDouble(pos);
                    pos += 8;
                }
                break;
            case KIND_STRING:
                for (int i = 0; i < count; i++)
                {
                    final int len = buf.getInt(pos);
                    dest[destOffset + i] = buf.getStringUtf8(pos, len);
                    pos += 4 + len;
                }
                break;
            case KIND_OBJECT:
                final int len = buf.getInt(pos);
                final byte[] bytes = new byte[len];
                buf.getBytes(pos + 4, bytes);
                final Object[] values = (Object[])deserialize(bytes);
                System.arraycopy(values, 0, dest, destOffset, count);
                pos += 4 + len;
                break;
            default:
                throw new IllegalStateException("unknown value kind " + kind + " at offset " + offset);
        }
        return pos;
    }

    /**
     * @param what what the object is, for the message.
     * @return the Java serialization of the object.
     * @throws IllegalArgumentException naming the class that cannot be serialized.
     */
    static byte[] serialize(final Object object, final String what)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        // a pool task goes to this JVM's own worker through a private mapped file: its proxies carry their keys
        try (ObjectOutputStream out = ManagerProxy.keyCarrying(bytes))
        {
            out.writeObject(object);
        }
        catch (final NotSerializableException ex)
        {
            throw new IllegalArgumentException(what + " is not serializable: " + ex.getMessage() +
                " (implement java.io.Serializable; a lambda must have a Serializable* target type)", ex);
        }
        catch (final InvalidClassException ex)
        {
            throw new IllegalArgumentException(what + " cannot be serialized: " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(what + " cannot be serialized: " + ex, ex);
        }
        return bytes.toByteArray();
    }

    static Object deserialize(final byte[] bytes)
    {
        StreamFilter filter = null;
        // tasks and results pass between a pool and its own workers only: codecs of queues among them keep
        // the patterns they were given, as a Process argument's do
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes));
             JavaSerializationCodec.TrustedSenders trusted = JavaSerializationCodec.trustingSenders())
        {
            filter = StreamFilter.on(in, LIMITS);
            return in.readObject();
        }
        catch (final IOException | ClassNotFoundException ex)
        {
            final Exception reason = filter != null && ex instanceof InvalidClassException ? filter.explain((InvalidClassException)ex) : ex;
            throw new IllegalStateException("cannot deserialize a " + bytes.length + "-byte object: " + reason, ex);
        }
    }
}

package io.mp4j.queue;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread encoding state: turns a value into a tag plus a (buffer, offset, length) view of its bytes,
 * without allocating for the built-in types (the bytes of a {@code byte[]} or {@code ByteBuffer} are
 * viewed in place, numbers and strings are written to a reused scratch buffer). Not thread-safe: use
 * {@link #current()}.
 */
final class Encoder
{
    private static final ThreadLocal<Encoder> CURRENT = ThreadLocal.withInitial(Encoder::new);

    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    int tag;
    DirectBuffer buffer;
    int offset;
    int length;

    static Encoder current()
    {
        return CURRENT.get();
    }

    /**
     * Encode a value.
     *
     * @param value the value, not null.
     * @param codec for objects of other types.
     * @return this, with {@link #tag}, {@link #buffer}, {@link #offset} and {@link #length} set.
     */
    Encoder encode(final Object value, final ObjectCodec codec)
    {
        if (value == null)
        {
            throw new NullPointerException("null messages are not allowed (poll() returns null for 'empty')");
        }
        final Class<?> type = value.getClass();
        if (type == Integer.class)
        {
            scratch.putInt(0, (Integer)value, ByteOrder.LITTLE_ENDIAN);
            return set(MessageTags.INT, scratch, 0, Integer.BYTES);
        }
        if (type == Long.class)
        {
            scratch.putLong(0, (Long)value, ByteOrder.LITTLE_ENDIAN);
            return set(MessageTags.LONG, scratch, 0, Long.BYTES);
        }
        if (type == Double.class)
        {
            scratch.putLong(0, Double.doubleToRawLongBits((Double)value), ByteOrder.LITTLE_ENDIAN);
            return set(MessageTags.DOUBLE, scratch, 0, Double.BYTES);
        }
        if (type == String.class)
        {
            final int len = scratch.putStringWithoutLengthUtf8(0, (String)value);
            return set(MessageTags.STRING, scratch, 0, len);
        }
        if (type == byte[].class)
        {
            return bytes((byte[])value, 0, ((byte[])value).length);
        }
        if (value instanceof ByteBuffer)
        {
            final ByteBuffer bb = (ByteBuffer)value;
            final int remaining = bb.remaining();
            if (bb.hasArray())
            {
                view.wrap(bb.array(), bb.arrayOffset() + bb.position(), remaining);
            }
            else if (remaining > 0)
            {
                view.wrap(bb, bb.position(), remaining);
            }
            else
            {
                view.wrap(scratch, 0, 0);
            }
            return set(MessageTags.BYTE_BUFFER, view, 0, remaining);
        }
        final byte[] encoded = codec.encode(value);
        view.wrap(encoded);
        return set(MessageTags.OBJECT, view, 0, encoded.length);
    }

    /**
     * View raw bytes as a {@link MessageTags#BYTES} message.
     */
    Encoder bytes(final byte[] src, final int srcOffset, final int srcLength)
    {
        if (srcOffset < 0 || srcLength < 0 || srcOffset > src.length - srcLength)
        {
            throw new IndexOutOfBoundsException("offset=" + srcOffset + ", length=" + srcLength +
                ", array length=" + src.length);
        }
        if (srcLength == 0)
        {
            view.wrap(scratch, 0, 0);
        }
        else
        {
            view.wrap(src, srcOffset, srcLength);
        }
        return set(MessageTags.BYTES, view, 0, srcLength);
    }

    /**
     * View a region of a buffer as a {@link MessageTags#BYTES} message.
     */
    Encoder bytes(final DirectBuffer src, final int srcOffset, final int srcLength)
    {
        return set(MessageTags.BYTES, src, srcOffset, srcLength);
    }

    private Encoder set(final int tag, final DirectBuffer buffer, final int offset, final int length)
    {
        this.tag = tag;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Drop references to the caller's arrays once the message is written.
     */
    void clear()
    {
        buffer = null;
        view.wrap(scratch, 0, 0);
    }

    /**
     * Decode a complete message.
     *
     * @param tag    its tag.
     * @param src    the buffer holding it.
     * @param offset where it starts.
     * @param length its length.
     * @param codec  for {@link MessageTags#OBJECT}.
     * @return the value.
     */
    static Object decode(final int tag, final DirectBuffer src, final int offset, final int length, final ObjectCodec codec)
    {
        switch (tag)
        {
            case MessageTags.INT:
                return src.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            case MessageTags.LONG:
                return src.getLong(offset, ByteOrder.LITTLE_ENDIAN);
            case MessageTags.DOUBLE:
                return Double.longBitsToDouble(src.getLong(offset, ByteOrder.LITTLE_ENDIAN));
            case MessageTags.STRING:
                return src.getStringWithoutLengthUtf8(offset, length);
            case MessageTags.BYTES:
            {
                final byte[] bytes = new byte[length];
                src.getBytes(offset, bytes);
                return bytes;
            }
            case MessageTags.BYTE_BUFFER:
            {
                final byte[] bytes = new byte[length];
                src.getBytes(offset, bytes);
                return ByteBuffer.wrap(bytes);
            }
            case MessageTags.OBJECT:
                return codec.decode(src, offset, length);
            default:
                throw new MessageDecodingException("unknown message tag " + tag + " (" + length + " bytes)", null);
        }
    }
}

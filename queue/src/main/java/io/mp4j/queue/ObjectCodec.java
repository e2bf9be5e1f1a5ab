package io.mp4j.queue;

import org.agrona.DirectBuffer;

/**
 * Encodes the objects that are not one of the built-in message types ({@code Integer}, {@code Long},
 * {@code Double}, {@code String}, {@code byte[]}, {@code ByteBuffer}) for a {@link Queue},
 * {@link Connection} or {@link DurableQueue}. The default is {@link JavaSerializationCodec}, which
 * limits what it deserializes with an {@link java.io.ObjectInputFilter}.
 *
 * <p>Both sides of a queue must use codecs that understand each other. Implementations must be
 * thread-safe. A queue, pipe end or durable queue passed to another process (e.g. as an argument of a
 * child) carries its codec along, so a codec given to one that travels must be
 * {@link java.io.Serializable}; otherwise serializing it throws {@link java.io.NotSerializableException}
 * naming the codec's class.
 *
 * <p>Example, a codec for a single record type:
 * <pre>{@code
 * ObjectCodec points = new ObjectCodec()
 * {
 *     public byte[] encode(Object value)
 *     {
 *         Point p = (Point)value;
 *         return ByteBuffer.allocate(8).putInt(p.x()).putInt(p.y()).array();
 *     }
 *
 *     public Object decode(DirectBuffer buffer, int offset, int length)
 *     {
 *         return new Point(buffer.getInt(offset, BIG_ENDIAN), buffer.getInt(offset + 4, BIG_ENDIAN));
 *     }
 * };
 * Queue<Point> queue = Queue.create(dir, "points", Queue.DEFAULT_CAPACITY, points);
 * }</pre>
 */
public interface ObjectCodec
{
    /**
     * @param value the object, never null and never one of the built-in message types.
     * @return its encoding.
     * @throws IllegalArgumentException if the object cannot be encoded; the message names its class.
     */
    byte[] encode(Object value);

    /**
     * @param buffer the buffer holding an encoding made by {@link #encode(Object)}.
     * @param offset where it starts.
     * @param length its length in bytes.
     * @return the object.
     * @throws MessageDecodingException if the bytes cannot be decoded or the class is refused.
     */
    Object decode(DirectBuffer buffer, int offset, int length);
}

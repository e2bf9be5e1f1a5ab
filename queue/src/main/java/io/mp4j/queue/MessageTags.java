package io.mp4j.queue;

/**
 * The message type ids written into the ring buffers (Agrona's {@code msgTypeId}, always positive).
 * The low 8 bits say how the payload is encoded; bits 8 to 10 mark the fragments of a message that was
 * split because it is longer than the ring's maximum message length (pipes only): the first fragment's
 * payload starts with the whole message's length (int, little-endian), then its chunk; the middle and
 * last fragments are chunks only.
 *
 * <pre>
 *   tag  payload (little-endian)
 *   1    int, 4 bytes
 *   2    long, 8 bytes
 *   3    double, 8 bytes (IEEE 754 bits)
 *   4    String, UTF-8 bytes, no length prefix (the record length is the length)
 *   5    byte[], the bytes
 *   6    ByteBuffer, the bytes between position and limit; received as a heap ByteBuffer
 *   7    any other object, encoded by the {@link ObjectCodec} of the queue or connection
 * </pre>
 */
final class MessageTags
{
    static final int INT = 1;
    static final int LONG = 2;
    static final int DOUBLE = 3;
    static final int STRING = 4;
    static final int BYTES = 5;
    static final int BYTE_BUFFER = 6;
    static final int OBJECT = 7;

    static final int TAG_MASK = 0xFF;
    static final int FRAGMENT_FIRST = 0x100;
    static final int FRAGMENT_MIDDLE = 0x200;
    static final int FRAGMENT_LAST = 0x400;
    static final int FRAGMENT_MASK = FRAGMENT_FIRST | FRAGMENT_MIDDLE | FRAGMENT_LAST;

    private MessageTags()
    {
    }

    static boolean isValidTag(final int tag)
    {
        return tag >= INT && tag <= OBJECT;
    }
}

package io.mp4j.queue;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The consuming side of an Agrona ring buffer ({@code ManyToOneRingBuffer} or {@code OneToOneRingBuffer},
 * same records), one message per {@link #read(MessageHandler)}, with the ring's release of consumed space
 * deferred.
 *
 * <p>Why: Agrona's {@code read(handler, 1)} zeroes each record and publishes the head position as soon as
 * the message is handled. Records are 16 to 72 bytes, so while the consumer trails the producer closely
 * it writes, message by message, the very cache lines the producer is filling, and the two cores pass
 * those lines back and forth; a batch {@code read} does that once per batch (about twice the throughput
 * between two processes here). Handing out one message per call is what a queue shared by several
 * consumers (a consumer killed after {@code get} loses only that message) and a pipe end that can be
 * handed to another process (nothing read ahead is stranded) need, so batching is not an option.
 *
 * <p>So there are two positions: the <b>consumed position</b>, a word of the owning region next to the
 * consumer lock (or in the receiving end's block), stored after each message; and Agrona's <b>head</b>,
 * which producers read for free space and behind which records must be zero. Records between the head
 * and the consumed position are consumed but not yet zeroed; {@link #release()} zeroes them and moves the
 * head up, when they reach {@code capacity / 16} bytes (at most 4 KiB), when nothing is left to read,
 * when the ring wraps, and when a producer finds the ring full ({@link MappedQueue}: a non-blocking
 * offer at once, a blocked put after a while). Invariants:
 * {@code head <= consumed <= tail}; whoever reads holds the queue's consumer lock or is the pipe end's
 * only receiver; a reader that dies leaves both words consistent (the next reader re-zeroes at worst).
 *
 * <p>Not thread-safe: callers serialize reads and releases.
 */
final class RingReader
{
    private static final int MAX_LAG = 4096;

    private final AtomicBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int headPositionIndex;
    private final int tailPositionIndex;
    private final AtomicBuffer positionBuffer;
    private final int consumedOffset;
    private final int lagLimit;

    /**
     * @param ring           the ring's buffer: capacity bytes of records, then Agrona's trailer.
     * @param positionBuffer holds the consumed position word.
     * @param consumedOffset where in it (8-byte aligned, on a line producers do not touch).
     * @param lazy           whether to defer the release as described; if not, each record is released as
     *                       soon as it is consumed, as Agrona's {@code read(handler, 1)} does.
     */
    RingReader(final AtomicBuffer ring, final AtomicBuffer positionBuffer, final int consumedOffset, final boolean lazy)
    {
        this.buffer = ring;
        this.capacity = ring.capacity() - RingBufferDescriptor.TRAILER_LENGTH;
        this.mask = capacity - 1;
        this.headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        this.tailPositionIndex = capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        this.positionBuffer = positionBuffer;
        this.consumedOffset = consumedOffset;
        this.lagLimit = lazy ? Math.min(capacity / 16, MAX_LAG) : 0;
    }

    /**
     * Hand the next message, if any, to {@code handler}; it is consumed when the handler returns or
     * throws. Padding records are skipped.
     *
     * @return 1 if a message was handled, 0 if there was none (or it is still being written).
     */
    int read(final MessageHandler handler)
    {
        long consumed = consumedPosition();
        while (true)
        {
            final int index = (int)consumed & mask;
            final int length = buffer.getIntVolatile(RecordDescriptor.lengthOffset(index));
            if (length <= 0)
            {
                release(consumed);
                return 0;
            }
            final long next = consumed + BitUtil.align(length, RecordDescriptor.ALIGNMENT);
            final int typeId = buffer.getInt(RecordDescriptor.typeOffset(index));
            if (typeId == RingBuffer.PADDING_MSG_TYPE_ID)
            {
                advance(next);
                consumed = next;
                continue;
            }
            try
            {
                handler.onMessage(typeId, buffer, RecordDescriptor.encodedMsgOffset(index), length - RecordDescriptor.HEADER_LENGTH);
            }
            finally
            {
                advance(next);
            }
            return 1;
        }
    }

    /**
     * @return whether the length word of the record at the consumed position is 0: nothing has been
     * written there yet, or a producer died between claiming the record and writing its header (then
     * the {@link #producerPosition()} is ahead). Reads only the line {@link #read} reads next.
     */
    boolean nextLengthIsZero()
    {
        return buffer.getIntVolatile(RecordDescriptor.lengthOffset((int)consumedPosition() & mask)) == 0;
    }

    /**
     * @return whether the record at the consumed position is committed (a message or padding that
     * {@link #read} would take now), as opposed to nothing there or a record claimed and not yet
     * committed. Positions from the consumed one to the tail were zero before their writer claimed them.
     */
    boolean nextIsCommitted()
    {
        final long consumed = consumedPosition();
        return producerPosition() > consumed &&
            buffer.getIntVolatile(RecordDescriptor.lengthOffset((int)consumed & mask)) > 0;
    }

    /**
     * @return the consumed position: everything before it has been handed out.
     */
    long consumedPosition()
    {
        return positionBuffer.getLongVolatile(consumedOffset);
    }

    /**
     * @return the producers' claim position.
     */
    long producerPosition()
    {
        return buffer.getLongVolatile(tailPositionIndex);
    }

    /**
     * @return bytes of records not yet consumed (claimed, written or being written).
     */
    int size()
    {
        final long consumed = consumedPosition();
        final long tail = producerPosition();
        return (int)Math.max(0, Math.min(capacity, tail - consumed));
    }

    /**
     * Zero the consumed records and move the head to the consumed position, so producers can reuse the
     * space (and Agrona's {@code unblock()}, which works from the head, sees the true consumer position).
     */
    void release()
    {
        release(consumedPosition());
    }

    private void advance(final long next)
    {
        positionBuffer.putLongRelease(consumedOffset, next);
        final long head = buffer.getLong(headPositionIndex);
        if (next - head >= lagLimit || ((int)next & mask) == 0)
        {
            release(next);
        }
    }

    private void release(final long consumed)
    {
        final long head = buffer.getLong(headPositionIndex);
        if (consumed <= head)
        {
            return;
        }
        final int from = (int)head & mask;
        final int length = (int)(consumed - head);
        if (from + length <= capacity)
        {
            buffer.setMemory(from, length, (byte)0);
        }
        else
        {
            buffer.setMemory(from, capacity - from, (byte)0);
            buffer.setMemory(0, length - (capacity - from), (byte)0);
        }
        buffer.putLongRelease(headPositionIndex, consumed);
    }
}

package io.mp4j.queue;

import io.mp4j.shm.InvalidRegionException;
import io.mp4j.shm.MappedRegion;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Layout of a pipe region ({@link io.mp4j.shm.RegionType#PIPE}), offsets relative to the payload (file
 * byte 128). The header's variant is 1 for a duplex pipe, 0 for a one-way pipe. Two end blocks, then
 * two Agrona {@link OneToOneRingBuffer}s: ring 0 is written by end 0 and read by end 1, ring 1 the
 * other way (a one-way pipe only uses ring 1: end 1 sends, end 0 receives).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   End 0 Holder: pid (high 32) | start time (low 32), 0 = none |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 End 0 Closed (1 = closed by holder)           |  8
 *  +---------------------------------------------------------------+
 *  |      End 0 Handoffs (serialized, not yet re-attached)         |  12
 *  +---------------------------------------------------------------+
 *  |            End 0 Last Handoff, epoch milliseconds             |  16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    padding to 64                             ...
 *  +---------------------------------------------------------------+
 *  |   End 0 Consumed Position in the ring end 0 reads (Agrona's   |  64
 *  |   head trails it; see RingReader); its own cache line         |
 *  +---------------------------------------------------------------+
 *  |                    padding to 128                            ...
 *  +---------------------------------------------------------------+
 *  |          End 1 block, same fields as End 0                   ...  128
 *  +---------------------------------------------------------------+
 *  |           Ring Capacity (bytes per direction)                 |  256
 *  +---------------------------------------------------------------+
 *  |                  Duplex (1) or one-way (0)                    |  260
 *  +---------------------------------------------------------------+
 *  |   Ring 0: capacity bytes of records + trailer                ...  384
 *  +---------------------------------------------------------------+
 *  |   Ring 1: capacity bytes of records + trailer                ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class PipeDescriptor
{
    static final int END_BLOCK_LENGTH = 128;
    static final int HOLDER_OFFSET = 0;
    static final int CLOSED_OFFSET = 8;
    static final int HANDOFFS_OFFSET = 12;
    static final int HANDOFF_MILLIS_OFFSET = 16;
    static final int CONSUMED_POSITION_OFFSET = 64;
    static final int RING_CAPACITY_OFFSET = 256;
    static final int DUPLEX_OFFSET = 260;
    static final int RINGS_OFFSET = 384;

    private PipeDescriptor()
    {
    }

    static int endOffset(final int end)
    {
        return end * END_BLOCK_LENGTH;
    }

    static int ringOffset(final int writerEnd, final int capacity)
    {
        return RINGS_OFFSET + writerEnd * (capacity + RingBufferDescriptor.TRAILER_LENGTH);
    }

    static long payloadLength(final int capacity)
    {
        return RINGS_OFFSET + 2L * (capacity + RingBufferDescriptor.TRAILER_LENGTH);
    }

    static int validate(final MappedRegion region)
    {
        final int capacity = region.buffer().getInt(RING_CAPACITY_OFFSET);
        if (capacity < QueueDescriptor.MIN_CAPACITY || capacity > QueueDescriptor.MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new InvalidRegionException(region.path(), "corrupt pipe: ring capacity " + capacity);
        }
        if (region.payloadLength() != payloadLength(capacity))
        {
            throw new InvalidRegionException(region.path(), "corrupt pipe: payload length " + region.payloadLength() +
                ", expected " + payloadLength(capacity) + " for rings of " + capacity);
        }
        final int duplex = region.buffer().getInt(DUPLEX_OFFSET);
        if ((duplex != 0 && duplex != 1) || duplex != region.variant())
        {
            throw new InvalidRegionException(region.path(), "corrupt pipe: duplex flag " + duplex +
                ", header variant " + region.variant());
        }
        return capacity;
    }

    static OneToOneRingBuffer ring(final MappedRegion region, final int writerEnd, final int capacity)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(
            region.buffer(), ringOffset(writerEnd, capacity), capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    /**
     * @return what a pipe region holds now, for {@link QueueRegionInspector}: per end whether it is held,
     * closed or free, and the bytes waiting for it, e.g. {@code "end 0 held, 64 bytes to read; end 1 closed"}.
     */
    static String describe(final org.agrona.concurrent.AtomicBuffer payload)
    {
        final int capacity = payload.getInt(RING_CAPACITY_OFFSET);
        final boolean duplex = payload.getInt(DUPLEX_OFFSET) != 0;
        final StringBuilder out = new StringBuilder();
        for (int end = 0; end < 2; end++)
        {
            final int block = endOffset(end);
            out.append(end == 0 ? "end 0 " : "; end 1 ");
            if (payload.getIntVolatile(block + CLOSED_OFFSET) != 0)
            {
                out.append("closed");
            }
            else
            {
                out.append(payload.getLongVolatile(block + HOLDER_OFFSET) != 0 ? "held" : "free");
            }
            if (duplex || end == 0)
            {
                // end e reads the ring the other end writes
                final int trailer = ringOffset(1 - end, capacity) + capacity;
                final long tail = payload.getLongVolatile(trailer + RingBufferDescriptor.TAIL_POSITION_OFFSET);
                final long head = payload.getLongVolatile(block + CONSUMED_POSITION_OFFSET);
                out.append(", ").append(Math.max(0, tail - head)).append(" bytes to read");
            }
        }
        return out.toString();
    }
}

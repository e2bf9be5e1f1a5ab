package io.mp4j.queue;

import io.mp4j.shm.InvalidRegionException;
import io.mp4j.shm.MappedRegion;
import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Layout of a queue region ({@link io.mp4j.shm.RegionType#QUEUE}): the payload of a
 * {@link MappedRegion}, i.e. offsets start at file byte 128. The header's variant is the kind
 * ({@link #KIND_QUEUE}, {@link #KIND_SIMPLE}, {@link #KIND_JOINABLE}). All numbers little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Consumer Lock: owner pid (high 32) | start time (low 32) |  0
 *  |                          (0 = free)                           |
 *  +---------------------------------------------------------------+
 *  |   Consumed Position: ring position up to which messages were  |  8
 *  |   taken (Agrona's head trails it; see RingReader)             |
 *  +---------------------------------------------------------------+
 *  |                      padding to 128                          ...
 *  +---------------------------------------------------------------+
 *  |   Producer Table: 32 packed identities of producer processes  |  128
 *  |   (pid high 32 | start time low 32), 0 = free slot           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |          Unfinished Tasks (JoinableQueue, else unused)        |  384
 *  +---------------------------------------------------------------+
 *  |   Unblock Count (stuck records of dead producers skipped)     |  512
 *  +---------------------------------------------------------------+
 *  |   Lock Recovery Count (locks taken from dead consumers)       |  520
 *  +---------------------------------------------------------------+
 *  |   Producer Table Overflow (1 once a producer found no slot)   |  528
 *  +---------------------------------------------------------------+
 *  |            Ring Capacity (bytes, a power of two)              |  640
 *  +---------------------------------------------------------------+
 *  |                            Kind                               |  644
 *  +---------------------------------------------------------------+
 *  |   Agrona ManyToOneRingBuffer: Ring Capacity bytes of records, |  768
 *  |   then its RingBufferDescriptor trailer                      ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A producer process enters its identity in the Producer Table on its first put (reusing the slot of
 * a dead producer only while the ring is empty, when no record of it can be stuck). A record left
 * half-written is unblocked only if a registered producer is dead, or the table overflowed. No message
 * counters are kept on the hot paths: {@code qsize} walks the records. Fields that different parties
 * write have their own 128-byte blocks so producers and consumers do not share a cache line; the
 * Consumed Position shares the consumer lock's block, since only the lock holder writes either. The records in the ring are Agrona's ({@code RecordDescriptor}); their message type id
 * is a {@link MessageTags} tag.
 */
final class QueueDescriptor
{
    static final int KIND_QUEUE = 1;
    static final int KIND_SIMPLE = 2;
    static final int KIND_JOINABLE = 3;

    static final int CONSUMER_LOCK_OFFSET = 0;
    static final int CONSUMED_POSITION_OFFSET = 8;
    static final int PRODUCER_TABLE_OFFSET = 128;
    static final int PRODUCER_SLOTS = 32;
    static final int UNFINISHED_TASKS_OFFSET = 384;
    static final int UNBLOCK_COUNT_OFFSET = 512;
    static final int LOCK_RECOVERY_COUNT_OFFSET = 520;
    static final int PRODUCER_OVERFLOW_OFFSET = 528;
    static final int RING_CAPACITY_OFFSET = 640;
    static final int KIND_OFFSET = 644;
    static final int RING_OFFSET = 768;

    /** Smallest ring capacity accepted. */
    static final int MIN_CAPACITY = 1024;
    /** Largest ring capacity accepted. */
    static final int MAX_CAPACITY = 1 << 30;

    private QueueDescriptor()
    {
    }

    static String kindName(final int kind)
    {
        switch (kind)
        {
            case KIND_QUEUE:
                return "Queue";
            case KIND_SIMPLE:
                return "SimpleQueue";
            case KIND_JOINABLE:
                return "JoinableQueue";
            default:
                return "unknown kind " + kind;
        }
    }

    /**
     * @param capacity ring capacity in bytes.
     * @return the payload length of a queue region with that ring.
     */
    static long payloadLength(final int capacity)
    {
        return (long)RING_OFFSET + capacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /**
     * @param capacity a ring capacity.
     * @throws IllegalArgumentException naming the number if it is not a power of two in range.
     */
    static void checkCapacity(final int capacity)
    {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be a power of two from " +
                MIN_CAPACITY + " to " + MAX_CAPACITY + " bytes");
        }
    }

    /**
     * Validate the payload of an attached queue region.
     *
     * @return the ring capacity.
     */
    static int validate(final MappedRegion region, final int expectedKind)
    {
        final int kind = region.buffer().getInt(KIND_OFFSET);
        if (region.variant() != kind)
        {
            throw new InvalidRegionException(region.path(), "corrupt queue: header variant " + region.variant() +
                " differs from the kind " + kind + " in the payload");
        }
        if (kind != expectedKind)
        {
            throw new InvalidRegionException(region.path(), "wrong kind: the queue is a " + kindName(kind) +
                ", not a " + kindName(expectedKind));
        }
        final int capacity = region.buffer().getInt(RING_CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new InvalidRegionException(region.path(), "corrupt queue: ring capacity " + capacity);
        }
        if (region.payloadLength() != payloadLength(capacity))
        {
            throw new InvalidRegionException(region.path(), "corrupt queue: payload length " +
                region.payloadLength() + ", expected " + payloadLength(capacity) + " for a ring of " + capacity);
        }
        return capacity;
    }

    static ManyToOneRingBuffer ring(final MappedRegion region, final int offset, final int capacity)
    {
        return new ManyToOneRingBuffer(
            new org.agrona.concurrent.UnsafeBuffer(region.buffer(), offset, capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }
}

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
 *  |          Unfinished Tasks (JoinableQueue, else unused)        |  128
 *  +---------------------------------------------------------------+
 *  |   Unblock Count (stuck records of dead producers skipped)     |  256
 *  +---------------------------------------------------------------+
 *  |   Lock Recovery Count (locks taken from dead consumers)       |  264
 *  +---------------------------------------------------------------+
 *  |   Unregistered Writers: writes in progress by producer        |  384
 *  |   threads that found no free slot in the Producer Table and   |
 *  |   the Overflow Slot taken                                     |
 *  +---------------------------------------------------------------+
 *  |   Overflow Slot Identity: pid (high 32) | start time (low 32) |  392
 *  |   of the process of the one slotless thread writing, 0 = free |
 *  +---------------------------------------------------------------+
 *  |   Overflow Slot Writing Since: as a producer slot's           |  400
 *  +---------------------------------------------------------------+
 *  |            Ring Capacity (bytes, a power of two)              |  512
 *  +---------------------------------------------------------------+
 *  |                            Kind                               |  516
 *  +---------------------------------------------------------------+
 *  |   Producer Table: 128 slots of 128 bytes, one per producer    |  640
 *  |   thread; slot i at 640 + 128 * i:                            |
 *  |     +0  Identity: pid (high 32) | start time (low 32) of the  |
 *  |         process, 0 = free slot                                |
 *  |     +8  Writing Since: the producers' tail position the       |
 *  |         thread read before its claim, while its write is in   |
 *  |         progress; Long.MAX_VALUE (idle) otherwise             |
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |   Agrona ManyToOneRingBuffer: Ring Capacity bytes of records, |  17024
 *  |   then its RingBufferDescriptor trailer                      ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A queue file needs {@link MappedRegion#LAYOUT_VERSION} 2 (the Producer Table had no Writing Since
 * before). A producer thread takes a slot on its first put: a free one, else one whose process is dead
 * (a dead process writes nothing, so its slot can be taken at any time), else one a thread of the same
 * JVM held and that has ended. Around each write it stores the tail it read into its slot's Writing
 * Since (a release store to its own line) and sets it back to idle after the commit. A record left
 * half-written is turned into padding only if no live process has a slot writing since a position
 * before the end of the stretch padded: a write that began later claims a later position, so a live
 * writer that may own the stuck record is always waited for. A thread that found no slot writes through
 * the Overflow Slot, one such thread at a time: it CASes the Overflow Slot Identity from 0 (or from a dead
 * process) to its process, stores Writing Since, writes, stores idle and 0; the slot is judged like a
 * producer slot, so a slotless writer killed mid-write is skipped like any other. Only a thread that finds
 * the Overflow Slot taken by a live process too counts its write in Unregistered Writers; while that is not
 * 0 nothing is unblocked. No message counters
 * are kept on the hot paths: {@code qsize} walks the records. Fields that different parties write have
 * their own 128-byte blocks so producers and consumers do not share a cache line; the Consumed Position
 * shares the consumer lock's block, since only the lock holder writes either. The records in the ring
 * are Agrona's ({@code RecordDescriptor}); their message type id is a {@link MessageTags} tag.
 */
final class QueueDescriptor
{
    static final int KIND_QUEUE = 1;
    static final int KIND_SIMPLE = 2;
    static final int KIND_JOINABLE = 3;

    static final int CONSUMER_LOCK_OFFSET = 0;
    static final int CONSUMED_POSITION_OFFSET = 8;
    static final int UNFINISHED_TASKS_OFFSET = 128;
    static final int UNBLOCK_COUNT_OFFSET = 256;
    static final int LOCK_RECOVERY_COUNT_OFFSET = 264;
    static final int UNREGISTERED_WRITERS_OFFSET = 384;
    static final int OVERFLOW_IDENTITY_OFFSET = 392;
    static final int OVERFLOW_WRITING_SINCE_OFFSET = 400;
    static final int RING_CAPACITY_OFFSET = 512;
    static final int KIND_OFFSET = 516;
    static final int PRODUCER_TABLE_OFFSET = 640;
    static final int PRODUCER_SLOTS = 128;
    static final int PRODUCER_SLOT_LENGTH = 128;
    static final int RING_OFFSET = PRODUCER_TABLE_OFFSET + PRODUCER_SLOTS * PRODUCER_SLOT_LENGTH;
    /** Writing Since of a slot whose thread is not writing. */
    static final long IDLE = Long.MAX_VALUE;
    /** The region layout version a queue file needs (older ones lack Writing Since). */
    static final int LAYOUT_VERSION = 2;

    /** Smallest ring capacity accepted. */
    static final int MIN_CAPACITY = 1024;
    /** Largest ring capacity accepted. */
    static final int MAX_CAPACITY = 1 << 30;

    private QueueDescriptor()
    {
    }

    static int identityOffset(final int slot)
    {
        return PRODUCER_TABLE_OFFSET + slot * PRODUCER_SLOT_LENGTH;
    }

    static int writingSinceOffset(final int slot)
    {
        return PRODUCER_TABLE_OFFSET + slot * PRODUCER_SLOT_LENGTH + Long.BYTES;
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
        final int version = region.wholeBuffer().getInt(MappedRegion.VERSION_OFFSET);
        if (version < LAYOUT_VERSION)
        {
            throw new InvalidRegionException(region.path(), "queue of layout version " + version +
                ", made by an older mp4j; this mp4j reads queues of layout version " + LAYOUT_VERSION);
        }
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

    /**
     * @return what a queue region holds now, for {@link QueueRegionInspector}: {@code "120 bytes queued of
     * 65536"}, then a joinable queue's unfinished tasks, and the records skipped after dead producers and the
     * consumer-lock take-overs, when there were any; null for a kind this layout does not describe.
     */
    static String describe(final int kind, final org.agrona.concurrent.AtomicBuffer payload)
    {
        if (kind != KIND_QUEUE && kind != KIND_SIMPLE && kind != KIND_JOINABLE)
        {
            return null;
        }
        final int capacity = payload.getInt(RING_CAPACITY_OFFSET);
        final int trailer = RING_OFFSET + capacity;
        final long tail = payload.getLongVolatile(trailer + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        final long consumed = payload.getLongVolatile(CONSUMED_POSITION_OFFSET); // Agrona's head trails it, see RingReader
        final StringBuilder out = new StringBuilder().append(Math.max(0, tail - consumed)).append(" bytes queued of ").append(capacity);
        if (kind == KIND_JOINABLE)
        {
            out.append(", ").append(payload.getLongVolatile(UNFINISHED_TASKS_OFFSET)).append(" unfinished");
        }
        final long unblocks = payload.getLongVolatile(UNBLOCK_COUNT_OFFSET);
        if (unblocks > 0)
        {
            out.append(", ").append(unblocks).append(" skipped after dead producers");
        }
        final long recoveries = payload.getLongVolatile(LOCK_RECOVERY_COUNT_OFFSET);
        if (recoveries > 0)
        {
            out.append(", ").append(recoveries).append(" consumer-lock take-overs");
        }
        return out.toString();
    }
}

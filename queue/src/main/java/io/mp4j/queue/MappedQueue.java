package io.mp4j.queue;

import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory-mapped implementation of {@link Queue}.
 */
class MappedQueue<T> implements Queue<T>
{
    private static final long serialVersionUID = 1L;



    static final long UNBLOCK_TIMEOUT_NS =
        TimeUnit.MILLISECONDS.toNanos(Long.getLong(UNBLOCK_TIMEOUT_PROPERTY, 1000L));

    static final long OWNER_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final long FOREVER = Long.MAX_VALUE;

    private static final Object NONE = new Object();
    private static final int RELEASE_AFTER_TRIES = 256;
    /**
     * Whether consumers release taken ring space in blocks (see {@link RingReader}). Off: measured
     * between processes on the loaded 2-core machine, it did not make the queue faster (2 producers to
     * 1 consumer looked slower), while it helped the pipe's single receiver.
     */
    private static final boolean LAZY_RELEASE = false;

    private static final AtomicLong NAMES = new AtomicLong();

    /** Offset of a thread's Writing Since word when it holds no slot (it counts in Unregistered Writers). */
    private static final int NO_SLOT = -1;

    /** Per queue file, the slots this JVM's producer threads hold; guarded by itself. */
    private static final java.util.Map<Path, LocalProducers> LOCAL_PRODUCERS = new java.util.HashMap<>();

    private final transient MappedRegion region;

    private final transient AtomicBuffer state;

    private final transient ManyToOneRingBuffer ring;

    private final transient RingReader ringReader;

    private final transient ObjectCodec codec;

    /** The codec this instance was given, null for the default: what a handle carries. */
    private final transient ObjectCodec givenCodec;

    private final transient int kind;

    private final transient Reader reader = new Reader();

    private transient long lastOwnerCheckNs;

    /** Whether this instance counts in its file's {@link LocalProducers#instances}; guarded by LOCAL_PRODUCERS. */
    private transient boolean registered;

    private final transient ThreadLocal<WriterSlot> writerSlot = ThreadLocal.withInitial(this::registerWriter);

    private transient long stallPosition = -1;

    private transient long stallSinceNs;

    private transient int emptyPolls;

    private transient volatile boolean closed;

    private final transient java.util.concurrent.atomic.AtomicInteger waiters = new java.util.concurrent.atomic.AtomicInteger();

    MappedQueue(final MappedRegion region, final int kind, final ObjectCodec codec)
    {
        this.region = region;
        this.kind = kind;
        this.codec = codec == null ? new JavaSerializationCodec() : codec;
        this.givenCodec = codec;
        this.state = region.buffer();
        final int capacity = state.getInt(QueueDescriptor.RING_CAPACITY_OFFSET);
        this.ring = QueueDescriptor.ring(region, QueueDescriptor.RING_OFFSET, capacity);
        this.ringReader = new RingReader(ring.buffer(), state, QueueDescriptor.CONSUMED_POSITION_OFFSET, LAZY_RELEASE);
    }

    static MappedRegion createRegion(final Path file, final int kind, final int capacity)
    {
        QueueDescriptor.checkCapacity(capacity);
        final MappedRegion region = MappedRegion.create(file, RegionType.QUEUE, kind, QueueDescriptor.payloadLength(capacity));
        region.buffer().putInt(QueueDescriptor.RING_CAPACITY_OFFSET, capacity);
        region.buffer().putInt(QueueDescriptor.KIND_OFFSET, kind);
        return region.publish();
    }

    static MappedRegion attachRegion(final Path file, final int kind)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.QUEUE);
        try
        {
            QueueDescriptor.validate(region, kind);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
        return region;
    }

    static String generatedName(final String prefix)
    {
        return prefix + "-" + ProcessIdentity.pid(ProcessIdentity.SELF) + "-" + NAMES.incrementAndGet() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);
    }

    static <T> MappedQueue<T> create()
    {
        return create(RuntimeDirectory.global(), generatedName("queue"));
    }

    static <T> MappedQueue<T> create(final RuntimeDirectory dir, final String name)
    {
        return create(dir, name, DEFAULT_CAPACITY, null);
    }

    static <T> MappedQueue<T> create(final RuntimeDirectory dir, final String name, final int capacity, final ObjectCodec codec)
    {
        return new MappedQueue<>(createRegion(dir.resolve(name), QueueDescriptor.KIND_QUEUE, capacity), QueueDescriptor.KIND_QUEUE, codec);
    }

    static <T> MappedQueue<T> attach(final Path file)
    {
        return attach(file, null);
    }

    static <T> MappedQueue<T> attach(final Path file, final ObjectCodec codec)
    {
        return new MappedQueue<>(attachRegion(file, QueueDescriptor.KIND_QUEUE), QueueDescriptor.KIND_QUEUE, codec);
    }

// ------------------------------------------------------------------------------------------ insert

    @Override
    public void put(final T item) throws InterruptedException
    {
        insert(item, FOREVER);
    }

    @Override
    public void put(final T item, final Duration timeout) throws InterruptedException
    {
        if (!insert(item, Math.max(0, IdleStrategies.toNanos(timeout))))
        {
            throw new FullException(this + " stayed full for " + timeout);
        }
    }

    @Override
    public void putNowait(final T item)
    {
        if (!offer(item))
        {
            throw new FullException(this + " is full");
        }
    }

    @Override
    public boolean offer(final T item)
    {
        final Encoder encoder = Encoder.current().encode(item, codec);
        try
        {
            return tryWrite(encoder, true);
        }
        finally
        {
            encoder.clear();
        }
    }

    @Override
    public boolean offer(final T item, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return insert(item, Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public void putBytes(final org.agrona.DirectBuffer src, final int offset, final int length) throws InterruptedException
    {
        final Encoder encoder = Encoder.current().bytes(src, offset, length);
        try
        {
            awaitWrite(encoder, FOREVER);
        }
        finally
        {
            encoder.clear();
        }
    }

    @Override
    public boolean offerBytes(final org.agrona.DirectBuffer src, final int offset, final int length)
    {
        final Encoder encoder = Encoder.current().bytes(src, offset, length);
        try
        {
            return tryWrite(encoder, true);
        }
        finally
        {
            encoder.clear();
        }
    }

    private boolean insert(final T item, final long timeoutNs) throws InterruptedException
    {
        final Encoder encoder = Encoder.current().encode(item, codec);
        try
        {
            return awaitWrite(encoder, timeoutNs);
        }
        finally
        {
            encoder.clear();
        }
    }

    private boolean awaitWrite(final Encoder encoder, final long timeoutNs) throws InterruptedException
    {
        if (tryWrite(encoder, timeoutNs == 0))
        {
            return true;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        final IdleStrategy idle = Idle.current();
        int tries = 0;
        while (true)
        {
            if (timeoutNs != FOREVER && System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            idle.idle();
            // a consumer taking messages releases their space itself every few KiB; take its lock to
            // release it only once it has not done so for a while (e.g. it stopped after a get)
            if (tryWrite(encoder, ++tries >= RELEASE_AFTER_TRIES))
            {
                return true;
            }
        }
    }

    /**
     * @param release whether to release space consumers took but have not released yet, if that makes
     *                room (takes the consumer lock, whose line the consumer writes on every take).
     */
    boolean tryWrite(final Encoder encoder, final boolean release)
    {
        enterWait();
        try
        {
            return doTryWrite(encoder, release);
        }
        finally
        {
            exitWait();
        }
    }

    private boolean doTryWrite(final Encoder encoder, final boolean release)
    {
        ensureOpen();
        if (encoder.length > ring.maxMsgLength())
        {
            throw new MessageTooLargeException(toString(), ring.maxMsgLength(), encoder.length);
        }
        final boolean joinable = kind == QueueDescriptor.KIND_JOINABLE;
        if (joinable)
        {
            state.getAndAddLong(QueueDescriptor.UNFINISHED_TASKS_OFFSET, 1);
        }
        final int since = beginWrite();
        try
        {
            if (ring.write(encoder.tag, encoder.buffer, encoder.offset, encoder.length) ||
                (release && releaseConsumed(encoder.length) && ring.write(encoder.tag, encoder.buffer, encoder.offset, encoder.length)))
            {
                return true;
            }
        }
        finally
        {
            endWrite(since);
        }
        if (joinable)
        {
            state.getAndAddLong(QueueDescriptor.UNFINISHED_TASKS_OFFSET, -1);
        }
        return false;
    }

    /**
     * Mark this thread as writing since the producers' current tail, before it claims: any record it
     * claims is at or after that position, so a consumer stalled before it knows this write is not its.
     * A release store to the thread's own slot line; the claim's CAS publishes it with the claim.
     *
     * @return the offset of the thread's Writing Since word, or {@link #NO_SLOT}; pass it to
     * {@link #endWrite(int)}.
     */
    final int beginWrite()
    {
        final WriterSlot slot = writerSlot.get();
        if (slot.offset == NO_SLOT && (++slot.unregisteredWrites & 255) == 0)
        {
            // a slot may have been freed since: try again now and then
            slot.offset = registerSlot(Thread.currentThread());
        }
        final int offset = slot.offset;
        if (offset != NO_SLOT)
        {
            state.putLongRelease(offset, ring.producerPosition());
            return offset;
        }
        return beginUnregisteredWrite();
    }

    /**
     * A thread without a producer slot writes through the one Overflow Slot if it can take it (free, or left
     * by a dead process): it names its process, so a consumer can tell when that writer died mid-write. A
     * second slotless writer at the same time is only counted, and while it writes nothing is unblocked.
     */
    private int beginUnregisteredWrite()
    {
        final long holder = state.getLongVolatile(QueueDescriptor.OVERFLOW_IDENTITY_OFFSET);
        if ((holder == ProcessIdentity.NONE || (holder != ProcessIdentity.SELF && !ProcessIdentity.isAlive(holder))) &&
            state.compareAndSetLong(QueueDescriptor.OVERFLOW_IDENTITY_OFFSET, holder, ProcessIdentity.SELF))
        {
            state.putLongRelease(QueueDescriptor.OVERFLOW_WRITING_SINCE_OFFSET, ring.producerPosition());
            return QueueDescriptor.OVERFLOW_WRITING_SINCE_OFFSET;
        }
        state.getAndAddLong(QueueDescriptor.UNREGISTERED_WRITERS_OFFSET, 1);
        return NO_SLOT;
    }

    /**
     * The write begun by {@link #beginWrite()} is committed, or did not claim anything.
     */
    final void endWrite(final int offset)
    {
        if (offset == NO_SLOT)
        {
            state.getAndAddLong(QueueDescriptor.UNREGISTERED_WRITERS_OFFSET, -1);
            return;
        }
        state.putLongRelease(offset, QueueDescriptor.IDLE);
        if (offset == QueueDescriptor.OVERFLOW_WRITING_SINCE_OFFSET)
        {
            state.putLongRelease(QueueDescriptor.OVERFLOW_IDENTITY_OFFSET, ProcessIdentity.NONE);
        }
    }

// ------------------------------------------------------------------------------------------ remove

    @Override
    @SuppressWarnings("unchecked")
    public T get() throws InterruptedException
    {
        return (T)take(FOREVER);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(final Duration timeout) throws InterruptedException
    {
        final Object value = take(Math.max(0, IdleStrategies.toNanos(timeout)));
        if (value == NONE)
        {
            throw new EmptyException(this + " stayed empty for " + timeout);
        }
        return (T)value;
    }

    @Override
    public T getNowait()
    {
        final T value = poll();
        if (value == null)
        {
            throw new EmptyException(this + " is empty");
        }
        return value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T poll()
    {
        final Object value = takeNow(true);
        return value == NONE ? null : (T)value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final Object value = take(Math.max(0, unit.toNanos(timeout)));
        return value == NONE ? null : (T)value;
    }

    @Override
    public boolean readBytes(final BytesHandler handler)
    {
        enterWait();
        try
        {
            return readBytesNow(handler);
        }
        finally
        {
            exitWait();
        }
    }

    private boolean readBytesNow(final BytesHandler handler)
    {
        ensureOpen();
        if (nothingToRead() || !lockConsumer(true))
        {
            return false;
        }
        try
        {
            reader.bytesHandler = handler;
            final int read = ringReader.read(reader);
            if (read == 0)
            {
                watchStall();
                return false;
            }
            stallPosition = -1;
            return true;
        }
        finally
        {
            reader.bytesHandler = null;
            unlockConsumer();
        }
    }

    private Object take(final long timeoutNs) throws InterruptedException
    {
        Object value = takeNow(false);
        if (value != NONE || timeoutNs == 0)
        {
            return value;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        final IdleStrategy idle = Idle.current();
        while (true)
        {
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            idle.idle();
            value = takeNow(false);
            if (value != NONE)
            {
                return value;
            }
            if (timeoutNs != FOREVER && System.nanoTime() - deadline >= 0)
            {
                return NONE;
            }
        }
    }

    /**
     * A thread of this JVM is about to touch the mapping: each try of a put or a take (a thread idling
     * between tries is not counted, and its next try throws once closed), and a join for its whole wait.
     * {@link #close()} waits for counted threads to leave before it unmaps. Call {@link #ensureOpen()}
     * after this: the increment is a full fence and close() sets the flag before it reads the count, so
     * either the thread sees the flag or close() sees the thread.
     */
    final void enterWait()
    {
        waiters.incrementAndGet();
    }

    final void exitWait()
    {
        waiters.decrementAndGet();
    }

    /**
     * Whether there is certainly nothing to read, without touching the producers' tail counter while
     * messages flow: peek at the length word of the record at the consumer position (the cache line
     * {@code read} touches next anyway); only if it is 0 compare the positions, which also lets a
     * record stuck with length 0 (a producer that died right after claiming) reach the stall watch.
     */
    private boolean nothingToRead()
    {
        if (!ringReader.nextLengthIsZero())
        {
            return false;
        }
        // Nothing written at the consumed position, or a record stuck at length 0 (its producer died
        // right after claiming it), which only the producers' tail being ahead tells. The tail is the
        // line every put CASes: a consumer comparing it on each empty poll takes that line from the
        // producer again and again (half the throughput between two processes here), so compare on
        // every 64th empty poll only; the stall watch counts in hundreds of milliseconds anyway.
        return (++emptyPolls & 63) != 0 || ring.producerPosition() == ringReader.consumedPosition();
    }

    /**
     * The ring looked full to a producer: consumers release the space of what they took lazily (see
     * {@link RingReader}), so release it now, under the consumer lock.
     *
     * @param length the encoded length of the message that did not fit.
     * @return whether space was released (then the write is worth retrying).
     */
    private boolean releaseConsumed(final int length)
    {
        final long consumed = ringReader.consumedPosition();
        if (consumed == ring.consumerPosition())
        {
            return false;
        }
        // Only if the taken-but-unreleased space would make room: a ring that is full even counting it
        // gains nothing, and the consumer lock's line is the one the consumer writes on every take, so
        // producers spinning on a truly full ring must not CAS it on every try.
        final int needed = org.agrona.BitUtil.align(length + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        if (ring.capacity() - (ring.producerPosition() - consumed) < needed || !lockConsumer(false))
        {
            return false;
        }
        try
        {
            ringReader.release();
            return true;
        }
        finally
        {
            unlockConsumer();
        }
    }

    /**
     * @param persist whether to wait briefly for a consumer lock held by another live consumer.
     */
    private Object takeNow(final boolean persist)
    {
        enterWait();
        try
        {
            return doTakeNow(persist);
        }
        finally
        {
            exitWait();
        }
    }

    private Object doTakeNow(final boolean persist)
    {
        ensureOpen();
        if (nothingToRead())
        {
            return NONE;
        }
        if (!lockConsumer(persist))
        {
            return NONE;
        }
        final int tag;
        final long bits;
        final Object value;
        try
        {
            final int read = ringReader.read(reader);
            if (read == 0)
            {
                watchStall();
                return NONE;
            }
            stallPosition = -1;
            tag = reader.tag;
            bits = reader.bits;
            value = reader.value;
            reader.value = null;
        }
        finally
        {
            unlockConsumer();
        }
        switch (tag)
        {
            case MessageTags.INT:
                return (int)bits;
            case MessageTags.LONG:
                return bits;
            case MessageTags.DOUBLE:
                return Double.longBitsToDouble(bits);
            case MessageTags.OBJECT:
            {
                final byte[] bytes = (byte[])value;
                return codec.decode(new org.agrona.concurrent.UnsafeBuffer(bytes), 0, bytes.length);
            }
            default:
                return value;
        }
    }

    private WriterSlot registerWriter()
    {
        return new WriterSlot(registerSlot(Thread.currentThread()));
    }

    /**
     * Find the calling thread a producer slot: the one it holds through another instance of this JVM,
     * a free one, one of a dead process (a dead process writes nothing, so its slot can be taken at any
     * time, even if it died mid-write: that record is skipped by position, not by owner), or one a
     * thread of this JVM held and that has ended.
     *
     * @return the offset of the slot's Writing Since word, or {@link #NO_SLOT} if all slots are held
     * by live threads.
     */
    private int registerSlot(final Thread thread)
    {
        synchronized (LOCAL_PRODUCERS)
        {
            final LocalProducers local = LOCAL_PRODUCERS.computeIfAbsent(region.path(), path -> new LocalProducers());
            if (!registered)
            {
                registered = true;
                local.instances++;
            }
            final Integer held = local.slots.get(thread);
            if (held != null)
            {
                return QueueDescriptor.writingSinceOffset(held);
            }
            // the slots of this JVM's threads that have ended go back to the table, for any process: a JVM
            // whose producer threads come and go (a cached thread pool) must not keep the table full
            for (final java.util.Iterator<java.util.Map.Entry<Thread, Integer>> it = local.slots.entrySet().iterator(); it.hasNext(); )
            {
                final java.util.Map.Entry<Thread, Integer> entry = it.next();
                if (!entry.getKey().isAlive())
                {
                    it.remove();
                    state.putLongRelease(QueueDescriptor.writingSinceOffset(entry.getValue()), QueueDescriptor.IDLE);
                    state.compareAndSetLong(QueueDescriptor.identityOffset(entry.getValue()), ProcessIdentity.SELF, ProcessIdentity.NONE);
                }
            }
            final int slot = takeSlot();
            if (slot < 0)
            {
                return NO_SLOT;
            }
            local.slots.put(thread, slot);
            return QueueDescriptor.writingSinceOffset(slot);
        }
    }

    private int takeSlot()
    {
        for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
        {
            if (state.compareAndSetLong(QueueDescriptor.identityOffset(i), ProcessIdentity.NONE, ProcessIdentity.SELF))
            {
                state.putLongRelease(QueueDescriptor.writingSinceOffset(i), QueueDescriptor.IDLE);
                return i;
            }
        }
        for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
        {
            final long identity = state.getLongVolatile(QueueDescriptor.identityOffset(i));
            if (identity != ProcessIdentity.SELF && !ProcessIdentity.isAlive(identity) &&
                state.compareAndSetLong(QueueDescriptor.identityOffset(i), identity, ProcessIdentity.SELF))
            {
                // until this store a consumer sees a live slot writing since the dead one's position: it
                // only waits a little longer
                state.putLongRelease(QueueDescriptor.writingSinceOffset(i), QueueDescriptor.IDLE);
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether the records from the consumed position up to {@code end} may be turned into padding: no
     * thread of a live process is writing since a position before {@code end} (a write that began at
     * or after {@code end} claims at or after it), nor through the Overflow Slot, and no counted slotless
     * thread is writing. Reads the
     * slots after the tail, which was seen past these records, so every slot write before their claims
     * is visible.
     */
    private boolean mayUnblock(final long end)
    {
        if (state.getLongVolatile(QueueDescriptor.UNREGISTERED_WRITERS_OFFSET) != 0)
        {
            return false;
        }
        if (state.getLongVolatile(QueueDescriptor.OVERFLOW_WRITING_SINCE_OFFSET) < end &&
            ProcessIdentity.isAlive(state.getLongVolatile(QueueDescriptor.OVERFLOW_IDENTITY_OFFSET)))
        {
            return false;
        }
        for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
        {
            if (state.getLongVolatile(QueueDescriptor.writingSinceOffset(i)) < end)
            {
                final long identity = state.getLongVolatile(QueueDescriptor.identityOffset(i));
                if (identity != ProcessIdentity.NONE && ProcessIdentity.isAlive(identity))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Agrona's {@link ManyToOneRingBuffer#unblock()}, from the consumed position, but padding only a
     * stretch of claimed records that no live producer can be writing into ({@link #mayUnblock}), and
     * also a stretch of zero lengths that reaches the tail or the end of the buffer (Agrona leaves those
     * stuck until something is written after them). Called under the consumer lock.
     *
     * @return whether a stuck record was turned into padding.
     */
    private boolean unblock()
    {
        final long head = ringReader.consumedPosition();
        final long tail = ring.producerPosition();
        if (tail <= head)
        {
            return false;
        }
        // Every record between head and this tail was claimed by a write that began before the tail was
        // read. If none of those writers is alive, nothing in the stretch can change any more: only then
        // read its headers (read before the check, a live writer could commit under the padding).
        if (!mayUnblock(tail))
        {
            return false;
        }
        final AtomicBuffer buffer = ring.buffer();
        final int capacity = ring.capacity();
        final int index = (int)head & (capacity - 1);
        final int lengthOffset = RecordDescriptor.lengthOffset(index);
        final int length = buffer.getIntVolatile(lengthOffset);
        final int padding;
        if (length < 0)
        {
            padding = -length;
        }
        else if (length == 0)
        {
            // claimed, header not written yet (a writer writes the header before the body, so the stretch
            // is zeros): pad up to the next record with a length, or to the tail read above
            final int limit = (int)Math.min(capacity, index + (tail - head));
            int i = index + RecordDescriptor.ALIGNMENT;
            while (i < limit && buffer.getIntVolatile(RecordDescriptor.lengthOffset(i)) == 0)
            {
                i += RecordDescriptor.ALIGNMENT;
            }
            padding = i - index;
        }
        else
        {
            return false;
        }
        // under the consumer lock, so no reader sees the length before the type
        if (!buffer.compareAndSetInt(lengthOffset, length, padding))
        {
            return false;
        }
        buffer.putIntRelease(RecordDescriptor.typeOffset(index), RingBuffer.PADDING_MSG_TYPE_ID);
        return true;
    }

    /**
     * Called under the consumer lock when nothing could be read although the producer position is
     * ahead: a producer may have died between claiming and committing a record.
     */
    private void watchStall()
    {
        final long consumerPosition = ringReader.consumedPosition();
        if (ring.producerPosition() <= consumerPosition)
        {
            stallPosition = -1;
            return;
        }
        final long now = System.nanoTime();
        if (consumerPosition != stallPosition)
        {
            stallPosition = consumerPosition;
            stallSinceNs = now;
        }
        else if (now - stallSinceNs >= UNBLOCK_TIMEOUT_NS)
        {
            if (unblock())
            {
                state.getAndAddLong(QueueDescriptor.UNBLOCK_COUNT_OFFSET, 1);
            }
            stallPosition = -1;
        }
    }

    private boolean lockConsumer(final boolean persist)
    {
        int attempts = 0;
        while (true)
        {
            if (state.compareAndSetLong(QueueDescriptor.CONSUMER_LOCK_OFFSET, ProcessIdentity.NONE, ProcessIdentity.SELF))
            {
                return true;
            }
            final long owner = state.getLongVolatile(QueueDescriptor.CONSUMER_LOCK_OFFSET);
            if (owner != ProcessIdentity.NONE && owner != ProcessIdentity.SELF)
            {
                final long now = System.nanoTime();
                if (now - lastOwnerCheckNs >= OWNER_CHECK_INTERVAL_NS)
                {
                    lastOwnerCheckNs = now;
                    if (!ProcessIdentity.isAlive(owner) &&
                        state.compareAndSetLong(QueueDescriptor.CONSUMER_LOCK_OFFSET, owner, ProcessIdentity.SELF))
                    {
                        state.getAndAddLong(QueueDescriptor.LOCK_RECOVERY_COUNT_OFFSET, 1);
                        return true;
                    }
                }
            }
            if (++attempts > (persist ? 1000 : 50))
            {
                return false;
            }
            if (attempts > 20)
            {
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private void unlockConsumer()
    {
        state.putLongRelease(QueueDescriptor.CONSUMER_LOCK_OFFSET, ProcessIdentity.NONE);
    }

// ------------------------------------------------------------------------------------------ state

    @Override
    public int qsize()
    {
        ensureOpen();
        // Walk the records between the consumer and producer positions: nothing is counted on the hot
        // paths. Records being written count; the walk stops early where a record is being consumed.
        final AtomicBuffer buffer = ring.buffer();
        final int mask = ring.capacity() - 1;
        long position = ringReader.consumedPosition();
        final long limit = ring.producerPosition();
        int count = 0;
        while (position < limit)
        {
            final int index = (int)position & mask;
            final int length = buffer.getIntVolatile(RecordDescriptor.lengthOffset(index));
            if (length == 0)
            {
                final long consumer = ringReader.consumedPosition();
                if (consumer > position)
                {
                    position = consumer;
                    continue;
                }
                break;
            }
            if (length > 0 && buffer.getInt(RecordDescriptor.typeOffset(index)) != RingBuffer.PADDING_MSG_TYPE_ID || length < 0)
            {
                count++;
            }
            position += org.agrona.BitUtil.align(Math.abs(length), RecordDescriptor.ALIGNMENT);
        }
        return count;
    }

    @Override
    public boolean empty()
    {
        ensureOpen();
        return ring.producerPosition() == ringReader.consumedPosition();
    }

    @Override
    public boolean full()
    {
        return remainingCapacity() < RecordDescriptor.HEADER_LENGTH + RecordDescriptor.ALIGNMENT;
    }

    @Override
    public int remainingCapacity()
    {
        ensureOpen();
        return ring.capacity() - ringReader.size();
    }

    @Override
    public int capacity()
    {
        return ring.capacity();
    }

    @Override
    public int maxMessageLength()
    {
        return ring.maxMsgLength();
    }

    /**
     * @return how many stuck records (left by producers that died mid-write) consumers have skipped.
     */
    public long unblockCount()
    {
        ensureOpen();
        return state.getLongVolatile(QueueDescriptor.UNBLOCK_COUNT_OFFSET);
    }

    /**
     * @return how many times a consumer lock held by a dead process was taken over.
     */
    public long lockRecoveryCount()
    {
        ensureOpen();
        return state.getLongVolatile(QueueDescriptor.LOCK_RECOVERY_COUNT_OFFSET);
    }

    /**
     * @return the queue's file, to {@link #attach(Path)} from another JVM.
     */
    public Path path()
    {
        return region.path();
    }

    @Override
    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            // threads in this instance's put/get see the flag within one idle period (<= 1 ms) and leave;
            // unmapping under them would crash the JVM, so if they do not, the mapping is left to GC
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (waiters.get() > 0 && System.nanoTime() - deadline < 0)
            {
                Thread.yield();
            }
            if (waiters.get() == 0)
            {
                releaseSlots();
                region.close();
            }
        }
    }

    /**
     * The last producing instance of this JVM for the file frees the slots its threads held.
     */
    private void releaseSlots()
    {
        synchronized (LOCAL_PRODUCERS)
        {
            if (!registered)
            {
                return;
            }
            registered = false;
            final LocalProducers local = LOCAL_PRODUCERS.get(region.path());
            if (--local.instances > 0)
            {
                return;
            }
            LOCAL_PRODUCERS.remove(region.path());
            for (final int slot : local.slots.values())
            {
                state.putLongRelease(QueueDescriptor.writingSinceOffset(slot), QueueDescriptor.IDLE);
                state.compareAndSetLong(QueueDescriptor.identityOffset(slot), ProcessIdentity.SELF, ProcessIdentity.NONE);
            }
        }
    }

    final AtomicBuffer state()
    {
        return state;
    }

    final void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(this + " is closed");
        }
    }

    final int kind()
    {
        return kind;
    }

    final ObjectCodec codec()
    {
        return codec;
    }

    /**
     * @return a handle that re-attaches this queue when deserialized.
     */
    protected Object writeReplace() throws java.io.ObjectStreamException
    {
        return new QueueHandle(kind, region.path().toString(), -1, givenCodec, this);
    }

    final ObjectCodec givenCodec()
    {
        return givenCodec;
    }

    @Override
    public String toString()
    {
        return QueueDescriptor.kindName(kind) + "{" + region.path() + "}";
    }


    /** This thread's producer slot, per instance so that the lookup is one ThreadLocal get. */
    private static final class WriterSlot
    {
        int offset;
        int unregisteredWrites;

        WriterSlot(final int offset)
        {
            this.offset = offset;
        }
    }

    /** The producer slots the threads of this JVM hold in one queue file. */
    private static final class LocalProducers
    {
        /** Instances of this JVM that wrote to the file and are not closed. */
        int instances;
        final java.util.Map<Thread, Integer> slots = new java.util.HashMap<>();
    }

    private static final class Reader implements MessageHandler
    {
        int tag;
        long bits;
        Object value;
        BytesHandler bytesHandler;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            tag = msgTypeId;
            if (bytesHandler != null)
            {
                bytesHandler.onBytes(buffer, index, length);
                return;
            }
            switch (msgTypeId)
            {
                case MessageTags.INT:
                    bits = buffer.getInt(index, ByteOrder.LITTLE_ENDIAN);
                    break;
                case MessageTags.LONG:
                case MessageTags.DOUBLE:
                    bits = buffer.getLong(index, ByteOrder.LITTLE_ENDIAN);
                    break;
                case MessageTags.OBJECT:
                {
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(index, bytes);
                    value = bytes;
                    break;
                }
                default:
                    value = Encoder.decode(msgTypeId, buffer, index, length, null);
            }
        }
    }
}

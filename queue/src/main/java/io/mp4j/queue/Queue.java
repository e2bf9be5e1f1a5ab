package io.mp4j.queue;

import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.Serializable;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Python's {@code multiprocessing.Queue}: a bounded FIFO queue shared by any number of producer and
 * consumer threads in any number of JVMs on one host, laid out in a memory-mapped file (an Agrona
 * {@link ManyToOneRingBuffer} plus a consumer lock; see {@link QueueDescriptor} for the bytes).
 *
 * <p><b>Capacity</b> is in bytes of ring buffer ({@link #DEFAULT_CAPACITY} = 1 MiB unless given; a power
 * of two). Each message takes its encoded length plus an 8-byte record header, rounded up to 8: a 1 MiB
 * queue holds 65,536 {@code Integer}s. One message may be at most {@link #maxMessageLength()} bytes
 * encoded (capacity / 8); a longer one is rejected by {@code put}/{@code offer} with
 * {@link MessageTooLargeException}, never truncated and never waited for.
 *
 * <p><b>Operations</b>, Python and Java style:
 * <table>
 *   <caption>outcomes when the queue is full or empty</caption>
 *   <tr><th></th><th>blocks</th><th>times out</th><th>does not wait</th></tr>
 *   <tr><td>insert</td><td>{@link #put(Object)}</td><td>{@link #put(Object, Duration)} throws
 *       {@link FullException}; {@link #offer(Object, long, TimeUnit)} returns false</td>
 *       <td>{@link #putNowait(Object)} throws {@link FullException}; {@link #offer(Object)} returns false</td></tr>
 *   <tr><td>remove</td><td>{@link #get()}</td><td>{@link #get(Duration)} throws {@link EmptyException};
 *       {@link #poll(long, TimeUnit)} returns null</td>
 *       <td>{@link #getNowait()} throws {@link EmptyException}; {@link #poll()} returns null</td></tr>
 * </table>
 * {@link #qsize()}, {@link #empty()} and {@link #full()} are approximate, as in Python. Null elements
 * are not allowed. Waiting uses the idle strategy of the {@code mp4j.idle} property (back-off by
 * default, so idle waiters burn no CPU) and honours interrupts.
 *
 * <p><b>Ordering and delivery</b>: messages of one producer thread are taken in the order it put them;
 * each message is taken by exactly one consumer; a message is never torn. Consumers take one message at
 * a time under a consumer lock in the mapped file that records the owner's pid and start time; a
 * consumer killed while holding it is detected and the lock taken over, and the message it was reading
 * is delivered to the next consumer (a consumer killed after taking a message loses that message
 * only). A producer killed in the middle of a write leaves a record that Agrona's
 * {@link ManyToOneRingBuffer#unblock()} turns into padding once consumers have seen no progress for
 * {@value #UNBLOCK_TIMEOUT_PROPERTY} milliseconds (default 1000), so consumers are never stalled for
 * good; messages it had committed are delivered.
 *
 * <p><b>Values</b>: {@code Integer}, {@code Long}, {@code Double}, {@code String}, {@code byte[]} and
 * {@code ByteBuffer} travel in their own binary forms; any other object goes through the queue's
 * {@link ObjectCodec} ({@link JavaSerializationCodec} with a deserialization filter by default).
 * {@link #putBytes(org.agrona.DirectBuffer, int, int)} and {@link #readBytes(BytesHandler)} move raw
 * bytes with one copy in and none out.
 *
 * <p><b>Sharing</b>: {@link #create(RuntimeDirectory, String)} makes the file; any JVM attaches it with
 * {@link #attach(Path)}; a queue passed to a child process through Java serialization travels as a small
 * handle and re-attaches there.
 *
 * <p><b>Memory consistency effects</b>: actions in a thread before putting a message happen-before
 * actions after the message was taken in another thread or process.
 *
 * <p>Example:
 * <pre>{@code
 * try (RuntimeDirectory dir = RuntimeDirectory.create();
 *      Queue<String> queue = Queue.create(dir, "work"))
 * {
 *     queue.put("hello");                                  // any JVM that attached dir/work can get it
 *     String s = queue.get(Duration.ofSeconds(1));         // EmptyException after 1 s
 *     Queue<String> same = Queue.attach(dir.resolve("work")); // e.g. in another JVM
 * }
 * }</pre>
 *
 * <p>Instances are thread-safe. {@link #close()} makes threads blocked in this instance's
 * {@code put}/{@code get}/{@code join} throw {@link IllegalStateException} and waits for them to leave
 * before it unmaps the file; it must not race with a non-blocking call in progress on another thread.
 *
 * @param <T> the type of the elements.
 */
public class Queue<T> implements AutoCloseable, Serializable
{
    private static final long serialVersionUID = 1L;

    /** Default ring capacity: 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1 << 20;

    /** System property: milliseconds without progress before a stuck record is skipped (default 1000). */
    public static final String UNBLOCK_TIMEOUT_PROPERTY = "mp4j.queue.unblockTimeoutMillis";

    static final long UNBLOCK_TIMEOUT_NS =
        TimeUnit.MILLISECONDS.toNanos(Long.getLong(UNBLOCK_TIMEOUT_PROPERTY, 1000L));
    static final long OWNER_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long FOREVER = Long.MAX_VALUE;
    private static final Object NONE = new Object();
    private static final AtomicLong NAMES = new AtomicLong();
    private static final java.util.concurrent.ConcurrentHashMap<Path, Integer> PRODUCING =
        new java.util.concurrent.ConcurrentHashMap<>();

    private final transient MappedRegion region;
    private final transient AtomicBuffer state;
    private final transient ManyToOneRingBuffer ring;
    private final transient RingReader ringReader;
    private final transient ObjectCodec codec;
    private final transient int kind;
    private final transient Reader reader = new Reader();
    private transient long lastOwnerCheckNs;
    private transient boolean registered;
    private transient long stallPosition = -1;
    private transient long stallSinceNs;
    private transient int emptyPolls;
    private transient volatile boolean closed;
    private final transient java.util.concurrent.atomic.AtomicInteger waiters = new java.util.concurrent.atomic.AtomicInteger();

    Queue(final MappedRegion region, final int kind, final ObjectCodec codec)
    {
        this.region = region;
        this.kind = kind;
        this.codec = codec == null ? new JavaSerializationCodec() : codec;
        this.state = region.buffer();
        final int capacity = state.getInt(QueueDescriptor.RING_CAPACITY_OFFSET);
        this.ring = QueueDescriptor.ring(region, QueueDescriptor.RING_OFFSET, capacity);
        this.ringReader = new RingReader(ring.buffer(), state, QueueDescriptor.CONSUMED_POSITION_OFFSET);
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

    /**
     * Create a queue of {@link #DEFAULT_CAPACITY} bytes in the JVM's default runtime directory, under a
     * generated name; other JVMs reach it through {@link #path()} or by being passed the queue.
     *
     * @param <T> the element type.
     * @return the new queue.
     */
    public static <T> Queue<T> create()
    {
        return create(RuntimeDirectory.global(), generatedName("queue"));
    }

    /**
     * Create a queue of {@link #DEFAULT_CAPACITY} bytes.
     *
     * @param dir  the runtime directory that owns the file.
     * @param name the file name in it.
     * @param <T>  the element type.
     * @return the new queue.
     * @throws IllegalStateException if a file of that name exists.
     */
    public static <T> Queue<T> create(final RuntimeDirectory dir, final String name)
    {
        return create(dir, name, DEFAULT_CAPACITY, null);
    }

    /**
     * Create a queue.
     *
     * @param dir      the runtime directory that owns the file.
     * @param name     the file name in it.
     * @param capacity ring capacity in bytes, a power of two from 1 KiB to 1 GiB.
     * @param codec    the codec for objects other than the built-in types, or null for the default.
     * @param <T>      the element type.
     * @return the new queue.
     */
    public static <T> Queue<T> create(final RuntimeDirectory dir, final String name, final int capacity, final ObjectCodec codec)
    {
        return new Queue<>(createRegion(dir.resolve(name), QueueDescriptor.KIND_QUEUE, capacity), QueueDescriptor.KIND_QUEUE, codec);
    }

    /**
     * Attach an existing queue, e.g. one created by another JVM.
     *
     * @param file the queue's file.
     * @param <T>  the element type.
     * @return the queue.
     * @throws io.mp4j.shm.InvalidRegionException if the file is not a queue of this kind or is corrupt.
     */
    public static <T> Queue<T> attach(final Path file)
    {
        return attach(file, null);
    }

    /**
     * Attach an existing queue with a codec.
     *
     * @param file  the queue's file.
     * @param codec the codec, or null for the default.
     * @param <T>   the element type.
     * @return the queue.
     */
    public static <T> Queue<T> attach(final Path file, final ObjectCodec codec)
    {
        return new Queue<>(attachRegion(file, QueueDescriptor.KIND_QUEUE), QueueDescriptor.KIND_QUEUE, codec);
    }

    // ------------------------------------------------------------------------------------------ insert

    /**
     * Insert, waiting as long as necessary for room.
     *
     * @param item the element, not null.
     * @throws InterruptedException     if interrupted while waiting.
     * @throws MessageTooLargeException if its encoding is longer than {@link #maxMessageLength()}.
     * @throws IllegalArgumentException if the codec cannot encode it (the message names the class).
     */
    public void put(final T item) throws InterruptedException
    {
        insert(item, FOREVER);
    }

    /**
     * Insert, waiting at most {@code timeout} for room (Python's {@code put(item, timeout=...)}).
     *
     * @param item    the element.
     * @param timeout how long to wait.
     * @throws FullException        if the queue stayed full.
     * @throws InterruptedException if interrupted while waiting.
     */
    public void put(final T item, final Duration timeout) throws InterruptedException
    {
        if (!insert(item, Math.max(0, timeout.toNanos())))
        {
            throw new FullException(this + " stayed full for " + timeout);
        }
    }

    /**
     * Insert if there is room now (Python's {@code put_nowait}).
     *
     * @param item the element.
     * @throws FullException if the queue is full.
     */
    public void putNowait(final T item)
    {
        if (!offer(item))
        {
            throw new FullException(this + " is full");
        }
    }

    /**
     * Insert if there is room now.
     *
     * @param item the element.
     * @return false if the queue is full.
     */
    public boolean offer(final T item)
    {
        final Encoder encoder = Encoder.current().encode(item, codec);
        try
        {
            return tryWrite(encoder);
        }
        finally
        {
            encoder.clear();
        }
    }

    /**
     * Insert, waiting at most the given time for room.
     *
     * @param item    the element.
     * @param timeout how long to wait.
     * @param unit    unit of {@code timeout}.
     * @return false if the queue stayed full.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean offer(final T item, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return insert(item, Math.max(0, unit.toNanos(timeout)));
    }

    /**
     * Insert raw bytes as a {@code byte[]} message, copied once, straight into the ring; waits for room.
     *
     * @param src    the bytes.
     * @param offset where they start.
     * @param length how many.
     * @throws InterruptedException if interrupted while waiting.
     */
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

    /**
     * Insert raw bytes as a {@code byte[]} message if there is room now.
     *
     * @param src    the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return false if the queue is full.
     */
    public boolean offerBytes(final org.agrona.DirectBuffer src, final int offset, final int length)
    {
        final Encoder encoder = Encoder.current().bytes(src, offset, length);
        try
        {
            return tryWrite(encoder);
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
        if (tryWrite(encoder))
        {
            return true;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        final IdleStrategy idle = Idle.current();
        enterWait();
        try
        {
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
                if (tryWrite(encoder))
                {
                    return true;
                }
            }
        }
        finally
        {
            exitWait();
        }
    }

    boolean tryWrite(final Encoder encoder)
    {
        ensureOpen();
        if (encoder.length > ring.maxMsgLength())
        {
            throw new MessageTooLargeException(toString(), ring.maxMsgLength(), encoder.length);
        }
        if (!registered)
        {
            registerProducer();
        }
        final boolean joinable = kind == QueueDescriptor.KIND_JOINABLE;
        if (joinable)
        {
            state.getAndAddLong(QueueDescriptor.UNFINISHED_TASKS_OFFSET, 1);
        }
        if (ring.write(encoder.tag, encoder.buffer, encoder.offset, encoder.length) ||
            (releaseConsumed() && ring.write(encoder.tag, encoder.buffer, encoder.offset, encoder.length)))
        {
            return true;
        }
        if (joinable)
        {
            state.getAndAddLong(QueueDescriptor.UNFINISHED_TASKS_OFFSET, -1);
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------ remove

    /**
     * Remove and return the head, waiting as long as necessary.
     *
     * @return the element.
     * @throws InterruptedException     if interrupted while waiting.
     * @throws MessageDecodingException if the element cannot be decoded (it is consumed).
     */
    @SuppressWarnings("unchecked")
    public T get() throws InterruptedException
    {
        return (T)take(FOREVER);
    }

    /**
     * Remove and return the head, waiting at most {@code timeout} (Python's {@code get(timeout=...)}).
     *
     * @param timeout how long to wait.
     * @return the element.
     * @throws EmptyException       if the queue stayed empty.
     * @throws InterruptedException if interrupted while waiting.
     */
    @SuppressWarnings("unchecked")
    public T get(final Duration timeout) throws InterruptedException
    {
        final Object value = take(Math.max(0, timeout.toNanos()));
        if (value == NONE)
        {
            throw new EmptyException(this + " stayed empty for " + timeout);
        }
        return (T)value;
    }

    /**
     * Remove and return the head if there is one now (Python's {@code get_nowait}).
     *
     * @return the element.
     * @throws EmptyException if the queue is empty.
     */
    public T getNowait()
    {
        final T value = poll();
        if (value == null)
        {
            throw new EmptyException(this + " is empty");
        }
        return value;
    }

    /**
     * Remove and return the head if there is one now.
     *
     * @return the element, or null if the queue is empty.
     */
    @SuppressWarnings("unchecked")
    public T poll()
    {
        final Object value = takeNow(true);
        return value == NONE ? null : (T)value;
    }

    /**
     * Remove and return the head, waiting at most the given time.
     *
     * @param timeout how long to wait.
     * @param unit    unit of {@code timeout}.
     * @return the element, or null if the queue stayed empty.
     * @throws InterruptedException if interrupted while waiting.
     */
    @SuppressWarnings("unchecked")
    public T poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final Object value = take(Math.max(0, unit.toNanos(timeout)));
        return value == NONE ? null : (T)value;
    }

    /**
     * Take one message and hand its encoded bytes to {@code handler} in place, in the mapped file
     * (zero copy); the message is consumed when the handler returns. The handler runs under the
     * consumer lock: keep it short and do not call this queue from it.
     *
     * @param handler gets the tag-independent payload bytes of the message.
     * @return whether a message was taken.
     */
    public boolean readBytes(final BytesHandler handler)
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
        enterWait();
        try
        {
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
        finally
        {
            exitWait();
        }
    }

    /**
     * A thread of this JVM starts waiting in a loop that touches the mapping; {@link #close()} waits for
     * such threads to notice the close and leave before it unmaps. Call {@link #ensureOpen()} after this.
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
     * @return whether space was released (then the write is worth retrying).
     */
    private boolean releaseConsumed()
    {
        if (ringReader.consumedPosition() == ring.consumerPosition() || !lockConsumer(false))
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

    private void registerProducer()
    {
        registered = true;
        PRODUCING.merge(region.path(), 1, Integer::sum);
        final int base = QueueDescriptor.PRODUCER_TABLE_OFFSET;
        for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
        {
            if (state.getLongVolatile(base + i * Long.BYTES) == ProcessIdentity.SELF)
            {
                return;
            }
        }
        for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
        {
            if (state.compareAndSetLong(base + i * Long.BYTES, ProcessIdentity.NONE, ProcessIdentity.SELF))
            {
                return;
            }
        }
        if (ring.producerPosition() == ringReader.consumedPosition())
        {
            // the ring is empty, so no dead producer can have a record stuck in it: reuse a dead one's slot
            for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
            {
                final long identity = state.getLongVolatile(base + i * Long.BYTES);
                if (!ProcessIdentity.isAlive(identity) &&
                    state.compareAndSetLong(base + i * Long.BYTES, identity, ProcessIdentity.SELF))
                {
                    return;
                }
            }
        }
        state.putIntVolatile(QueueDescriptor.PRODUCER_OVERFLOW_OFFSET, 1);
    }

    /**
     * @return whether a half-written record may be skipped: a registered producer is dead (it may have
     * died mid-write) or some producer could not register.
     */
    private boolean mayUnblock()
    {
        if (state.getIntVolatile(QueueDescriptor.PRODUCER_OVERFLOW_OFFSET) != 0)
        {
            return true;
        }
        final int base = QueueDescriptor.PRODUCER_TABLE_OFFSET;
        for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
        {
            final long identity = state.getLongVolatile(base + i * Long.BYTES);
            if (identity != ProcessIdentity.NONE && !ProcessIdentity.isAlive(identity))
            {
                return true;
            }
        }
        return false;
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
            ringReader.release(); // unblock() works from Agrona's head
            if (mayUnblock() && ring.unblock())
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

    /**
     * @return approximately how many messages are in the queue (Python's {@code qsize}), counted by
     * walking the ring's records (cost proportional to the number of messages; not for hot paths).
     */
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

    /**
     * @return whether the queue is empty, approximately (Python's {@code empty}).
     */
    public boolean empty()
    {
        ensureOpen();
        return ring.producerPosition() == ringReader.consumedPosition();
    }

    /**
     * @return whether the queue has no room for even the smallest message, approximately.
     */
    public boolean full()
    {
        return remainingCapacity() < RecordDescriptor.HEADER_LENGTH + RecordDescriptor.ALIGNMENT;
    }

    /**
     * @return free bytes in the ring, approximately.
     */
    public int remainingCapacity()
    {
        ensureOpen();
        return ring.capacity() - ringReader.size();
    }

    /**
     * @return the ring capacity in bytes.
     */
    public int capacity()
    {
        return ring.capacity();
    }

    /**
     * @return the longest encoded message accepted, in bytes.
     */
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

    /**
     * @return whether {@link #close()} was called on this instance.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Unmap the file from this JVM. The queue itself lives on for the other processes attached to it;
     * the file belongs to its runtime directory. Idempotent. Threads blocked in this instance's waits
     * throw {@link IllegalStateException}; a non-blocking call must not be in progress.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (registered && PRODUCING.compute(region.path(), (path, n) -> n == null || n <= 1 ? null : n - 1) == null)
            {
                // the last producing instance of this JVM: a clean exit must not look like a death mid-write
                final int base = QueueDescriptor.PRODUCER_TABLE_OFFSET;
                for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
                {
                    state.compareAndSetLong(base + i * Long.BYTES, ProcessIdentity.SELF, ProcessIdentity.NONE);
                }
            }
            // threads blocked in this instance's waits see the flag within one idle period (<= 1 ms) and
            // leave; unmapping under them would crash the JVM, so if they do not, the mapping is left to GC
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (waiters.get() > 0 && System.nanoTime() - deadline < 0)
            {
                Thread.yield();
            }
            if (waiters.get() == 0)
            {
                region.close();
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
    protected Object writeReplace()
    {
        return new QueueHandle(kind, region.path().toString(), -1);
    }

    @Override
    public String toString()
    {
        return QueueDescriptor.kindName(kind) + "{" + region.path() + "}";
    }

    /**
     * Receives the payload of a message taken by {@link #readBytes(BytesHandler)}, in place.
     */
    @FunctionalInterface
    public interface BytesHandler
    {
        /**
         * @param buffer the mapped buffer; valid only during the call.
         * @param offset where the payload starts.
         * @param length its length.
         */
        void onBytes(MutableDirectBuffer buffer, int offset, int length);
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

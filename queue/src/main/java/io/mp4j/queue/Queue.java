package io.mp4j.queue;

import org.agrona.MutableDirectBuffer;

import io.mp4j.shm.RuntimeDirectory;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
 * only). A producer killed in the middle of a write leaves a record that is turned into padding (as
 * Agrona's {@link ManyToOneRingBuffer#unblock()} does) once consumers have seen no progress for
 * {@value #UNBLOCK_TIMEOUT_PROPERTY} milliseconds (default 1000), so consumers are not stalled for
 * good; messages it had committed are delivered. A live producer paused in the middle of a write
 * (GC pause, debugger, SIGSTOP) is waited for, never skipped: each producer thread marks in the file
 * where its write in progress began, and a stuck record is skipped only if no live process's thread
 * began writing before it. A producer thread holds one of 128 marks from its first put until it has
 * ended and another thread of its JVM registers, or its JVM closes its last instance of the queue;
 * threads beyond 128 live ones write unmarked, and
 * while one of those is writing nothing is skipped, so one killed mid-write stalls consumers for good.
 *
 * <p><b>Values</b>: {@code Integer}, {@code Long}, {@code Double}, {@code String}, {@code byte[]} and
 * {@code ByteBuffer} travel in their own binary forms; any other object goes through the queue's
 * {@link ObjectCodec} ({@link JavaSerializationCodec} with a deserialization filter by default).
 * {@link #putBytes(org.agrona.DirectBuffer, int, int)} and {@link #readBytes(BytesHandler)} move raw
 * bytes with one copy in and none out.
 *
 * <p><b>Sharing</b>: {@link #create(RuntimeDirectory, String)} makes the file; any JVM attaches it with
 * {@link #attach(Path)}; a queue passed to a child process through Java serialization travels as a small
 * handle and re-attaches there with the codec it was given, which must then be {@link Serializable}
 * (else serializing the queue throws {@link java.io.NotSerializableException} naming the codec's class).
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
 * <p>Instances are thread-safe. {@link #close()} makes threads in this instance's calls (blocked in
 * {@code put}/{@code get}/{@code join}, or in a non-blocking {@code offer}/{@code poll}/{@code readBytes})
 * throw {@link IllegalStateException}, and unmaps the file once none of them is touching it (each try of
 * a call counts itself while it does), so a close racing with other threads' calls never touches
 * unmapped memory.
 *
 * @param <T> the type of the elements.
 */
public interface Queue<T> extends AutoCloseable, Serializable
{
    /** Default ring capacity: 1 MiB. */
    int DEFAULT_CAPACITY = 1 << 20;

    /** System property: milliseconds without progress before a stuck record is skipped (default 1000). */
    String UNBLOCK_TIMEOUT_PROPERTY = "mp4j.queue.unblockTimeoutMillis";

    /**
     * Create a queue of {@link #DEFAULT_CAPACITY} bytes in the JVM's default runtime directory, under a
     * generated name; other JVMs reach it by being passed the queue (to a process or a pool task). A queue that
     * an independently started JVM attaches to is created by name, {@link #create(RuntimeDirectory, String)}.
     *
     * @param <T> the element type.
     * @return the new queue.
     */
    static <T> Queue<T> create()
    {
        return MappedQueue.create();
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
    static <T> Queue<T> create(RuntimeDirectory dir, String name)
    {
        return MappedQueue.create(dir, name);
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
    static <T> Queue<T> create(RuntimeDirectory dir, String name, int capacity, ObjectCodec codec)
    {
        return MappedQueue.create(dir, name, capacity, codec);
    }

    /**
     * Attach an existing queue, e.g. one created by another JVM.
     *
     * @param file the queue's file.
     * @param <T>  the element type.
     * @return the queue.
     * @throws io.mp4j.shm.InvalidRegionException if the file is not a queue of this kind or is corrupt.
     */
    static <T> Queue<T> attach(Path file)
    {
        return MappedQueue.attach(file);
    }

    /**
     * Attach an existing queue with a codec.
     *
     * @param file  the queue's file.
     * @param codec the codec, or null for the default.
     * @param <T>   the element type.
     * @return the queue.
     */
    static <T> Queue<T> attach(Path file, ObjectCodec codec)
    {
        return MappedQueue.attach(file, codec);
    }

    /**
     * Insert, waiting as long as necessary for room.
     *
     * @param item the element, not null.
     * @throws InterruptedException     if interrupted while waiting.
     * @throws MessageTooLargeException if its encoding is longer than {@link #maxMessageLength()}.
     * @throws IllegalArgumentException if the codec cannot encode it (the message names the class).
     */
    void put(T item) throws InterruptedException;

    /**
     * Insert, waiting at most {@code timeout} for room (Python's {@code put(item, timeout=...)}).
     *
     * @param item    the element.
     * @param timeout how long to wait.
     * @throws FullException        if the queue stayed full.
     * @throws InterruptedException if interrupted while waiting.
     */
    void put(T item, Duration timeout) throws InterruptedException;

    /**
     * Insert if there is room now (Python's {@code put_nowait}).
     *
     * @param item the element.
     * @throws FullException if the queue is full.
     */
    void putNowait(T item);

    /**
     * Insert if there is room now.
     *
     * @param item the element.
     * @return false if the queue is full.
     */
    boolean offer(T item);

    /**
     * Insert, waiting at most the given time for room.
     *
     * @param item    the element.
     * @param timeout how long to wait.
     * @param unit    unit of {@code timeout}.
     * @return false if the queue stayed full.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean offer(T item, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Insert raw bytes as a {@code byte[]} message, copied once, straight into the ring; waits for room.
     *
     * @param src    the bytes.
     * @param offset where they start.
     * @param length how many.
     * @throws InterruptedException if interrupted while waiting.
     */
    void putBytes(org.agrona.DirectBuffer src, int offset, int length) throws InterruptedException;

    /**
     * Insert raw bytes as a {@code byte[]} message if there is room now.
     *
     * @param src    the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return false if the queue is full.
     */
    boolean offerBytes(org.agrona.DirectBuffer src, int offset, int length);

    /**
     * Remove and return the head, waiting as long as necessary.
     *
     * @return the element.
     * @throws InterruptedException     if interrupted while waiting.
     * @throws MessageDecodingException if the element cannot be decoded (it is consumed).
     */
    T get() throws InterruptedException;

    /**
     * Remove and return the head, waiting at most {@code timeout} (Python's {@code get(timeout=...)}).
     *
     * @param timeout how long to wait.
     * @return the element.
     * @throws EmptyException       if the queue stayed empty.
     * @throws InterruptedException if interrupted while waiting.
     */
    T get(Duration timeout) throws InterruptedException;

    /**
     * Remove and return the head if there is one now.
     *
     * @return the element, or null if the queue is empty.
     */
    T poll();

    /**
     * Remove and return the head, waiting at most the given time.
     *
     * @param timeout how long to wait.
     * @param unit    unit of {@code timeout}.
     * @return the element, or null if the queue stayed empty.
     * @throws InterruptedException if interrupted while waiting.
     */
    T poll(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Remove and return the head if there is one now (Python's {@code get_nowait}).
     *
     * @return the element.
     * @throws EmptyException if the queue is empty.
     */
    T getNowait();

    /**
     * Take one message and hand its encoded bytes to {@code handler} in place, in the mapped file
     * (zero copy); the message is consumed when the handler returns. The handler runs under the
     * consumer lock: keep it short and do not call this queue from it.
     *
     * @param handler gets the tag-independent payload bytes of the message.
     * @return whether a message was taken.
     */
    boolean readBytes(BytesHandler handler);

    /**
     * @return approximately how many messages are in the queue (Python's {@code qsize}), counted by
     * walking the ring's records (cost proportional to the number of messages; not for hot paths).
     */
    int qsize();

    /**
     * @return whether the queue is empty, approximately (Python's {@code empty}).
     */
    boolean empty();

    /**
     * @return whether the queue has no room for even the smallest message, approximately.
     */
    boolean full();

    /**
     * @return free bytes in the ring, approximately.
     */
    int remainingCapacity();

    /**
     * @return the ring capacity in bytes.
     */
    int capacity();

    /**
     * @return the longest encoded message accepted, in bytes.
     */
    int maxMessageLength();

    /**
     * @return whether {@link #close()} was called on this instance.
     */
    boolean isClosed();

    /**
     * Unmap the file from this JVM. The queue itself lives on for the other processes attached to it;
     * the file belongs to its runtime directory. Idempotent. Threads in this instance's calls, blocking
     * or not, throw {@link IllegalStateException}, and the file is unmapped once they have left (if one
     * has not left within 2 s, the mapping is left to the garbage collector).
     */
    void close();

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
}

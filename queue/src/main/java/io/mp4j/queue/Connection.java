package io.mp4j.queue;

import io.mp4j.shm.CrashPoints;
import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}.
 *
 * <p>{@link #send(Object)} and {@link #recv()} move objects (the built-in types in binary, others
 * through the {@link ObjectCodec}); {@link #sendBytes(byte[], int, int)} and {@link #recvBytes()} move
 * raw bytes. A message longer than the ring's maximum record ({@code capacity / 8}) is split into
 * fragments and reassembled, so a message of any size up to 2 GiB gets through, neither truncated nor
 * stuck. {@link #send(Object)} waits while the ring is full.
 *
 * <p><b>End of stream</b>: when the peer end was closed by the process that held it, or that process
 * died (detected by pid and start time), {@link #recv()} first returns whatever was sent before, then
 * throws {@link EndOfStreamException} instead of waiting (a message the peer was still sending when it
 * went, claimed and not committed or received only in part, is dropped); {@link #send(Object)} throws it too, as
 * Python's {@code BrokenPipeError} (at once for a closed peer; for a dead one, at once if this end has
 * already seen it die, when blocked on a full ring, and otherwise at a send 10 ms or more after the last
 * check, since checking a pid is not free; the clock itself is read on every 64th send only while sends
 * come microseconds apart). The holder of an end is the process that created the pipe, attached
 * the end with {@link #attach(Path, int)}, or received it through serialization (the usual way to give
 * it to a child). Closing a copy of an end that another process has since taken over does not end the
 * stream, so the Python idiom "start the child, then close the child's end in the parent" works; a
 * serialized end that is never re-attached stops counting after {@value #HANDOFF_TIMEOUT_PROPERTY} ms
 * (default 10000).
 *
 * <p>An instance is thread-safe: threads sharing it may send (fragments of one message stay together)
 * and receive concurrently, and {@link #close()} from another thread stops a blocked {@code recv}. The
 * waits are not interruptible, like {@link java.io.InputStream#read()}: a message is never half sent or
 * half taken. An interrupt leaves the thread's interrupt status set when the call returns (and costs no
 * CPU meanwhile); to bound a wait, use {@link #recv(Duration)} or {@link #poll(Duration)}. Two
 * instances of the same end are not coordinated, even in one JVM (the end attached twice, or a
 * serialized end deserialized twice): their sends may interleave fragments and their receives may split
 * a message, so use one instance per end, shared by the threads that need it. An end must be held by
 * one process at a time.
 *
 * <p><b>Memory consistency effects</b>: actions before {@code send} happen-before actions after the
 * matching {@code recv} returns, in whatever process.
 */
public final class Connection implements AutoCloseable, Serializable
{
    private static final long serialVersionUID = 1L;

    /** System property: milliseconds a serialized end counts as held before it is re-attached. */
    public static final String HANDOFF_TIMEOUT_PROPERTY = "mp4j.pipe.handoffTimeoutMillis";

    private static final long HANDOFF_TIMEOUT_MS = Long.getLong(HANDOFF_TIMEOUT_PROPERTY, 10_000L);
    private static final long PEER_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long DENSE_SENDS_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final int MAX_SENDS_PER_CLOCK_READ = 64;
    private static final long FOREVER = Long.MAX_VALUE;
    private static final Object NONE = new Object();

    private static final int MODE_OBJECT = 0;
    private static final int MODE_BYTES = 1;
    private static final int MODE_INTO = 2;

    private final transient MappedRegion region;
    private final transient AtomicBuffer state;
    private final transient int end;
    private final transient int peer;
    private final transient boolean readable;
    private final transient boolean writable;
    private final transient OneToOneRingBuffer out;
    private final transient OneToOneRingBuffer in;
    private final transient RingReader inReader;
    private final transient ObjectCodec codec;
    /** The codec this end was given, null for the default: what a handle carries. */
    private final transient ObjectCodec givenCodec;
    private final transient Object sendLock = new Object();
    private final transient Object recvLock = new Object();
    private final transient Receiver receiver = new Receiver();
    private transient volatile boolean closed;
    private final transient java.util.concurrent.atomic.AtomicInteger pollers = new java.util.concurrent.atomic.AtomicInteger();
    private transient long lastSendCheckNs = System.nanoTime() - PEER_CHECK_INTERVAL_NS;
    private transient long lastSendClockNs = lastSendCheckNs;
    private transient int sendsPerClockRead = 1;
    private transient int sendsUntilClock;
    private transient volatile long deadPeerHolder = ProcessIdentity.NONE;

    private Connection(final MappedRegion region, final int end, final ObjectCodec codec)
    {
        this.region = region;
        this.state = region.buffer();
        this.end = end;
        this.peer = 1 - end;
        this.codec = codec == null ? new JavaSerializationCodec() : codec;
        this.givenCodec = codec;
        final int capacity = PipeDescriptor.validate(region);
        final boolean duplex = state.getInt(PipeDescriptor.DUPLEX_OFFSET) == 1;
        this.writable = duplex || end == 1;
        this.readable = duplex || end == 0;
        this.out = writable ? PipeDescriptor.ring(region, end, capacity) : null;
        this.in = readable ? PipeDescriptor.ring(region, peer, capacity) : null;
        this.inReader = readable ?
            new RingReader(in.buffer(), state, PipeDescriptor.endOffset(end) + PipeDescriptor.CONSUMED_POSITION_OFFSET, true) : null;
    }

    static Connection open(final Path file, final int end, final ObjectCodec codec, final boolean takeOver)
    {
        checkEnd(end);
        final MappedRegion region = MappedRegion.attach(file, RegionType.PIPE);
        final Connection connection;
        try
        {
            connection = new Connection(region, end, codec);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
        if (takeOver)
        {
            connection.takeOver();
        }
        return connection;
    }

    /**
     * Take over one end of an existing pipe, e.g. created by another JVM: this process becomes its
     * holder, so the peer sees end of stream when this process closes it or dies.
     *
     * @param file the pipe's file.
     * @param end  0 ({@link Pipe#first()}) or 1 ({@link Pipe#second()}).
     * @return the connection.
     * @throws io.mp4j.shm.InvalidRegionException if the file is not a pipe or is corrupt.
     */
    public static Connection attach(final Path file, final int end)
    {
        return attach(file, end, null);
    }

    /**
     * As {@link #attach(Path, int)}, with a codec.
     *
     * @param file  the pipe's file.
     * @param end   0 or 1.
     * @param codec the object codec, or null for the default.
     * @return the connection.
     */
    public static Connection attach(final Path file, final int end, final ObjectCodec codec)
    {
        return open(file, end, codec, true);
    }

    static Connection attachHandedOff(final Path file, final int end, final ObjectCodec codec)
    {
        final Connection connection = open(file, end, codec, true);
        final int offset = PipeDescriptor.endOffset(end) + PipeDescriptor.HANDOFFS_OFFSET;
        while (true)
        {
            final int handoffs = connection.state.getIntVolatile(offset);
            if (handoffs <= 0 || connection.state.compareAndSetInt(offset, handoffs, handoffs - 1))
            {
                return connection;
            }
        }
    }

    private static void checkEnd(final int end)
    {
        if (end != 0 && end != 1)
        {
            throw new IllegalArgumentException("end=" + end + " must be 0 or 1");
        }
    }

    private void takeOver()
    {
        final int base = PipeDescriptor.endOffset(end);
        state.putLongRelease(base + PipeDescriptor.HOLDER_OFFSET, ProcessIdentity.SELF);
        state.putIntRelease(base + PipeDescriptor.CLOSED_OFFSET, 0);
    }

    // -------------------------------------------------------------------------------------------- send

    /**
     * Send an object, waiting while the ring is full.
     *
     * @param value the object, not null.
     * @throws EndOfStreamException     if the peer closed its end or died.
     * @throws IllegalStateException    if this end is closed or receive-only.
     * @throws IllegalArgumentException if the codec cannot encode it (naming the class).
     */
    public void send(final Object value)
    {
        final Encoder encoder = Encoder.current().encode(value, codec);
        try
        {
            write(encoder);
        }
        finally
        {
            encoder.clear();
        }
    }

    /**
     * Send a whole array as a bytes message.
     *
     * @param bytes the bytes.
     */
    public void sendBytes(final byte[] bytes)
    {
        sendBytes(bytes, 0, bytes.length);
    }

    /**
     * Send part of an array as a bytes message (Python's {@code send_bytes(buf, offset, size)}).
     *
     * @param bytes  the array.
     * @param offset where the message starts.
     * @param length its length.
     */
    public void sendBytes(final byte[] bytes, final int offset, final int length)
    {
        final Encoder encoder = Encoder.current().bytes(bytes, offset, length);
        try
        {
            write(encoder);
        }
        finally
        {
            encoder.clear();
        }
    }

    /**
     * Send part of a buffer as a bytes message, copied once into the ring.
     *
     * @param buffer the buffer.
     * @param offset where the message starts.
     * @param length its length.
     */
    public void sendBytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final Encoder encoder = Encoder.current().bytes(buffer, offset, length);
        try
        {
            write(encoder);
        }
        finally
        {
            encoder.clear();
        }
    }

    private void write(final Encoder encoder)
    {
        synchronized (sendLock)
        {
            ensureOpen();
            if (!writable)
            {
                throw new IllegalStateException(this + " is receive-only (one-way pipe)");
            }
            if (isPeerClosed() || isPeerKnownDead())
            {
                throw endOfStream("cannot send: ");
            }
            if (--sendsUntilClock <= 0)
            {
                // the clock costs as much as a small send here (60-80 ns on kvm-clock): read it on every
                // send while sends are sparse, on every 64th while they come microseconds apart
                final long now = System.nanoTime();
                sendsPerClockRead = now - lastSendClockNs < DENSE_SENDS_NS ?
                    Math.min(sendsPerClockRead << 1, MAX_SENDS_PER_CLOCK_READ) : 1;
                sendsUntilClock = sendsPerClockRead;
                lastSendClockNs = now;
                if (now - lastSendCheckNs >= PEER_CHECK_INTERVAL_NS && isPeerGone(now))
                {
                    throw endOfStream("cannot send: ");
                }
            }
            final int max = out.maxMsgLength();
            if (encoder.length <= max)
            {
                writeRecord(encoder.tag, encoder.buffer, encoder.offset, encoder.length, -1);
                return;
            }
            // fragments: the first carries the total length in front, so the receiver allocates once
            int position = 0;
            while (position < encoder.length)
            {
                final boolean first = position == 0;
                final int chunk = Math.min(first ? max - Integer.BYTES : max, encoder.length - position);
                final int flag = first ? MessageTags.FRAGMENT_FIRST :
                    position + chunk == encoder.length ? MessageTags.FRAGMENT_LAST : MessageTags.FRAGMENT_MIDDLE;
                writeRecord(encoder.tag | flag, encoder.buffer, encoder.offset + position, chunk, first ? encoder.length : -1);
                position += chunk;
            }
        }
    }

    /**
     * @param totalLength for a first fragment, the whole message's length, written before the chunk; else -1.
     */
    private void writeRecord(final int typeId, final DirectBuffer src, final int offset, final int length, final int totalLength)
    {
        if (tryWriteRecord(typeId, src, offset, length, totalLength))
        {
            return;
        }
        final IdleStrategy idle = Idle.current();
        long lastCheck = System.nanoTime();
        boolean keptInterrupt = false;
        try
        {
            while (!tryWriteRecord(typeId, src, offset, length, totalLength))
            {
                ensureOpen();
                final long now = System.nanoTime();
                if (now - lastCheck >= PEER_CHECK_INTERVAL_NS)
                {
                    lastCheck = now;
                    ensureOpen();
                    if (isPeerGone())
                    {
                        throw endOfStream("cannot send: ");
                    }
                }
                keptInterrupt |= Thread.interrupted();
                idle.idle();
            }
        }
        finally
        {
            restoreInterrupt(keptInterrupt);
        }
    }

    /**
     * The waits of a connection are not interruptible (a message is never half sent or half taken), so
     * they clear the interrupt status while they wait and set it again when they return: with the status
     * set, every park of the idle strategy would return at once, and the waiter would spin a core.
     */
    private static void restoreInterrupt(final boolean keptInterrupt)
    {
        if (keptInterrupt)
        {
            Thread.currentThread().interrupt();
        }
    }

    private boolean tryWriteRecord(final int typeId, final DirectBuffer src, final int offset, final int length, final int totalLength)
    {
        if (totalLength < 0)
        {
            return out.write(typeId, src, offset, length);
        }
        final int index = out.tryClaim(typeId, Integer.BYTES + length);
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer buffer = out.buffer();
        buffer.putInt(index, totalLength, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(index + Integer.BYTES, src, offset, length);
        out.commit(index);
        return true;
    }

    // ----------------------------------------------------------------------------------------- receive

    /**
     * Receive an object, waiting as long as necessary.
     *
     * @return the object.
     * @throws EndOfStreamException     if nothing is left and the peer closed its end or died.
     * @throws MessageDecodingException if it cannot be decoded (e.g. a class refused by the filter).
     */
    public Object recv()
    {
        return receive(MODE_OBJECT, FOREVER, null, 0);
    }

    /**
     * Receive an object, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait.
     * @return the object.
     * @throws EmptyException       if nothing arrived in time.
     * @throws EndOfStreamException if nothing is left and the peer closed its end or died.
     */
    public Object recv(final Duration timeout)
    {
        final Object value = receive(MODE_OBJECT, Math.max(0, IdleStrategies.toNanos(timeout)), null, 0);
        if (value == NONE)
        {
            throw new EmptyException(this + ": nothing received within " + timeout);
        }
        return value;
    }

    /**
     * Receive the bytes of a message (for a message sent with {@code send}, its encoding).
     *
     * @return the bytes.
     * @throws EndOfStreamException if nothing is left and the peer closed its end or died.
     */
    public byte[] recvBytes()
    {
        return (byte[])receive(MODE_BYTES, FOREVER, null, 0);
    }

    /**
     * Receive the bytes of a message into {@code buffer} at {@code offset} (Python's
     * {@code recv_bytes_into}).
     *
     * @param buffer where to put them.
     * @param offset where in it.
     * @return the message length.
     * @throws BufferTooShortException if it does not fit (the message is in the exception).
     */
    public int recvBytesInto(final byte[] buffer, final int offset)
    {
        if (offset < 0 || offset > buffer.length)
        {
            throw new IndexOutOfBoundsException("offset=" + offset + ", buffer length=" + buffer.length);
        }
        synchronized (recvLock)
        {
            // copied from the ring straight into the caller's array, fragments included: no allocation
            final Object tooLong = receive(MODE_INTO, FOREVER, buffer, offset);
            if (tooLong != null)
            {
                throw new BufferTooShortException((byte[])tooLong, buffer.length - offset);
            }
            return receiver.received;
        }
    }

    /**
     * @return whether {@link #recv()} would not wait: a message is ready or the stream has ended.
     */
    public boolean poll()
    {
        ensureReadable();
        return inReader.nextIsCommitted() || isPeerGone();
    }

    /**
     * Wait at most {@code timeout} until {@link #recv()} would not wait.
     *
     * @param timeout how long to wait.
     * @return whether a message is ready or the stream has ended.
     */
    public boolean poll(final Duration timeout)
    {
        pollers.incrementAndGet();
        try
        {
            return awaitReadable(Math.max(0, IdleStrategies.toNanos(timeout)));
        }
        finally
        {
            pollers.decrementAndGet();
        }
    }

    private boolean awaitReadable(final long timeoutNs)
    {
        ensureReadable();
        final long deadline = System.nanoTime() + timeoutNs;
        final IdleStrategy idle = Idle.current();
        long lastCheck = System.nanoTime() - PEER_CHECK_INTERVAL_NS;
        boolean keptInterrupt = false;
        try
        {
            while (true)
            {
                ensureOpen();
                if (inReader.nextIsCommitted())
                {
                    return true;
                }
                final long now = System.nanoTime();
                if (now - lastCheck >= PEER_CHECK_INTERVAL_NS)
                {
                    lastCheck = now;
                    if (isPeerGone())
                    {
                        return true;
                    }
                }
                if (now - deadline >= 0)
                {
                    return false;
                }
                keptInterrupt |= Thread.interrupted();
                idle.idle();
            }
        }
        finally
        {
            restoreInterrupt(keptInterrupt);
        }
    }

    /**
     * @param into   for {@link #MODE_INTO}: where the bytes go (then the result is null if they fit, else
     *               the message), else null.
     * @param offset where in {@code into}.
     */
    private Object receive(final int mode, final long timeoutNs, final byte[] into, final int offset)
    {
        synchronized (recvLock)
        {
            ensureReadable();
            final Receiver r = receiver;
            r.mode = mode;
            r.into = into;
            r.intoOffset = offset;
            try
            {
                return awaitMessage(r, timeoutNs);
            }
            finally
            {
                r.detachInto();
            }
        }
    }

    private Object awaitMessage(final Receiver r, final long timeoutNs)
    {
        long start = 0;
        long lastCheck = 0;
        IdleStrategy idle = null;
        boolean keptInterrupt = false;
        try
        {
            while (true)
            {
                ensureOpen();
                final int read = inReader.read(r);
                if (r.complete)
                {
                    r.complete = false;
                    final Object value = r.value;
                    r.value = null;
                    return value;
                }
                if (read > 0)
                {
                    continue;
                }
                if (state.getIntVolatile(PipeDescriptor.endOffset(peer) + PipeDescriptor.CLOSED_OFFSET) == 1)
                {
                    checkEndOfStream();
                }
                final long now = System.nanoTime(); // not before: a message waiting costs no clock read
                if (idle == null)
                {
                    idle = Idle.current();
                    start = now;
                    lastCheck = now;
                }
                if (now - lastCheck >= PEER_CHECK_INTERVAL_NS)
                {
                    lastCheck = now;
                    ensureOpen();
                    checkEndOfStream();
                }
                if (timeoutNs != FOREVER && now - start >= timeoutNs)
                {
                    return NONE;
                }
                keptInterrupt |= Thread.interrupted();
                idle.idle();
            }
        }
        finally
        {
            restoreInterrupt(keptInterrupt);
        }
    }

    /**
     * Once the peer is gone, what it has not committed never will be: a record it claimed and did not
     * commit (killed in between) or the rest of a message it was sending in fragments (killed, or its
     * end closed, in between). The stream ends after the last committed record; a partial message is
     * dropped. The peer is checked first, so everything it committed before it went is seen after.
     */
    private void checkEndOfStream()
    {
        final boolean gone = isPeerGone();
        if (CrashPoints.ENABLED)
        {
            // a peer that commits and closes here must not be taken for one that went before committing
            CrashPoints.reached("pipe.endOfStreamCheck");
        }
        if (gone && !inReader.nextIsCommitted())
        {
            receiver.dropPartial();
            throw endOfStream("");
        }
    }

    private boolean isPeerClosed()
    {
        final int base = PipeDescriptor.endOffset(peer);
        return state.getIntVolatile(base + PipeDescriptor.CLOSED_OFFSET) == 1 && !handoffPending(base);
    }

    private boolean isPeerGone(final long nowNs)
    {
        lastSendCheckNs = nowNs;
        return isPeerGone();
    }

    private boolean isPeerGone()
    {
        final int base = PipeDescriptor.endOffset(peer);
        if (handoffPending(base))
        {
            return false;
        }
        if (state.getIntVolatile(base + PipeDescriptor.CLOSED_OFFSET) == 1)
        {
            return true;
        }
        final long holder = state.getLongVolatile(base + PipeDescriptor.HOLDER_OFFSET);
        if (holder != ProcessIdentity.NONE && !ProcessIdentity.isAlive(holder))
        {
            deadPeerHolder = holder;
            return true;
        }
        return false;
    }

    /**
     * @return whether a check of this instance already found the peer end's current holder dead (a
     * new holder that takes the end over changes the holder word, so this turns false again); costs
     * no clock read and no pid check, so every send can ask.
     */
    private boolean isPeerKnownDead()
    {
        final long dead = deadPeerHolder;
        final int base = PipeDescriptor.endOffset(peer);
        return dead != ProcessIdentity.NONE && state.getLongVolatile(base + PipeDescriptor.HOLDER_OFFSET) == dead &&
            !handoffPending(base);
    }

    private boolean handoffPending(final int base)
    {
        return state.getIntVolatile(base + PipeDescriptor.HANDOFFS_OFFSET) > 0 &&
            System.currentTimeMillis() - state.getLongVolatile(base + PipeDescriptor.HANDOFF_MILLIS_OFFSET) < HANDOFF_TIMEOUT_MS;
    }

    private EndOfStreamException endOfStream(final String prefix)
    {
        final int base = PipeDescriptor.endOffset(peer);
        final long holder = state.getLongVolatile(base + PipeDescriptor.HOLDER_OFFSET);
        final boolean closedFlag = state.getIntVolatile(base + PipeDescriptor.CLOSED_OFFSET) == 1;
        return new EndOfStreamException(prefix + this + ": the peer end " + peer + " (pid " + ProcessIdentity.pid(holder) +
            ") " + (closedFlag ? "was closed" : "died"));
    }

    // ------------------------------------------------------------------------------------------- state

    /**
     * @return whether this end can receive.
     */
    public boolean readable()
    {
        return readable;
    }

    /**
     * @return whether this end can send.
     */
    public boolean writable()
    {
        return writable;
    }

    /**
     * @return 0 or 1.
     */
    public int end()
    {
        return end;
    }

    /**
     * @return the pipe's file.
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
     * Close this end: if this process is the end's holder, the peer sees end of stream once it has
     * received what was sent; then unmap. Idempotent. Threads of this JVM blocked in {@code send},
     * {@code recv} or {@code poll} on this instance throw {@link IllegalStateException}, and the unmapping
     * waits for them to leave (Python's idiom of closing a connection to stop a reader thread).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true; // threads blocked in send/recv/poll see it and leave, releasing their locks
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (pollers.get() > 0 && System.nanoTime() - deadline < 0)
        {
            Thread.yield();
        }
        synchronized (sendLock)
        {
            synchronized (recvLock)
            {
                if (region.isClosed() || pollers.get() > 0)
                {
                    return; // a poller that did not leave: leave the mapping to GC rather than crash it
                }
                final int base = PipeDescriptor.endOffset(end);
                if (state.getLongVolatile(base + PipeDescriptor.HOLDER_OFFSET) == ProcessIdentity.SELF)
                {
                    state.putIntRelease(base + PipeDescriptor.CLOSED_OFFSET, 1);
                }
                region.close();
            }
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private void ensureReadable()
    {
        ensureOpen();
        if (!readable)
        {
            throw new IllegalStateException(this + " is send-only (one-way pipe)");
        }
    }

    private Object writeReplace() throws java.io.ObjectStreamException
    {
        ensureOpen();
        QueueHandle.portable(givenCodec, this); // before counting a hand-off that would then never come
        final int base = PipeDescriptor.endOffset(end);
        state.putLongRelease(base + PipeDescriptor.HANDOFF_MILLIS_OFFSET, System.currentTimeMillis());
        state.getAndAddInt(base + PipeDescriptor.HANDOFFS_OFFSET, 1);
        return new QueueHandle(QueueHandle.KIND_CONNECTION, region.path().toString(), end, givenCodec, this);
    }

    @Override
    public String toString()
    {
        return "Connection{" + region.path() + ", end " + end + '}';
    }

    /**
     * A fragmented message's array is allocated whole up to this many bytes; a longer one grows (doubling)
     * as its fragments arrive.
     */
    private static final int ALLOCATE_WHOLE_UP_TO = 64 << 20;

    private final class Receiver implements MessageHandler
    {
        int mode;
        boolean complete;
        boolean assembling;
        Object value;
        byte[] into;
        int intoOffset;
        int received;
        private byte[] assembly;
        private int assemblyStart;
        private int assembled;
        private int assemblyTotal;

        /**
         * The peer is gone mid-message: forget the fragments received.
         */
        void dropPartial()
        {
            assembling = false;
            assembly = null;
        }

        /**
         * The call that gave {@link #into} leaves (returned, timed out or threw): a message half
         * assembled in the caller's array moves to an array of its own, for whichever call goes on.
         */
        void detachInto()
        {
            if (assembling && assembly == into && into != null)
            {
                final byte[] own = new byte[assemblyTotal];
                System.arraycopy(assembly, assemblyStart, own, 0, assembled - assemblyStart);
                assembled -= assemblyStart;
                assemblyStart = 0;
                assembly = own;
            }
            into = null;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            final int fragment = msgTypeId & MessageTags.FRAGMENT_MASK;
            final int tag = msgTypeId & MessageTags.TAG_MASK;
            if (fragment == 0)
            {
                assembling = false;
                assembly = null;
                deliver(tag, buffer, index, length);
                return;
            }
            int from = index;
            int chunk = length;
            if (fragment == MessageTags.FRAGMENT_FIRST)
            {
                assemblyTotal = buffer.getInt(index, java.nio.ByteOrder.LITTLE_ENDIAN);
                from += Integer.BYTES;
                chunk -= Integer.BYTES;
                if (chunk < 0 || assemblyTotal < chunk)
                {
                    throw corrupt("a first fragment of " + Math.max(0, chunk) + " bytes says the message has " + assemblyTotal);
                }
                if (mode == MODE_INTO && assemblyTotal <= into.length - intoOffset)
                {
                    assembly = into;
                    assemblyStart = intoOffset;
                }
                else
                {
                    // the length is the sender's word: above ALLOCATE_WHOLE_UP_TO the array grows with what
                    // arrives, so a corrupt length cannot make this JVM allocate 2 GiB for nothing
                    assembly = new byte[Math.min(assemblyTotal, Math.max(ALLOCATE_WHOLE_UP_TO, chunk))];
                    assemblyStart = 0;
                }
                assembled = assemblyStart;
                assembling = true;
            }
            else if (!assembling)
            {
                return; // a fragment without its start (the sender died mid-message): drop it
            }
            final int expected = assemblyTotal - (assembled - assemblyStart);
            if (chunk > expected || fragment == MessageTags.FRAGMENT_LAST && chunk != expected)
            {
                throw corrupt("a fragment of " + chunk + " bytes where " + expected + " of the message's " +
                    assemblyTotal + " were still to come" + (fragment == MessageTags.FRAGMENT_LAST ? " in the last one" : ""));
            }
            if (assembled + chunk > assembly.length)
            {
                assembly = java.util.Arrays.copyOf(assembly,
                    (int)Math.min(assemblyTotal, Math.max(2L * assembly.length, assembled + chunk)));
            }
            buffer.getBytes(from, assembly, assembled, chunk);
            assembled += chunk;
            if (fragment == MessageTags.FRAGMENT_LAST)
            {
                assembling = false;
                final byte[] whole = assembly;
                assembly = null;
                if (mode == MODE_INTO)
                {
                    value = null;
                    if (whole != into)
                    {
                        // assembled apart (too long for the caller's array, or begun by an earlier call)
                        if (whole.length <= into.length - intoOffset)
                        {
                            System.arraycopy(whole, 0, into, intoOffset, whole.length);
                        }
                        else
                        {
                            value = whole;
                        }
                    }
                    received = assemblyTotal;
                    complete = true;
                }
                else if (mode == MODE_BYTES || tag == MessageTags.BYTES)
                {
                    value = whole;
                    complete = true;
                }
                else if (tag == MessageTags.BYTE_BUFFER)
                {
                    value = java.nio.ByteBuffer.wrap(whole);
                    complete = true;
                }
                else
                {
                    deliver(tag, new org.agrona.concurrent.UnsafeBuffer(whole), 0, whole.length);
                }
            }
        }

        /**
         * A fragment that does not fit the message it belongs to: only a corrupt record or a foreign
         * writer makes one. The message is dropped; the stream goes on with the next record.
         */
        private MessageDecodingException corrupt(final String what)
        {
            assembling = false;
            assembly = null;
            return new MessageDecodingException(Connection.this + ": " + what + "; the message is dropped", null);
        }

        private void deliver(final int tag, final DirectBuffer buffer, final int index, final int length)
        {
            if (mode == MODE_INTO && length <= into.length - intoOffset)
            {
                buffer.getBytes(index, into, intoOffset, length);
                value = null;
                received = length;
            }
            else if (mode == MODE_BYTES || mode == MODE_INTO)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(index, bytes);
                value = bytes;
            }
            else
            {
                value = Encoder.decode(tag, buffer, index, length, codec);
            }
            complete = true;
        }
    }
}

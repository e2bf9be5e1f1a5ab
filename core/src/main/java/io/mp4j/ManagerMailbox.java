package io.mp4j;

import io.mp4j.shm.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The shared-memory transport of a local manager connection (client and server on one host, after the
 * handshake on the Unix socket): one block holds a lane each way, and the socket stays open as the
 * doorbell. Not for direct use.
 *
 * <p>Requests and responses strictly alternate on a connection, so each lane holds one chunk at a time: the
 * writer copies a frame into its lane's data area and publishes it by incrementing the lane's sequence; a
 * frame longer than the area goes as several chunks, each after the reader acknowledged the one before.
 *
 * <p><b>Waiting.</b> A waiter first spins on the word it waits for, for up to {@link #SPIN_NANOS}: a warm
 * peer answers within a few microseconds, and a round trip then costs no system call. A waiter that has
 * spun that long uses no CPU: it announces itself in its wait word (AWAKE to SLEEPING, a full fence),
 * looks once more, and blocks reading one byte from the socket. A writer, after publishing, looks at the
 * peer's wait word (after a full fence: the Dekker pairing of "publish, then look" with "announce, then
 * look") and, if it can move it from SLEEPING to WOKEN, writes that byte. So a sleeper is woken by the
 * kernel as soon as its answer is there, never by a timer: a timed park costs 115-130 µs a wake on the
 * development machine (timer slack), which made every call of a cold client or server cost that much. A
 * waiter that gave up sleeping after the peer had already claimed its wake-up reads the byte that is
 * coming, so no byte is ever left over. A peer that dies closes its socket: a sleeper sees end-of-file at
 * once, a spinner after its spin phase.
 *
 * <p>Layout of the block (offsets in bytes; the words each on their own cache line; little-endian, as
 * Agrona's buffers on this platform):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   0: client's wait word (0 awake, 1 sleeping, 2 woken), 60 pad|
 *  +---------------------------------------------------------------+
 *  |  64: server's wait word, 60 pad                               |
 *  +---------------------------------------------------------------+
 *  | 128: lane 0 (client to server): sequence (8), chunk length    |
 *  |      (4), more chunks follow (4: 0 or 1), 48 pad              |
 *  +---------------------------------------------------------------+
 *  | 192: lane 0 acknowledged sequence (8), 56 pad                 |
 *  +---------------------------------------------------------------+
 *  | 256: lane 1 (server to client): as lane 0; 320: its ack       |
 *  +---------------------------------------------------------------+
 *  | 384: lane 0 data ({@link #AREA} bytes)                         |
 *  +---------------------------------------------------------------+
 *  | 384 + AREA: lane 1 data ({@link #AREA} bytes)                  |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class ManagerMailbox implements AutoCloseable
{
    /** Which end this is. */
    static final int CLIENT = 0;
    static final int SERVER = 1;

    /** Bytes of one lane's data area: far above a usual call, and a longer frame goes in chunks. */
    static final int AREA = 32 * 1024;
    private static final int WAIT_WORD_STRIDE = 64;
    private static final int LANES_OFFSET = 128;
    private static final int LANE_STRIDE = 128;
    private static final int SEQUENCE = 0;
    private static final int LENGTH = 8;
    private static final int MORE = 12;
    private static final int ACK = 64;
    private static final int DATA_OFFSET = LANES_OFFSET + 2 * LANE_STRIDE;
    /** Size of the block. */
    static final int SIZE = DATA_OFFSET + 2 * AREA;

    private static final int AWAKE = 0;
    private static final int SLEEPING = 1;
    private static final int WOKEN = 2;

    /**
     * System property: how long, in microseconds, a waiter whose peer is working on its message spins
     * and yields before it sleeps. A cold JVM (the first thousands of calls of a client or a server)
     * answers in 10-50 µs, and a sleep and its wake-up cost 10-40 µs more on a busy machine, so a phase
     * a bit longer than a cold answer keeps both sides awake through a sequence of calls without holding
     * a core long once the peer stops talking.
     */
    static final String SPIN_MICROS_PROPERTY = "mp4j.manager.spinMicros";
    static final long SPIN_NANOS = Math.max(0, Long.getLong(SPIN_MICROS_PROPERTY, 100)) * 1000;
    /**
     * After this long a waiter yields between looks instead of spinning; at once where the JVM may use one
     * processor, whose core the peer needs (client and server pinned to one core: cold dict set / get 25 k /
     * 39 k calls/s yielding after 20 µs, 34 k / 51 k yielding at once).
     */
    private static final long YIELD_AFTER_NANOS = io.mp4j.shm.IdleStrategies.MULTIPROCESSOR ? Math.min(SPIN_NANOS, 20_000) : 0;
    /**
     * How long a waiter spins for a peer that was awake to pick its message up: a running peer picks it
     * up within a microsecond. 10 µs was slower: a peer that shares the core waited that long each time.
     */
    private static final long PICKUP_NANOS = Math.min(SPIN_NANOS, 3_000);
    /** Spins between two clock reads: a clock read costs about as much as a few dozen spins. */
    private static final int SPINS_PER_CLOCK_READ = 32;

    private final SharedMemory block;
    private final AtomicBuffer buffer;
    private final ManagerWire.Conn doorbell;
    private final ByteBuffer ring = ByteBuffer.allocate(1);
    private final ByteBuffer answer = ByteBuffer.allocate(1);
    private final int myWait;
    private final int peerWait;
    private final int outLane;
    private final int outData;
    private final int inLane;
    private final int inData;
    private long sent;
    private long received;
    /** Whether this side's last publication rang the peer (the peer was asleep). */
    private boolean rang;
    private byte[] frame = new byte[4096];
    private ByteBuffer frameView = ByteBuffer.wrap(frame);

    /**
     * @param block    the connection's block, made by the client ({@link #SIZE} bytes).
     * @param doorbell the connection, whose socket is the doorbell.
     * @param side     {@link #CLIENT} or {@link #SERVER}.
     */
    ManagerMailbox(final SharedMemory block, final ManagerWire.Conn doorbell, final int side)
    {
        if (block.size() < SIZE)
        {
            throw new IllegalArgumentException(block.path() + " holds " + block.size() + " bytes, a mailbox needs " + SIZE);
        }
        this.block = block;
        this.buffer = block.buffer();
        this.doorbell = doorbell;
        final int peer = 1 - side;
        myWait = side * WAIT_WORD_STRIDE;
        peerWait = peer * WAIT_WORD_STRIDE;
        outLane = LANES_OFFSET + side * LANE_STRIDE;
        outData = DATA_OFFSET + side * AREA;
        inLane = LANES_OFFSET + peer * LANE_STRIDE;
        inData = DATA_OFFSET + peer * AREA;
    }

    /**
     * Send one frame.
     *
     * @throws IOException if the peer is gone.
     */
    void send(final byte[] src, final int offset, final int length) throws IOException
    {
        int position = 0;
        do
        {
            final int chunk = Math.min(AREA, length - position);
            final boolean more = position + chunk < length;
            buffer.putBytes(outData, src, offset + position, chunk);
            buffer.putInt(outLane + LENGTH, chunk);
            buffer.putInt(outLane + MORE, more ? 1 : 0);
            buffer.putLongRelease(outLane + SEQUENCE, ++sent);
            wakePeer();
            position += chunk;
            if (more)
            {
                await(outLane + ACK, sent);
            }
        }
        while (position < length);
    }

    /**
     * Receive one frame.
     *
     * @return a buffer over it, valid until the next receive.
     * @throws IOException if the peer is gone, or sent a frame over {@code maxFrame} bytes.
     */
    ByteBuffer receive(final int maxFrame) throws IOException
    {
        int length = 0;
        while (true)
        {
            await(inLane + SEQUENCE, received + 1);
            received++;
            final int chunk = buffer.getInt(inLane + LENGTH);
            if (chunk < 0 || chunk > AREA || length + chunk > maxFrame)
            {
                throw new StreamCorruptedException("frame of more than " + (length + chunk) + " bytes (limit " + maxFrame + ")");
            }
            if (frame.length < length + chunk)
            {
                final byte[] bigger = new byte[Math.max(length + chunk, Math.min(maxFrame, frame.length * 2))];
                System.arraycopy(frame, 0, bigger, 0, length);
                frame = bigger;
                frameView = ByteBuffer.wrap(frame);
            }
            buffer.getBytes(inData, frame, length, chunk);
            length += chunk;
            buffer.putLongRelease(inLane + ACK, received);
            if (buffer.getInt(inLane + MORE) == 0)
            {
                frameView.clear().limit(length);
                return frameView;
            }
            wakePeer();
        }
    }

    /**
     * Wait until the long at {@code index} is {@code value}. While the peer has picked up this side's last
     * message (it acknowledged it: it is running, working on the answer), spin, then yield, up to
     * {@link #SPIN_NANOS} in all, then sleep; if the peer had to be rung awake for it, yield from the start,
     * as it may have been woken onto this core. A peer that was awake but has not picked the
     * message up within {@link #PICKUP_NANOS} is not running: most likely it shares this core, which
     * spinning would keep from it, so sleep at once.
     */
    private void await(final int index, final long value) throws IOException
    {
        boolean timing = false;
        long start = 0;
        int spins = 0;
        while (buffer.getLongVolatile(index) != value)
        {
            if (++spins < SPINS_PER_CLOCK_READ)
            {
                Thread.onSpinWait();
                continue;
            }
            spins = 0;
            final long now = System.nanoTime();
            if (!timing)
            {
                timing = true;
                start = now;
                continue;
            }
            final long waited = now - start;
            final boolean picked = buffer.getLongVolatile(outLane + ACK) == sent;
            if (waited >= SPIN_NANOS || (!picked && !rang && waited >= PICKUP_NANOS))
            {
                sleep(index, value);
                timing = false;
            }
            else if (rang || waited >= YIELD_AFTER_NANOS)
            {
                // let a thread that shares this core run: the peer just woken (a socket wakes its reader on
                // the writer's core when the other core is busy), a JIT compiler, the GC
                Thread.yield();
                spins = SPINS_PER_CLOCK_READ - 1;
            }
        }
    }

    private void sleep(final int index, final long value) throws IOException
    {
        buffer.putIntVolatile(myWait, SLEEPING);
        if (buffer.getLongVolatile(index) == value)
        {
            if (!buffer.compareAndSetInt(myWait, SLEEPING, AWAKE))
            {
                readRing(); // the peer claimed the wake-up just now: its byte is on the way
                buffer.putIntVolatile(myWait, AWAKE);
            }
            return;
        }
        readRing();
        buffer.putIntVolatile(myWait, AWAKE);
    }

    private void readRing() throws IOException
    {
        answer.clear();
        while (answer.hasRemaining())
        {
            if (doorbell.read(answer) < 0)
            {
                throw new EOFException("connection closed by the peer");
            }
        }
    }

    private void wakePeer() throws IOException
    {
        VarHandle.fullFence(); // the publication above must be visible before the peer's wait word is read
        rang = buffer.getIntVolatile(peerWait) == SLEEPING && buffer.compareAndSetInt(peerWait, SLEEPING, WOKEN);
        if (rang)
        {
            ring.clear();
            doorbell.write(ring);
        }
    }

    /** Unmap the block (the socket is the connection's to close). */
    @Override
    public void close()
    {
        block.close();
    }
}

package io.mp4j.queue;

import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import io.mp4j.shm.RuntimeDirectory;

import java.nio.file.Path;

/**
 * Python's {@code multiprocessing.Pipe()}: a pair of {@link Connection}s over one mapped file, duplex by
 * default (both ends send and receive) or one-way ({@link #first()} receives, {@link #second()} sends).
 * The layout is in {@link PipeDescriptor}'s Javadoc: two single-producer Agrona ring buffers of
 * {@link #DEFAULT_CAPACITY} bytes each unless given.
 *
 * <p>Example, a parent and a child process:
 * <pre>{@code
 * Pipe pipe = Pipe.create(dir, "ping");
 * Connection parentEnd = pipe.first();
 * Connection childEnd = pipe.second();   // pass it to the child: it travels as a handle
 * // ... start the child with childEnd, then:
 * childEnd.close();                      // the child holds that end now
 * parentEnd.send("ping");
 * Object answer = parentEnd.recv();      // EndOfStreamException if the child closed its end or died
 * }</pre>
 *
 * <p>In another JVM, {@link Connection#attach(Path, int)} takes over one end by file and end number.
 */
public final class Pipe
{
    /** Default ring capacity per direction: 1 MiB (so messages up to 128 KiB go in one record). */
    public static final int DEFAULT_CAPACITY = 1 << 20;

    private final Connection first;
    private final Connection second;

    private Pipe(final Connection first, final Connection second)
    {
        this.first = first;
        this.second = second;
    }

    /**
     * @return a duplex pipe in the JVM's default runtime directory, under a generated name.
     */
    public static Pipe create()
    {
        return create(RuntimeDirectory.global(), MappedQueue.generatedName("pipe"), true);
    }

    /**
     * @param duplex false for a one-way pipe: {@link #first()} receives, {@link #second()} sends.
     * @return a pipe in the JVM's default runtime directory, under a generated name.
     */
    public static Pipe create(final boolean duplex)
    {
        return create(RuntimeDirectory.global(), MappedQueue.generatedName("pipe"), duplex);
    }

    /**
     * @param dir  the runtime directory that owns the file.
     * @param name the file name in it.
     * @return a new duplex pipe.
     */
    public static Pipe create(final RuntimeDirectory dir, final String name)
    {
        return create(dir, name, true);
    }

    /**
     * @param dir    the runtime directory that owns the file.
     * @param name   the file name in it.
     * @param duplex false for a one-way pipe.
     * @return a new pipe.
     */
    public static Pipe create(final RuntimeDirectory dir, final String name, final boolean duplex)
    {
        return create(dir, name, duplex, DEFAULT_CAPACITY, null);
    }

    /**
     * @param dir      the runtime directory that owns the file.
     * @param name     the file name in it.
     * @param duplex   false for a one-way pipe.
     * @param capacity ring capacity per direction in bytes, a power of two from 1 KiB.
     * @param codec    the object codec, or null for the default.
     * @return a new pipe.
     */
    public static Pipe create(final RuntimeDirectory dir, final String name, final boolean duplex, final int capacity,
        final ObjectCodec codec)
    {
        QueueDescriptor.checkCapacity(capacity);
        final MappedRegion region = MappedRegion.create(
            dir.resolve(name), RegionType.PIPE, duplex ? 1 : 0, PipeDescriptor.payloadLength(capacity));
        region.buffer().putInt(PipeDescriptor.RING_CAPACITY_OFFSET, capacity);
        region.buffer().putInt(PipeDescriptor.DUPLEX_OFFSET, duplex ? 1 : 0);
        region.buffer().putLong(PipeDescriptor.endOffset(0) + PipeDescriptor.HOLDER_OFFSET, ProcessIdentity.SELF);
        region.buffer().putLong(PipeDescriptor.endOffset(1) + PipeDescriptor.HOLDER_OFFSET, ProcessIdentity.SELF);
        region.publish();
        region.close();
        final Path file = dir.resolve(name);
        return new Pipe(Connection.open(file, 0, codec, false), Connection.open(file, 1, codec, false));
    }

    /**
     * @return end 0 (the receiving end of a one-way pipe).
     */
    public Connection first()
    {
        return first;
    }

    /**
     * @return end 1 (the sending end of a one-way pipe).
     */
    public Connection second()
    {
        return second;
    }

    @Override
    public String toString()
    {
        return "Pipe{" + first.path() + '}';
    }
}

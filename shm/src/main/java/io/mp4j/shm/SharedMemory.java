package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;

/**
 * A named block of raw bytes shared between JVMs: the Java twin of Python's
 * {@code multiprocessing.shared_memory.SharedMemory}.
 *
 * <pre>{@code
 * // parent
 * try (SharedMemory shm = SharedMemory.create(1 << 20))
 * {
 *     Process p = Process.of(Demo::fill, shm);          // travels as a handle, re-attached in the child
 *     p.start();
 *     p.join();
 *     System.out.println(shm.buffer().getLong(0));
 *     shm.unlink();
 * }
 *
 * // an independent JVM that knows the file
 * try (SharedMemory shm = SharedMemory.attach(Path.of("/dev/shm/mp4j-me.n.demo/block")))
 * {
 *     shm.byteBuffer().put(0, (byte)42);
 * }
 * }</pre>
 *
 * <p>The block is a {@link MappedRegion} of type {@link RegionType#SHARED_MEMORY} whose payload is the
 * block itself: byte 0 of {@link #buffer()} and of {@link #byteBuffer()} is byte
 * {@value MappedRegion#HEADER_LENGTH} of the file. The size is exactly what was asked for (Python may round
 * it up to a page). The payload starts 128-byte aligned.
 *
 * <p>Lifecycle, as in Python: {@link #close()} unmaps this JVM's view; {@link #unlink()} deletes the file
 * so nobody can attach any more (mappings already made stay valid until closed). A block created in a
 * {@link RuntimeDirectory} that is never unlinked is removed with the directory: when its owner closes it,
 * exits, or is found dead by the next mp4j process's sweep. There is no tracker process and no
 * "leaked shared_memory objects" warning.
 *
 * <p>Passing a {@code SharedMemory} to another mp4j process (as a {@code Process} argument, say) sends a
 * small handle, the file's path, which is attached again on arrival; the receiver does not own the block.
 *
 * <p>Memory consistency: none beyond what the buffer's own methods give. Use the ordered and volatile
 * accessors of {@link AtomicBuffer}, or a lock, to publish data to another process. Instances are
 * thread-safe; the buffers must not be used after {@link #close()}.
 */
public final class SharedMemory implements AutoCloseable, Serializable
{
    private static final long serialVersionUID = 1L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final transient MappedRegion region;
    private final transient ByteBuffer byteBuffer;
    private final transient boolean creator;

    private SharedMemory(final MappedRegion region, final boolean creator)
    {
        this.region = region;
        this.creator = creator;
        final ByteBuffer whole = region.wholeBuffer().byteBuffer().duplicate();
        whole.limit(MappedRegion.HEADER_LENGTH + (int)region.payloadLength()).position(MappedRegion.HEADER_LENGTH);
        this.byteBuffer = whole.slice().order(ByteOrder.nativeOrder());
    }

    /**
     * Create a block with a generated name in the runtime directory of this JVM ({@link RuntimeDirectory#global()}).
     *
     * @param size the number of bytes, at least 0.
     * @return the block, zeroed.
     */
    public static SharedMemory create(final int size)
    {
        return create(RuntimeDirectory.global(), "psm_" + Long.toHexString(RANDOM.nextLong() >>> 16), size);
    }

    /**
     * Create a block named {@code name} in {@code dir}. It must not exist yet.
     *
     * @param dir  where the file goes.
     * @param name the file name (letters, digits, '_', '.', '-').
     * @param size the number of bytes.
     * @return the block, zeroed.
     * @throws IllegalStateException if a block of that name exists.
     * @throws UncheckedIOException  if the file cannot be created (a full {@code /dev/shm}).
     */
    public static SharedMemory create(final RuntimeDirectory dir, final String name, final int size)
    {
        if (size < 0)
        {
            throw new IllegalArgumentException("size=" + size + " must not be negative");
        }
        return new SharedMemory(MappedRegion.create(dir.resolve(name), RegionType.SHARED_MEMORY, 0, size).publish(), true);
    }

    /**
     * Attach to the block {@code name} in {@code dir}.
     *
     * @param dir  the directory that holds it (for another JVM: {@link RuntimeDirectory#openNamed} or
     *             {@link RuntimeDirectory#attach}).
     * @param name its name.
     * @return this JVM's view of the block.
     * @throws InvalidRegionException if there is no such block, or the file is not one.
     */
    public static SharedMemory attach(final RuntimeDirectory dir, final String name)
    {
        return attach(dir.resolve(name));
    }

    /**
     * Attach to the block in {@code file}, e.g. a {@link #path()} printed by another JVM.
     *
     * @param file the block's file.
     * @return this JVM's view of the block.
     * @throws InvalidRegionException if there is no such block, or the file is not one.
     */
    public static SharedMemory attach(final Path file)
    {
        return new SharedMemory(MappedRegion.attach(file, RegionType.SHARED_MEMORY), false);
    }

    /**
     * @return the block's name: its file name.
     */
    public String name()
    {
        return region.path().getFileName().toString();
    }

    /**
     * @return the block's file, which another JVM can {@link #attach(Path)}.
     */
    public Path path()
    {
        return region.path();
    }

    /**
     * @return the size in bytes.
     */
    public int size()
    {
        return (int)region.payloadLength();
    }

    /**
     * @return whether this view created the block (rather than attached to it).
     */
    public boolean isCreator()
    {
        return creator;
    }

    /**
     * @return an Agrona buffer over the block: index 0 is the block's first byte.
     * @throws IllegalStateException if closed.
     */
    public AtomicBuffer buffer()
    {
        return region.buffer();
    }

    /**
     * @return a new {@link ByteBuffer} view of the whole block (position 0, limit {@link #size()}, native
     * byte order); it shares the memory, not the position.
     * @throws IllegalStateException if closed.
     */
    public ByteBuffer byteBuffer()
    {
        if (region.isClosed())
        {
            throw new IllegalStateException(region.path() + ": shared memory is closed");
        }
        return byteBuffer.duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * Unmap this JVM's view. The block stays for the others. Idempotent.
     */
    @Override
    public void close()
    {
        region.close();
    }

    /**
     * Delete the file: no one can attach any more; existing views stay valid until closed. Idempotent.
     */
    public void unlink()
    {
        try
        {
            Files.deleteIfExists(region.path());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot unlink " + region.path(), ex);
        }
    }

    @Override
    public String toString()
    {
        return "SharedMemory{name=" + name() + ", size=" + size() + ", path=" + path() + '}';
    }

    private Object writeReplace()
    {
        return new Handle(region.path().toString());
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a SharedMemory travels as its handle");
    }

    /** What is sent instead of a {@code SharedMemory}: the file's path, attached again on arrival. */
    private static final class Handle implements Serializable
    {
        private static final long serialVersionUID = 1L;
        private final String path;

        Handle(final String path)
        {
            this.path = path;
        }

        private Object readResolve()
        {
            return attach(Paths.get(path));
        }
    }
}

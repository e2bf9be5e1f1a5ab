package io.mp4j.shm;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A memory-mapped file that starts with the mp4j region header, followed by the payload a primitive
 * lays out. Every shared object of mp4j lives in one of these.
 *
 * <p>Creating and attaching are separate calls: {@link #create} makes a new file (never an existing
 * one, so a late joiner cannot zero live state) and {@link #attach} maps an existing one after checking
 * every header field. The creator writes the header and publishes it by writing the layout version
 * last with a release store; an attacher waits, for at most {@link #ATTACH_WAIT_NANOS}, while the
 * version is still 0.
 *
 * <p>Header layout (128 bytes, little-endian, the payload starts at byte 128):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Magic "MP4JRGN1" (8 bytes ASCII)              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Layout Version (0 until the header is complete)      |
 *  +---------------------------------------------------------------+
 *  |                 Region Type code ({@link RegionType})         |
 *  +---------------------------------------------------------------+
 *  |                  Payload Length in bytes (64 bits)            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Creator pid (64 bits)                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Creator start time ({@link ProcessIds}, 64 bits)       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Created at, epoch milliseconds (64 bits)        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Header Length (128)                        |
 *  +---------------------------------------------------------------+
 *  |              Variant (type specific, e.g. element type)       |
 *  +---------------------------------------------------------------+
 *  |                     Reserved (72 bytes, zero)                ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |                     Payload (Payload Length bytes)           ...
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The payload buffer returned by {@link #buffer()} starts at byte 128, so payload offsets are
 * 128-byte aligned relative to the page and a primitive can place contended fields on their own cache
 * lines. The file is created with mode 0600 and filled with zeros through the file channel before it
 * is mapped, so a full {@code /dev/shm} fails here with an {@link java.io.IOException} naming the file
 * rather than later with a fault on a memory access.
 *
 * <p>Instances are thread-safe; {@link #close()} unmaps, after which the buffers must not be used.
 */
public final class MappedRegion implements AutoCloseable
{
    /** "MP4JRGN1" read as a little-endian long. */
    public static final long MAGIC = magic();
    /**
     * The layout version this code writes and the newest it reads. 2: the queue payload gained
     * per-producer Writing Since words (io.mp4j.queue's QueueDescriptor); queues refuse version 1 files.
     */
    public static final int LAYOUT_VERSION = 2;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the layout version, written last. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the region type code. */
    public static final int TYPE_OFFSET = 12;
    /** Offset of the payload length. */
    public static final int PAYLOAD_LENGTH_OFFSET = 16;
    /** Offset of the creator's pid. */
    public static final int CREATOR_PID_OFFSET = 24;
    /** Offset of the creator's start time. */
    public static final int CREATOR_START_TIME_OFFSET = 32;
    /** Offset of the creation time in epoch milliseconds. */
    public static final int CREATED_MILLIS_OFFSET = 40;
    /** Offset of the header length. */
    public static final int HEADER_LENGTH_OFFSET = 48;
    /** Offset of the type-specific variant. */
    public static final int VARIANT_OFFSET = 52;
    /** Length of the header; the payload starts here. */
    public static final int HEADER_LENGTH = 128;

    /** The largest payload a region can hold. */
    public static final long MAX_PAYLOAD_LENGTH = Integer.MAX_VALUE - HEADER_LENGTH;

    /** How long {@link #attach} waits for a creator that has not yet published the header. */
    public static final long ATTACH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final int ZERO_FILL_CHUNK = 1 << 20;

    private final Path path;
    private final RegionType type;
    private final int variant;
    private final long payloadLength;
    private final long creatorPid;
    private final long creatorStartTime;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer whole;
    private final UnsafeBuffer payload;
    private volatile boolean closed;

    private MappedRegion(final Path path, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.mapped = mapped;
        this.whole = new UnsafeBuffer(mapped);
        this.type = RegionType.fromCode(whole.getInt(TYPE_OFFSET));
        this.variant = whole.getInt(VARIANT_OFFSET);
        this.payloadLength = whole.getLong(PAYLOAD_LENGTH_OFFSET);
        this.creatorPid = whole.getLong(CREATOR_PID_OFFSET);
        this.creatorStartTime = whole.getLong(CREATOR_START_TIME_OFFSET);
        this.payload = new UnsafeBuffer(whole, HEADER_LENGTH, (int)payloadLength);
    }

    private static long magic()
    {
        return ByteBuffer.wrap("MP4JRGN1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /**
     * Create a new region file and publish its header. The file must not exist.
     *
     * @param file          where to create it (its directory must exist).
     * @param type          what the region holds.
     * @param variant       a type-specific number stored in the header (0 if unused).
     * @param payloadLength bytes after the header, from 0 to {@link #MAX_PAYLOAD_LENGTH}.
     * @return the mapped region, payload zeroed.
     * @throws IllegalArgumentException if the length is out of range.
     * @throws IllegalStateException    if the file already exists, or this JVM lacks the flags mp4j needs.
     * @throws java.io.UncheckedIOException if the file cannot be created or filled (a full {@code /dev/shm}).
     */
    public static MappedRegion create(final Path file, final RegionType type, final int variant, final long payloadLength)
    {
        JvmAccess.check();
        final boolean keptInterrupt = Thread.interrupted();
        try
        {
            return createRegion(file, type, variant, payloadLength);
        }
        finally
        {
            restoreInterrupt(keptInterrupt);
        }
    }

    /**
     * Making or mapping a region is not a blocking call, so a pending interrupt must not fail it; but a
     * {@link FileChannel} closes when it is used by an interrupted thread. The interrupt is set aside for
     * the file operations and set again after (an interrupt that arrives during them still fails them).
     */
    private static void restoreInterrupt(final boolean keptInterrupt)
    {
        if (keptInterrupt)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static MappedRegion createRegion(final Path file, final RegionType type, final int variant, final long payloadLength)
    {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException(
                "payloadLength=" + payloadLength + " is out of range 0.." + MAX_PAYLOAD_LENGTH + " for " + file);
        }
        final long fileLength = HEADER_LENGTH + payloadLength;
        MappedByteBuffer mapped = null;
        try (FileChannel channel = FileChannel.open(
            file,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))
        {
            zeroFill(channel, fileLength);
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IllegalStateException(file + ": a region already exists there; attach to it instead", ex);
        }
        catch (final java.nio.channels.ClosedByInterruptException ex)
        {
            deleteQuietly(file);
            throw new java.io.UncheckedIOException(
                file + ": the creating thread was interrupted (the region was not made)", ex);
        }
        catch (final IOException ex)
        {
            deleteQuietly(file);
            final String reason = String.valueOf(ex.getMessage());
            throw new java.io.UncheckedIOException(file + ": cannot create a region of " + fileLength + " bytes: " +
                reason + (reason.contains("space") ? " (the file system is full)" : ""), ex);
        }

        final UnsafeBuffer header = new UnsafeBuffer(mapped);
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(TYPE_OFFSET, type.code());
        header.putLong(PAYLOAD_LENGTH_OFFSET, payloadLength);
        header.putLong(CREATOR_PID_OFFSET, ProcessIds.currentPid());
        header.putLong(CREATOR_START_TIME_OFFSET, ProcessIds.currentStartTime());
        header.putLong(CREATED_MILLIS_OFFSET, System.currentTimeMillis());
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putInt(VARIANT_OFFSET, variant);
        return new MappedRegion(file, mapped);
    }

    /**
     * Publish the header: after this, {@link #attach} succeeds. Call it once the payload's own initial
     * state is written, so that no attacher sees a half-initialised primitive.
     *
     * @return this region.
     */
    public MappedRegion publish()
    {
        whole.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION);
        return this;
    }

    /**
     * Attach to an existing region of the expected type, checking every header field.
     *
     * @param file     the region file.
     * @param expected the type the caller will treat it as, or null to accept any type.
     * @return the mapped region.
     * @throws InvalidRegionException if the file is missing, a symbolic link, not a regular file, another
     *                                user's, not an mp4j region, of another type, truncated, of a newer
     *                                layout version, or never published.
     * @throws IllegalStateException  if this JVM lacks the flags mp4j needs.
     */
    public static MappedRegion attach(final Path file, final RegionType expected)
    {
        JvmAccess.check();
        final boolean keptInterrupt = Thread.interrupted();
        try
        {
            return attachRegion(file, expected);
        }
        finally
        {
            restoreInterrupt(keptInterrupt);
        }
    }

    private static MappedRegion attachRegion(final Path file, final RegionType expected)
    {
        final long fileLength;
        final MappedByteBuffer mapped;
        try
        {
            requireOwnRegularFile(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new InvalidRegionException(file, "no such region", ex);
        }
        catch (final IOException ex)
        {
            throw new InvalidRegionException(file, "cannot inspect: " + ex, ex);
        }
        // O_NOFOLLOW: a link put in its place since the check is not followed either
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
        {
            fileLength = awaitMagic(channel);
            if (fileLength < HEADER_LENGTH)
            {
                throw new InvalidRegionException(file, "truncated: " + fileLength +
                    " bytes, shorter than the " + HEADER_LENGTH + "-byte mp4j region header");
            }
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.min(fileLength, HEADER_LENGTH + MAX_PAYLOAD_LENGTH));
        }
        catch (final NoSuchFileException ex)
        {
            throw new InvalidRegionException(file, "no such region", ex);
        }
        catch (final IOException ex)
        {
            throw new InvalidRegionException(file, "cannot open: " + ex, ex);
        }

        try
        {
            validate(file, new UnsafeBuffer(mapped), fileLength, expected);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
        return new MappedRegion(file, mapped);
    }

    /**
     * Regions are files of their creator's user, 0600 in a 0700 directory, so a file of another user was
     * planted, not shared: mapping it read-write would hand this process memory someone else controls. A
     * symbolic link is refused too (its target is whatever the link's maker chose), and so is anything but
     * a regular file, before it is opened (opening a device can do things). One {@code stat}, so that every
     * answer is about the same file.
     */
    private static void requireOwnRegularFile(final Path file) throws IOException
    {
        final Map<String, Object> attrs = Files.readAttributes(
            file, "unix:isSymbolicLink,isRegularFile,uid", LinkOption.NOFOLLOW_LINKS);
        if (Boolean.TRUE.equals(attrs.get("isSymbolicLink")))
        {
            throw new InvalidRegionException(file, "a symbolic link; a region is attached by the path of its own file");
        }
        if (!Boolean.TRUE.equals(attrs.get("isRegularFile")))
        {
            throw new InvalidRegionException(file, "not a regular file");
        }
        final Object uid = attrs.get("uid");
        if (!FileOwners.isCurrentUser(file, uid))
        {
            throw new InvalidRegionException(file, "a foreign file: it belongs to uid " + uid + ", not to this process's" +
                " user (uid " + FileOwners.currentUid() + "); a region of another user is never attached");
        }
    }

    /**
     * A creator makes the file, fills it with zeros, then writes the header: an attacher that comes in
     * between sees a short file or a zero magic. Wait, for at most {@link #ATTACH_WAIT_NANOS}, until the
     * magic is there; a file with another magic is refused at once by {@link #validate}.
     *
     * @return the file's length once the magic is there, or when the wait is over.
     */
    private static long awaitMagic(final FileChannel channel) throws IOException
    {
        final ByteBuffer magic = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final long deadline = System.nanoTime() + ATTACH_WAIT_NANOS;
        while (true)
        {
            final long length = channel.size();
            if (length >= HEADER_LENGTH)
            {
                magic.clear();
                while (magic.hasRemaining() && channel.read(magic, magic.position()) > 0)
                {
                    // read the 8 bytes of the magic
                }
                if (magic.getLong(0) != 0)
                {
                    return channel.size();
                }
            }
            if (System.nanoTime() - deadline > 0)
            {
                return length;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private static void validate(final Path file, final UnsafeBuffer header, final long fileLength, final RegionType expected)
    {
        final long magic = header.getLong(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new InvalidRegionException(file, String.format(
                "not an mp4j region: magic is 0x%016x, expected 0x%016x (\"MP4JRGN1\")%s", magic, MAGIC,
                magic == 0 ? "; an all-zero header was never written: its creator may have died while creating it" : ""));
        }

        int version = header.getIntVolatile(VERSION_OFFSET);
        if (version == 0)
        {
            final long deadline = System.nanoTime() + ATTACH_WAIT_NANOS;
            while ((version = header.getIntVolatile(VERSION_OFFSET)) == 0 && System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
                Thread.yield();
            }
            if (version == 0)
            {
                final long pid = header.getLong(CREATOR_PID_OFFSET);
                final boolean alive = ProcessIds.isAlive(pid, header.getLong(CREATOR_START_TIME_OFFSET));
                throw new InvalidRegionException(file, "header was never published: its creator (pid " + pid +
                    (alive ? ", still alive" : ", now dead") + ") did not finish creating it within " +
                    TimeUnit.NANOSECONDS.toMillis(ATTACH_WAIT_NANOS) + " ms");
            }
        }
        if (version < 0 || version > LAYOUT_VERSION)
        {
            throw new InvalidRegionException(file, "layout version " + version +
                " is newer than this mp4j understands (" + LAYOUT_VERSION + "); upgrade mp4j to attach it");
        }

        final int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH)
        {
            throw new InvalidRegionException(file, "corrupt header: header length " + headerLength +
                ", expected " + HEADER_LENGTH);
        }

        final int typeCode = header.getInt(TYPE_OFFSET);
        final RegionType actual = RegionType.fromCode(typeCode);
        if (actual == null)
        {
            throw new InvalidRegionException(file, "corrupt header: unknown region type code " + typeCode);
        }
        if (expected != null && actual != expected)
        {
            throw new InvalidRegionException(file, "wrong type: the region is a " + actual + ", not a " + expected);
        }

        final long payloadLength = header.getLong(PAYLOAD_LENGTH_OFFSET);
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH)
        {
            throw new InvalidRegionException(file, "corrupt header: payload length " + payloadLength);
        }
        if (fileLength < HEADER_LENGTH + payloadLength)
        {
            throw new InvalidRegionException(file, "truncated: " + fileLength + " bytes, but the header promises " +
                HEADER_LENGTH + " + " + payloadLength + " = " + (HEADER_LENGTH + payloadLength));
        }
    }

    private static void zeroFill(final FileChannel channel, final long length) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_FILL_CHUNK, Math.max(length, 1)));
        long position = 0;
        while (position < length)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
            while (zeros.hasRemaining())
            {
                position += channel.write(zeros, position);
            }
        }
        IoUtil.unmap(zeros);
    }

    static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // the caller already reports the failure that matters
        }
    }

    /**
     * @return the region file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return what the region holds.
     */
    public RegionType type()
    {
        return type;
    }

    /**
     * @return the type-specific variant stored in the header.
     */
    public int variant()
    {
        return variant;
    }

    /**
     * @return the payload length in bytes.
     */
    public long payloadLength()
    {
        return payloadLength;
    }

    /**
     * @return pid of the process that created the region.
     */
    public long creatorPid()
    {
        return creatorPid;
    }

    /**
     * @return start time of the process that created the region, see {@link ProcessIds}.
     */
    public long creatorStartTime()
    {
        return creatorStartTime;
    }

    /**
     * @return whether the creating process is still running.
     */
    public boolean isCreatorAlive()
    {
        return ProcessIds.isAlive(creatorPid, creatorStartTime);
    }

    /**
     * @return a buffer over the payload only: index 0 is byte {@link #HEADER_LENGTH} of the file.
     */
    public AtomicBuffer buffer()
    {
        ensureOpen();
        return payload;
    }

    /**
     * @return a buffer over the whole file, header included, for tools that inspect regions.
     */
    public AtomicBuffer wholeBuffer()
    {
        ensureOpen();
        return whole;
    }

    /**
     * @return whether {@link #close()} has been called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(path + ": region is closed");
        }
    }

    /**
     * Unmap the region. The file stays: deleting it is its owner's business (the runtime directory's).
     * Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }

    @Override
    public String toString()
    {
        return "MappedRegion{" + type + ", " + payloadLength + " bytes, " + path + '}';
    }
}

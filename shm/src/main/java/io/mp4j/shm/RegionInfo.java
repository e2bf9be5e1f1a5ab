package io.mp4j.shm;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * What a region's header says, read with a plain file read (no mapping, no waiting), and on request what
 * the region holds now ({@link #state()}): for tools that list regions, such as {@code mp4j stat}. See
 * {@link MappedRegion} for the layout.
 */
public final class RegionInfo
{
    private final Path path;
    private final long fileLength;
    private final int version;
    private final RegionType type;
    private final int variant;
    private final long payloadLength;
    private final long creatorPid;
    private final long creatorStartTime;
    private final long createdMillis;
    private final String problem;

    private RegionInfo(final Path path, final long fileLength, final UnsafeBuffer header, final String problem)
    {
        this.path = path;
        this.fileLength = fileLength;
        this.problem = problem;
        if (header == null)
        {
            version = 0;
            type = null;
            variant = 0;
            payloadLength = 0;
            creatorPid = 0;
            creatorStartTime = 0;
            createdMillis = 0;
        }
        else
        {
            version = header.getInt(MappedRegion.VERSION_OFFSET);
            type = RegionType.fromCode(header.getInt(MappedRegion.TYPE_OFFSET));
            variant = header.getInt(MappedRegion.VARIANT_OFFSET);
            payloadLength = header.getLong(MappedRegion.PAYLOAD_LENGTH_OFFSET);
            creatorPid = header.getLong(MappedRegion.CREATOR_PID_OFFSET);
            creatorStartTime = header.getLong(MappedRegion.CREATOR_START_TIME_OFFSET);
            createdMillis = header.getLong(MappedRegion.CREATED_MILLIS_OFFSET);
        }
    }

    /**
     * Read a region file's header.
     *
     * @param file the file.
     * @return what its header says; {@link #problem()} is non-null for a file that is not a valid region.
     */
    public static RegionInfo read(final Path file)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(MappedRegion.HEADER_LENGTH);
        final long length;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            length = channel.size();
            while (bytes.hasRemaining() && channel.read(bytes) > 0)
            {
                // read the whole header
            }
        }
        catch (final IOException ex)
        {
            return new RegionInfo(file, -1, null, "cannot read: " + ex.getMessage());
        }
        if (length < MappedRegion.HEADER_LENGTH)
        {
            return new RegionInfo(file, length, null, "truncated: " + length + " bytes");
        }
        final UnsafeBuffer header = new UnsafeBuffer(bytes.array());
        if (header.getLong(MappedRegion.MAGIC_OFFSET) != MappedRegion.MAGIC)
        {
            return new RegionInfo(file, length, null, "not an mp4j region");
        }
        final int version = header.getInt(MappedRegion.VERSION_OFFSET);
        final RegionType type = RegionType.fromCode(header.getInt(MappedRegion.TYPE_OFFSET));
        final long payload = header.getLong(MappedRegion.PAYLOAD_LENGTH_OFFSET);
        String problem = null;
        if (version == 0)
        {
            problem = "not yet published";
        }
        else if (version > MappedRegion.LAYOUT_VERSION || version < 0)
        {
            problem = "layout version " + version + " is newer than " + MappedRegion.LAYOUT_VERSION;
        }
        else if (type == null)
        {
            problem = "unknown type code " + header.getInt(MappedRegion.TYPE_OFFSET);
        }
        else if (payload < 0 || payload > MappedRegion.MAX_PAYLOAD_LENGTH)
        {
            // checked apart: HEADER_LENGTH + payload overflows for a payload near Long.MAX_VALUE
            problem = "corrupt header: payload length " + payload;
        }
        else if (length < MappedRegion.HEADER_LENGTH + payload)
        {
            problem = "truncated: " + length + " bytes for a payload of " + payload;
        }
        return new RegionInfo(file, length, header, problem);
    }

    /**
     * @return the file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the file's length in bytes, or -1 if unreadable.
     */
    public long fileLength()
    {
        return fileLength;
    }

    /**
     * @return the layout version, 0 while unpublished.
     */
    public int version()
    {
        return version;
    }

    /**
     * @return the region type, or null if unknown.
     */
    public RegionType type()
    {
        return type;
    }

    /**
     * @return the type-specific variant.
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
     * @return the pid of the process that created the region.
     */
    public long creatorPid()
    {
        return creatorPid;
    }

    /**
     * @return whether the creating process still runs (pid and start time both match).
     */
    public boolean isCreatorAlive()
    {
        return ProcessIds.isAlive(creatorPid, creatorStartTime);
    }

    /**
     * @return when the region was created, epoch milliseconds.
     */
    public long createdMillis()
    {
        return createdMillis;
    }

    /**
     * @return what is wrong with the file, or null for a valid region.
     */
    public String problem()
    {
        return problem;
    }

    /**
     * What the region holds now, in a few words ({@code "value 42"}, {@code "held by pid 4242 thread 1"},
     * {@code "3 of 5 permits"}, {@code "120 bytes queued of 65536"}), told by the {@link RegionInspector} of the
     * module that owns its type, through a read-only mapping of its payload (unmapped before this returns). A
     * snapshot: other processes may be changing it.
     *
     * @return the state, or an empty string if the region has a {@link #problem()}, no inspector reads its
     * type, or the file cannot be read now or no longer holds the region {@link #read} saw (removed or
     * replaced meanwhile, say).
     */
    public String state()
    {
        if (problem != null || type == null || payloadLength == 0)
        {
            return "";
        }
        MappedByteBuffer mapped = null;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            // the header again, in the same mapping as the payload: the file may have been replaced since read()
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, MappedRegion.HEADER_LENGTH + payloadLength);
            final UnsafeBuffer whole = new UnsafeBuffer(mapped);
            if (!describes(whole))
            {
                return "";
            }
            final UnsafeBuffer payload = new UnsafeBuffer(whole, MappedRegion.HEADER_LENGTH, (int)payloadLength);
            for (final RegionInspector inspector : Inspectors.ALL)
            {
                final String state = inspector.describe(type, variant, payload);
                if (state != null)
                {
                    return state;
                }
            }
            return "";
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
        finally
        {
            if (mapped != null)
            {
                IoUtil.unmap(mapped);
            }
        }
    }

    private boolean describes(final UnsafeBuffer header)
    {
        return header.getLong(MappedRegion.MAGIC_OFFSET) == MappedRegion.MAGIC &&
            header.getInt(MappedRegion.TYPE_OFFSET) == type.code() &&
            header.getInt(MappedRegion.VARIANT_OFFSET) == variant &&
            header.getLong(MappedRegion.PAYLOAD_LENGTH_OFFSET) == payloadLength &&
            header.getLong(MappedRegion.CREATOR_PID_OFFSET) == creatorPid &&
            header.getLong(MappedRegion.CREATOR_START_TIME_OFFSET) == creatorStartTime &&
            header.getLong(MappedRegion.CREATED_MILLIS_OFFSET) == createdMillis;
    }

    /** The inspectors on the class path, loaded once. */
    private static final class Inspectors
    {
        static final List<RegionInspector> ALL = load();

        private static List<RegionInspector> load()
        {
            final List<RegionInspector> all = new ArrayList<>();
            try
            {
                for (final RegionInspector inspector : ServiceLoader.load(RegionInspector.class, RegionInfo.class.getClassLoader()))
                {
                    all.add(inspector);
                }
            }
            catch (final ServiceConfigurationError ex)
            {
                // a broken provider leaves the others: a tool still lists regions
            }
            return List.copyOf(all);
        }
    }
}

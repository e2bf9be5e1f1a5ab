package io.mp4j;

import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared-memory link between a pool and one worker JVM: a {@link RegionType#POOL} region holding two
 * Agrona {@link OneToOneRingBuffer}s, tasks (parent to worker) and results (worker to parent). Each ring
 * has exactly one writer thread (the pool's dispatcher, or the worker's main thread) and one reader.
 *
 * <p>Payload layout (after the 128-byte region header; {@code C} is the ring capacity, a power of two;
 * {@code T} is {@link RingBufferDescriptor#TRAILER_LENGTH}):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Tasks ring: C bytes of records, then its T-byte trailer ...
 * ...  (parent writes, worker reads)                               |
 *  +---------------------------------------------------------------+
 *  |      Results ring: C bytes of records, then its T-byte trailer ...
 * ...  (worker writes, parent reads)                               |
 *  +---------------------------------------------------------------+
 *  |   Tasks started (64 bits, worker writes with a release store) |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Reserved (120 bytes, zero)                  ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The worker counts the MSG_TASK records it has started; the pool numbers the tasks it sends each worker
 * 1, 2, 3..., so when a worker dies the pool knows which of its chunks was running (number = count) and
 * which never started (number &gt; count) and can be sent elsewhere with no harm.
 * The header's variant field holds {@code C}. Records are Agrona ring records; their type ids and bodies
 * are the {@code MSG_*} constants below (all integers little-endian):
 * <pre>
 *  parent -> worker
 *   MSG_FUNCTION  fnId:int32, Java-serialized function ...
 *   MSG_FORGET    fnId:int32                      (the worker drops the cached function)
 *   MSG_TASK      chunkId:int64, fnId:int32, mode:int32, arguments ({@link TaskCodec})
 *   MSG_STOP      (empty: finish and exit with status 0)
 *  worker -> parent
 *   MSG_READY     pid:int64                       (initializer done, ready for tasks)
 *   MSG_RESULT    chunkId:int64, results ({@link TaskCodec})
 *   MSG_ERROR     chunkId:int64, index:int32, Java-serialized Throwable ...
 *  either way
 *   MSG_BLOB      innerType:int32, UTF-8 file name ...   (a record longer than the ring's maximum
 *                 message length travels in a file of the runtime directory; the reader deletes it)
 * </pre>
 * (This is the part that will move onto {@code io.mp4j.queue.Pipe} once it is on main.)
 */
final class WorkerChannel implements AutoCloseable
{
    static final int MSG_FUNCTION = 1;
    static final int MSG_FORGET = 2;
    static final int MSG_TASK = 3;
    static final int MSG_STOP = 4;
    static final int MSG_READY = 10;
    static final int MSG_RESULT = 11;
    static final int MSG_ERROR = 12;
    static final int MSG_BLOB = 20;

    /** Offset of the chunk id in MSG_TASK, MSG_RESULT and MSG_ERROR. */
    static final int CHUNK_ID_OFFSET = 0;
    /** Offset of the function id in MSG_TASK. */
    static final int TASK_FN_ID_OFFSET = 8;
    /** Offset of the mode in MSG_TASK. */
    static final int TASK_MODE_OFFSET = 12;
    /** Offset of the encoded arguments in MSG_TASK. */
    static final int TASK_ARGS_OFFSET = 16;
    /** Offset of the encoded results in MSG_RESULT. */
    static final int RESULT_VALUES_OFFSET = 8;
    /** Offset of the failing task's index in MSG_ERROR. */
    static final int ERROR_INDEX_OFFSET = 8;
    /** Offset of the serialized throwable in MSG_ERROR. */
    static final int ERROR_THROWABLE_OFFSET = 12;

    /** Default ring capacity: 2 MiB each way, so one message can be up to 256 KiB before it goes by file. */
    static final int DEFAULT_CAPACITY = 2 * 1024 * 1024;

    private static final AtomicLong BLOB_COUNTER = new AtomicLong();
    /** Message files are named after the region, this or {@link #WORKER_WRITTEN}, and a number. */
    private static final String PARENT_WRITTEN = "-p";
    private static final String WORKER_WRITTEN = "-w";
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** Length of the control block after the rings. */
    static final int CONTROL_LENGTH = 128;

    private final MappedRegion region;
    private final AtomicBuffer control;
    private final OneToOneRingBuffer tasks;
    private final OneToOneRingBuffer results;
    private final Path directory;
    private final String blobPrefix;
    /** The longest ring record naming a message file: header, inner type, the name with a 19-digit number. */
    private final int fileRecordLength;

    private WorkerChannel(final MappedRegion region, final int capacity, final String blobPrefix)
    {
        this.region = region;
        final AtomicBuffer payload = region.buffer();
        final int ringLength = capacity + RingBufferDescriptor.TRAILER_LENGTH;
        this.tasks = new OneToOneRingBuffer(new UnsafeBuffer(payload, 0, ringLength));
        this.results = new OneToOneRingBuffer(new UnsafeBuffer(payload, ringLength, ringLength));
        this.control = new UnsafeBuffer(payload, 2 * ringLength, CONTROL_LENGTH);
        this.directory = region.path().getParent();
        this.blobPrefix = blobPrefix;
        this.fileRecordLength = BitUtil.align(RecordDescriptor.HEADER_LENGTH + 4 +
            blobPrefix.getBytes(StandardCharsets.UTF_8).length + 19, RecordDescriptor.ALIGNMENT);
    }

    /**
     * Create and publish the region of a new worker.
     */
    static WorkerChannel create(final Path file, final int capacity)
    {
        checkCapacity(capacity);
        final long payloadLength = 2L * (capacity + RingBufferDescriptor.TRAILER_LENGTH) + CONTROL_LENGTH;
        final MappedRegion region = MappedRegion.create(file, RegionType.POOL, capacity, payloadLength);
        region.publish();
        return new WorkerChannel(region, capacity, file.getFileName() + PARENT_WRITTEN);
    }

    /**
     * Attach, in the worker, to the region its pool created.
     */
    static WorkerChannel attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.POOL);
        return new WorkerChannel(region, region.variant(), file.getFileName() + WORKER_WRITTEN);
    }

    Path path()
    {
        return region.path();
    }

    /**
     * In the worker: one more task chunk has started.
     */
    void taskStarted()
    {
        control.putLongRelease(0, control.getLong(0) + 1);
    }

    /**
     * @return how many task chunks the worker has started.
     */
    long tasksStarted()
    {
        return control.getLongVolatile(0);
    }

    OneToOneRingBuffer tasks()
    {
        return tasks;
    }

    OneToOneRingBuffer results()
    {
        return results;
    }

    /**
     * Whether the ring would take a record naming a message file now: at least twice the longest such
     * record is free (twice, for the padding a record that wraps around the ring's end needs). This side is
     * the ring's only writer and its reader only frees space, so a true answer holds until this side writes.
     * A sender checks it before encoding a long message, so that a full ring costs no encoding per retry.
     */
    boolean hasRoomForFileRecord(final OneToOneRingBuffer ring)
    {
        return ring.capacity() - ring.size() >= 2 * fileRecordLength;
    }

    /**
     * Write one record, by file if it is longer than the ring allows. A file is written only once the ring
     * has taken (claimed) the record that names it: a write refused by a full ring, which the caller retries
     * after its idle strategy's pause, creates no file, and each accepted record names one file, read once.
     *
     * @return false if the ring is full now (back-pressure: try again later); nothing was written.
     * @throws UncheckedIOException if the file cannot be written (then neither it nor the record remains).
     */
    boolean offer(final OneToOneRingBuffer ring, final int type, final DirectBuffer src, final int offset, final int length)
    {
        if (length <= ring.maxMsgLength())
        {
            return ring.write(type, src, offset, length);
        }
        final String name = blobPrefix + BLOB_COUNTER.incrementAndGet();
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        final int index = ring.tryClaim(MSG_BLOB, 4 + nameBytes.length);
        if (index < 0)
        {
            return false;
        }
        final Path file = directory.resolve(name);
        try
        {
            final byte[] body = new byte[length];
            src.getBytes(offset, body);
            // java.io, not a FileChannel: a channel is closed by an interrupt of the writing thread, which may
            // be a caller of the pool (helping it dispatch) with its own interrupt pending, or a worker whose
            // task left its interrupt set; neither must fail the message, which would break the pool
            Files.createFile(file, OWNER_ONLY);
            try (FileOutputStream out = new FileOutputStream(file.toFile()))
            {
                out.write(body);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            ring.abort(index);
            deleteQuietly(file);
            if (ex instanceof IOException)
            {
                throw new UncheckedIOException("cannot write a " + length + "-byte message to " + file, (IOException)ex);
            }
            throw (RuntimeException)ex;
        }
        final AtomicBuffer b = ring.buffer();
        b.putInt(index, type);
        b.putBytes(index + 4, nameBytes);
        ring.commit(index);
        return true;
    }

    /**
     * A handler that resolves {@link #MSG_BLOB} records before passing them on.
     */
    MessageHandler unblobbing(final MessageHandler handler)
    {
        return (type, buffer, index, length) ->
        {
            if (type != MSG_BLOB)
            {
                handler.onMessage(type, buffer, index, length);
                return;
            }
            final int innerType = buffer.getInt(index);
            final String name = buffer.getStringWithoutLengthUtf8(index + 4, length - 4);
            final Path file = directory.resolve(name);
            final byte[] body;
            // java.io, not Files.readAllBytes (a FileChannel): see offer
            try (FileInputStream in = new FileInputStream(file.toFile()))
            {
                body = in.readAllBytes();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read message file " + file, ex);
            }
            deleteQuietly(file);
            handler.onMessage(innerType, new UnsafeBuffer(body), 0, body.length);
        };
    }

    /**
     * @param capacity a ring capacity to check.
     * @throws IllegalArgumentException unless it is a power of two of at least 4096 bytes.
     */
    static void checkCapacity(final int capacity)
    {
        if (capacity < 4096 || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("ring capacity=" + capacity + " must be a power of two, at least 4096");
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // the runtime directory is removed with its context anyway
        }
    }

    /**
     * Unmap, delete the file (this side created it), and the message files of records never read: those
     * the worker was sent but did not take before it exited or was stopped, and its results not collected.
     * Called once the worker is gone (or being killed): nothing reads them any more.
     */
    void closeAndDelete()
    {
        region.close();
        deleteQuietly(region.path());
        final String own = region.path().getFileName().toString();
        final String parentWritten = own + PARENT_WRITTEN;
        final String workerWritten = own + WORKER_WRITTEN;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory,
            f -> f.getFileName().toString().startsWith(parentWritten) || f.getFileName().toString().startsWith(workerWritten)))
        {
            for (final Path file : files)
            {
                deleteQuietly(file);
            }
        }
        catch (final IOException | DirectoryIteratorException ignore)
        {
            // the runtime directory is removed with its context anyway
        }
    }

    @Override
    public void close()
    {
        region.close();
    }
}

package io.mp4j.queue;

import io.mp4j.shm.FileOwners;
import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.InvalidRegionException;
import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A durable, replayable queue on Chronicle Queue: messages are appended to files in a directory (on disk,
 * or in {@code /dev/shm} for speed without durability across reboots) and survive the death of every
 * process that used it.
 *
 * <p>Two ways to read, which can be mixed on one queue:
 * <ul>
 *   <li><b>Work queue</b> ({@link #poll()}, {@link #take(Duration)}): each message goes to exactly one
 *       consumer across all JVMs. Consumers claim messages by compare-and-set on a shared cursor in the
 *       mapped file {@code work.cursor} beside the queue files (the index of the last message claimed),
 *       so a restarted consumer continues after the last message claimed by anyone. Delivery is at most
 *       once: a consumer killed after claiming a message and before handling it loses that message.</li>
 *   <li><b>Broadcast / tail</b> ({@link #subscribe(String)}, {@link #tail(long)}): every subscriber
 *       sees every message. A named subscriber's position is persisted by Chronicle, so after a restart
 *       it resumes where it stopped; {@link #tail(long)} replays from any saved index
 *       ({@link #put(Object)} returns the index of each message).</li>
 * </ul>
 *
 * <p><b>Files</b>: one file per roll cycle ({@code FIVE_MINUTELY} by default; any name of Chronicle's
 * {@code RollCycles} or {@code TestRollCycles}, e.g. {@code TEST_SECONDLY}). {@link #cleanup(Duration)}
 * deletes cycle files older than a retention period that the work cursor has passed, except the
 * current one; {@link #autoCleanup(Duration)} runs it whenever this instance's appends roll over.
 * Deletion follows the work cursor only, so a queue read only through subscribers or tails deletes
 * nothing. {@code WEEKLY} is refused: Chronicle cannot map its week-based file names back to cycles,
 * so its tailers read nothing and cleanup could delete nothing. A directory the queue creates has mode
 * 0700; one that exists must belong to this user and must not be writable by every user (its group may
 * write it), else {@code open} throws {@link IllegalStateException}: Chronicle maps the files it finds there.
 * A link to the directory is resolved when the queue is opened, and the queue keeps to where it led.
 *
 * <p><b>No phone-home</b>: loading this class sets {@code chronicle.analytics.disable=true} before any
 * Chronicle class initialises, so Chronicle neither sends analytics nor writes
 * {@code ~/.chronicle.analytics.*}; it also sets {@code jna.tmpdir} to {@code java.io.tmpdir} when unset, so
 * that JNA (used by Chronicle) does not unpack native code under {@code ~/.cache}. Chronicle needs the JVM flags listed in the parent pom
 * ({@code mp4j.jvm.flags}). Opening takes about 0.4 s, so the queue is opened lazily on first use.
 *
 * <p>Example:
 * <pre>{@code
 * try (DurableQueue<String> q = DurableQueue.open(Paths.get("/var/lib/app/orders")))
 * {
 *     long index = q.put("order-1");             // durable once put returns
 *     String work = q.take(Duration.ofSeconds(1)); // exactly one consumer gets it, in any JVM
 *     try (DurableQueue.Subscriber<String> audit = q.subscribe("audit"))
 *     {
 *         String seen = audit.poll();             // every subscriber sees every message
 *     }
 * }
 * }</pre>
 *
 * <p>Instances are thread-safe. A {@code DurableQueue} passed to a child process through Java
 * serialization re-opens the same directory there.
 *
 * @param <T> the type of the elements.
 */
public final class DurableQueue<T> implements AutoCloseable, Serializable
{
    private static final long serialVersionUID = 1L;

    static
    {
        System.setProperty("chronicle.analytics.disable", "true");
        // Chronicle loads native code through JNA, which otherwise unpacks it under ~/.cache/JNA
        if (System.getProperty("jna.tmpdir") == null)
        {
            System.setProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"));
        }
    }

    /** The default roll cycle. */
    public static final String DEFAULT_ROLL_CYCLE = "FIVE_MINUTELY";
    /** Name of the work cursor file in the queue directory. */
    public static final String CURSOR_FILE = "work.cursor";

    static final int KIND_DURABLE_CURSOR = 4;
    static final int CURSOR_OFFSET = 0;
    static final int CLAIM_COUNT_OFFSET = 128;
    static final int CURSOR_PAYLOAD_LENGTH = 256;
    /** Mode 0700 for the directories a queue creates. */
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIRECTORY =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final Path directory;
    /** Where {@link #directory} led when it was checked: Chronicle and the cursor use this path. */
    private final Path realDirectory;
    private final String rollCycleName;
    private final transient ObjectCodec codec;
    /** The codec this instance was given, null for the default: what a handle carries. */
    private final transient ObjectCodec givenCodec;
    private final transient Object appendLock = new Object();
    private final transient Object claimLock = new Object();
    private transient SingleChronicleQueue queue;
    private transient ExcerptAppender appender;
    private transient ExcerptTailer workTailer;
    private transient long positionedAfter = -1;
    private transient MappedRegion cursorRegion;
    private transient AtomicBuffer cursor;
    private transient volatile boolean closed;
    private transient volatile Duration retention;
    private transient int lastAppendCycle = Integer.MIN_VALUE;

    private DurableQueue(final Path directory, final String rollCycleName, final ObjectCodec codec)
    {
        this.directory = directory;
        this.rollCycleName = rollCycleName;
        this.codec = codec == null ? new JavaSerializationCodec() : codec;
        this.givenCodec = codec;
        rollCycle(rollCycleName); // fail early on a bad name
        this.realDirectory = prepareDirectory(directory); // and on a directory that others could write
    }

    /**
     * Create the directory if it is missing, mode 0700 as a runtime directory (Chronicle's files get the
     * umask's mode, so the directory is what keeps other users out), and refuse one of another user or that
     * every user may write: Chronicle maps whatever files it finds there, without the checks of mp4j's own
     * regions.
     *
     * @return its real path.
     */
    private static Path prepareDirectory(final Path directory)
    {
        try
        {
            if (directory.getFileSystem().supportedFileAttributeViews().contains("posix"))
            {
                Files.createDirectories(directory, PRIVATE_DIRECTORY);
            }
            else
            {
                Files.createDirectories(directory);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the durable queue directory " + directory, ex);
        }
        return FileOwners.requirePrivateDirectory(directory, "durable queue");
    }

    /**
     * Open (creating if needed) a durable queue with the {@link #DEFAULT_ROLL_CYCLE}.
     *
     * @param directory the queue's directory.
     * @param <T>       the element type.
     * @return the queue; Chronicle files are opened on first use.
     * @throws IllegalStateException if the directory is another user's, or every user may write it.
     */
    public static <T> DurableQueue<T> open(final Path directory)
    {
        return open(directory, DEFAULT_ROLL_CYCLE, null);
    }

    /**
     * Open (creating if needed) a durable queue.
     *
     * @param directory the queue's directory.
     * @param rollCycle a Chronicle roll cycle name, e.g. {@code "FIVE_MINUTELY"} or {@code "TEST_SECONDLY"};
     *                  every process using the directory must use the same one.
     * @param codec     the object codec, or null for the default.
     * @param <T>       the element type.
     * @return the queue.
     * @throws IllegalArgumentException for an unknown roll cycle, or {@code WEEKLY}, whose file names
     *                                  Chronicle cannot map back to cycles (its tailers read nothing).
     * @throws IllegalStateException    if the directory is another user's, or every user may write it.
     * @throws java.io.UncheckedIOException if the directory cannot be created.
     */
    public static <T> DurableQueue<T> open(final Path directory, final String rollCycle, final ObjectCodec codec)
    {
        return new DurableQueue<>(directory.toAbsolutePath(), rollCycle, codec);
    }

    /**
     * Open (creating if needed) a durable queue in a subdirectory of a runtime directory: it survives the
     * death of every process that uses it, but not the removal of the runtime directory (its owner's
     * {@code close()}) nor, in {@code /dev/shm}, a reboot.
     *
     * @param dir  the runtime directory.
     * @param name the subdirectory's name.
     * @param <T>  the element type.
     * @return the queue.
     */
    public static <T> DurableQueue<T> open(final io.mp4j.shm.RuntimeDirectory dir, final String name)
    {
        return open(dir.resolve(name), DEFAULT_ROLL_CYCLE, null);
    }

    static RollCycle rollCycle(final String name)
    {
        for (final RollCycles cycle : RollCycles.values())
        {
            if (cycle.name().equals(name))
            {
                return checkNamesMapBack(cycle);
            }
        }
        for (final TestRollCycles cycle : TestRollCycles.values())
        {
            if (cycle.name().equals(name))
            {
                return checkNamesMapBack(cycle);
            }
        }
        throw new IllegalArgumentException("unknown roll cycle '" + name + "'; use a name of Chronicle's RollCycles or TestRollCycles");
    }

    /**
     * Chronicle finds a queue's files, for its tailers and for {@link #cleanup(Duration)}, by parsing
     * their names back into cycles. For a roll cycle where that does not give back the cycle the name was
     * made from (Chronicle's {@code WEEKLY}: its week-based names {@code YYYY'W'ww} parse as a day count),
     * a tailer reads nothing and cleanup could delete nothing: refuse it when the queue is opened.
     */
    private static RollCycle checkNamesMapBack(final RollCycle rollCycle)
    {
        final RollingResourcesCache names = cycleNames(rollCycle, rollCycle.defaultEpoch());
        final int current = (int)Math.floorDiv(System.currentTimeMillis() - rollCycle.defaultEpoch(), (long)rollCycle.lengthInMillis());
        final String name = names.resourceFor(current).text;
        if (cycleOf(names, name) != current)
        {
            throw new IllegalArgumentException("roll cycle " + rollCycle + " is not supported: Chronicle cannot map its file " +
                "names (pattern " + rollCycle.format() + ") back to cycles, e.g. " + name + " is cycle " + current +
                ", so its tailers would read nothing and cleanup would delete nothing; use another roll cycle, e.g. FAST_DAILY");
        }
        return rollCycle;
    }

    private static RollingResourcesCache cycleNames(final RollCycle rollCycle, final long epoch)
    {
        return new RollingResourcesCache(rollCycle, epoch, File::new, File::getName);
    }

    /**
     * @param stem a file name without the suffix.
     * @return the cycle Chronicle gives a file of that name, or {@link Integer#MIN_VALUE} if it is not a
     * cycle file of this roll cycle (left alone).
     */
    private static int cycleOf(final RollingResourcesCache names, final String stem)
    {
        try
        {
            final int cycle = names.parseCount(stem);
            return stem.equals(names.resourceFor(cycle).text) ? cycle : Integer.MIN_VALUE;
        }
        catch (final RuntimeException ex)
        {
            return Integer.MIN_VALUE;
        }
    }

    private SingleChronicleQueue queue()
    {
        SingleChronicleQueue q = queue;
        if (q == null)
        {
            synchronized (this)
            {
                if (closed)
                {
                    throw new IllegalStateException(this + " is closed");
                }
                q = queue;
                if (q == null)
                {
                    // again: the directory may have been removed since open, and is made again
                    final Path now = prepareDirectory(realDirectory);
                    if (!now.equals(realDirectory))
                    {
                        throw new IllegalStateException(directory + ": " + realDirectory + " is now a link, to " + now);
                    }
                    q = SingleChronicleQueueBuilder.binary(realDirectory).rollCycle(rollCycle(rollCycleName)).build();
                    queue = q;
                }
            }
        }
        return q;
    }

    private AtomicBuffer cursor()
    {
        AtomicBuffer c = cursor;
        if (c == null)
        {
            synchronized (this)
            {
                c = cursor;
                if (c == null)
                {
                    queue();
                    final Path file = realDirectory.resolve(CURSOR_FILE);
                    MappedRegion region;
                    try
                    {
                        region = MappedRegion.create(file, RegionType.QUEUE, KIND_DURABLE_CURSOR, CURSOR_PAYLOAD_LENGTH).publish();
                    }
                    catch (final IllegalStateException exists)
                    {
                        region = MappedRegion.attach(file, RegionType.QUEUE);
                    }
                    if (region.variant() != KIND_DURABLE_CURSOR || region.payloadLength() != CURSOR_PAYLOAD_LENGTH)
                    {
                        region.close();
                        throw new InvalidRegionException(file, "not a durable queue work cursor");
                    }
                    cursorRegion = region;
                    c = region.buffer();
                    cursor = c;
                }
            }
        }
        return c;
    }

    /**
     * Append a message; it is durable (in the page cache, so it survives process death) once this
     * returns.
     *
     * @param item the element, not null.
     * @return its index, for {@link #tail(long)}.
     */
    public long put(final T item)
    {
        final Encoder encoder = Encoder.current().encode(item, codec);
        try
        {
            return append(encoder);
        }
        finally
        {
            encoder.clear();
        }
    }

    /**
     * Chronicle's appenders and tailers refuse to be used by a second thread; this instance's are used
     * under its locks (a subscriber's by one thread at a time), which order the threads' accesses.
     */
    private static <C extends net.openhft.chronicle.core.io.SingleThreadedChecked> C sharedBetweenThreads(final C component)
    {
        component.singleThreadedCheckDisabled(true);
        return component;
    }

    private long append(final Encoder encoder)
    {
        synchronized (appendLock)
        {
            ensureOpen();
            if (appender == null)
            {
                appender = sharedBetweenThreads(queue().createAppender());
            }
            try (DocumentContext dc = appender.writingDocument())
            {
                // the encoded bytes go straight from the encoder's view into the mapped file: no array per message
                final Bytes<?> bytes = dc.wire().bytes().writeInt(encoder.tag);
                final byte[] array = encoder.buffer.byteArray();
                if (array != null)
                {
                    bytes.write(array, encoder.buffer.wrapAdjustment() + encoder.offset, encoder.length);
                }
                else if (encoder.length > 0)
                {
                    bytes.unsafeWrite(encoder.buffer.addressOffset() + encoder.offset, encoder.length);
                }
            }
            final long index = appender.lastIndexAppended();
            final int cycle = appender.cycle();
            if (cycle != lastAppendCycle)
            {
                final boolean rolled = lastAppendCycle != Integer.MIN_VALUE;
                lastAppendCycle = cycle;
                final Duration keep = retention;
                if (rolled && keep != null)
                {
                    cleanup(keep);
                }
            }
            return index;
        }
    }

    /**
     * Claim the next unclaimed message, if there is one now: no other consumer, in any JVM, gets it.
     *
     * @return the element, or null if every message has been claimed.
     */
    @SuppressWarnings("unchecked")
    public T poll()
    {
        synchronized (claimLock)
        {
            ensureOpen();
            final AtomicBuffer c = cursor();
            if (workTailer == null)
            {
                workTailer = sharedBetweenThreads(queue().createTailer());
            }
            while (true)
            {
                final long claimed = c.getLongVolatile(CURSOR_OFFSET);
                if (claimed != positionedAfter)
                {
                    position(claimed);
                }
                final long index;
                final int tag;
                final byte[] payload;
                try (DocumentContext dc = workTailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        return null;
                    }
                    index = dc.index();
                    final Bytes<?> bytes = dc.wire().bytes();
                    tag = bytes.readInt();
                    payload = new byte[(int)bytes.readRemaining()];
                    bytes.read(payload);
                }
                if (c.compareAndSetLong(CURSOR_OFFSET, claimed, index))
                {
                    c.getAndAddLong(CLAIM_COUNT_OFFSET, 1);
                    positionedAfter = index;
                    return (T)decode(tag, payload); // claimed first: a message that cannot be decoded is not retried forever
                }
                positionedAfter = -1;
            }
        }
    }

    private void position(final long claimed)
    {
        if (claimed == 0)
        {
            workTailer.toStart();
        }
        else
        {
            if (!workTailer.moveToIndex(claimed))
            {
                throw new IllegalStateException(directory + ": the work cursor points at index " + Long.toHexString(claimed) +
                    ", which is not in the queue (were its files deleted?)");
            }
            workTailer.readingDocument().close(); // skip the claimed message itself
        }
        positionedAfter = claimed;
    }

    private Object decode(final Bytes<?> bytes)
    {
        final int tag = bytes.readInt();
        final long remaining = bytes.readRemaining();
        // numbers straight from the mapped file, no array (Chronicle reads in native order, mp4j wrote
        // little-endian)
        if (tag == MessageTags.LONG && remaining == Long.BYTES)
        {
            return littleEndian(bytes.readLong());
        }
        if (tag == MessageTags.INT && remaining == Integer.BYTES)
        {
            final int v = bytes.readInt();
            return NATIVE_LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
        }
        if (tag == MessageTags.DOUBLE && remaining == Double.BYTES)
        {
            return Double.longBitsToDouble(littleEndian(bytes.readLong()));
        }
        final byte[] payload = new byte[(int)remaining];
        bytes.read(payload);
        return decode(tag, payload);
    }

    private static final boolean NATIVE_LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    private static long littleEndian(final long v)
    {
        return NATIVE_LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    private Object decode(final int tag, final byte[] payload)
    {
        if (!MessageTags.isValidTag(tag))
        {
            throw new MessageDecodingException(directory + ": unknown message tag " + tag + " (not written by mp4j?)", null);
        }
        return Encoder.decode(tag, new UnsafeBuffer(payload), 0, payload.length, codec);
    }

    /**
     * Claim the next unclaimed message, waiting at most {@code timeout} for one.
     *
     * @param timeout how long to wait.
     * @return the element, or null if none came.
     * @throws InterruptedException if interrupted while waiting.
     */
    public T take(final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Math.max(0, IdleStrategies.toNanos(timeout));
        final IdleStrategy idle = Idle.current();
        while (true)
        {
            final T value = poll();
            if (value != null)
            {
                return value;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                return null;
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            idle.idle();
        }
    }

    /**
     * @return how many messages have been claimed through the work queue, by all consumers ever.
     */
    public long claimedCount()
    {
        ensureOpen();
        return cursor().getLongVolatile(CLAIM_COUNT_OFFSET);
    }

    /**
     * @return the index of the last message appended, or -1 if there is none.
     */
    public long lastIndex()
    {
        ensureOpen();
        final long last = queue().lastIndex();
        return last == Long.MIN_VALUE ? -1 : last;
    }

    /**
     * A named subscriber: sees every message; its position is saved by Chronicle, so a subscriber of the
     * same name resumes after a restart where the last one stopped.
     *
     * @param name letters, digits and '-' or '_'.
     * @return the subscriber.
     */
    public Subscriber<T> subscribe(final String name)
    {
        ensureOpen();
        if (!name.matches("[A-Za-z0-9_-]{1,64}"))
        {
            throw new IllegalArgumentException("invalid subscriber name '" + name + "'");
        }
        return new Subscriber<>(this, sharedBetweenThreads(queue().createTailer(name)));
    }

    /**
     * A subscriber that replays from {@code index} (0 for the start of the queue) and then follows new
     * messages; its position is not saved.
     *
     * @param index an index returned by {@link #put(Object)} or {@link Subscriber#lastIndex()}.
     * @return the subscriber.
     */
    public Subscriber<T> tail(final long index)
    {
        ensureOpen();
        final ExcerptTailer tailer = sharedBetweenThreads(queue().createTailer());
        if (index == 0)
        {
            tailer.toStart();
        }
        else if (!tailer.moveToIndex(index))
        {
            tailer.close();
            throw new IllegalArgumentException(directory + ": no message at index " + Long.toHexString(index));
        }
        return new Subscriber<>(this, tailer);
    }

    /**
     * Clean up automatically: each time this instance's appends roll to a new cycle, run
     * {@link #cleanup(Duration)} with this retention.
     *
     * @param retention how long to keep files, or null to stop cleaning up automatically.
     * @return this queue.
     */
    public DurableQueue<T> autoCleanup(final Duration retention)
    {
        this.retention = retention;
        return this;
    }

    /**
     * Delete the roll-cycle files of cycles that are all of: before the work cursor's cycle (the cycle of
     * the last message claimed by {@link #take}/{@link #poll()}), before the current cycle, and ended at
     * least {@code retention} ago. Deletion follows the work cursor only: a queue whose messages were
     * never claimed, e.g. one read only through {@link #subscribe(String)} or {@link #tail(long)},
     * deletes nothing, and named subscribers or tails that lag behind the work cursor lose what was
     * deleted.
     *
     * @param retention how long to keep files, e.g. {@link Duration#ZERO} to delete all consumed cycles.
     * @return the number of files deleted.
     */
    public int cleanup(final Duration retention)
    {
        ensureOpen();
        final SingleChronicleQueue q = queue();
        final RollCycle rollCycle = q.rollCycle();
        final RollingResourcesCache names = cycleNames(rollCycle, q.epoch());
        final long claimed = cursor().getLongVolatile(CURSOR_OFFSET);
        final int cursorCycle = claimed == 0 ? Integer.MIN_VALUE : rollCycle.toCycle(claimed);
        final int currentCycle = q.cycle();
        final long oldestKeptMillis = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(IdleStrategies.toNanos(retention));
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(realDirectory, "*" + SingleChronicleQueue.SUFFIX))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                final int cycle = cycleOf(names, name.substring(0, name.length() - SingleChronicleQueue.SUFFIX.length()));
                if (cycle == Integer.MIN_VALUE)
                {
                    continue;
                }
                final long cycleEndMillis = ((long)cycle + 1) * rollCycle.lengthInMillis() + q.epoch();
                if (cycle < currentCycle && cycle < cursorCycle && cycleEndMillis <= oldestKeptMillis)
                {
                    Files.deleteIfExists(file);
                    deleted++;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot clean up " + directory, ex);
        }
        if (deleted > 0)
        {
            q.refreshDirectoryListing();
        }
        return deleted;
    }

    /**
     * @return the queue's directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Close the Chronicle queue and the cursor mapping in this JVM. The files stay. Idempotent.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        synchronized (appendLock)
        {
            if (appender != null)
            {
                appender.close();
            }
        }
        synchronized (claimLock)
        {
            if (workTailer != null)
            {
                workTailer.close();
            }
        }
        if (queue != null)
        {
            queue.close();
        }
        if (cursorRegion != null)
        {
            cursorRegion.close();
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private Object writeReplace() throws java.io.ObjectStreamException
    {
        return new Handle(directory.toString(), rollCycleName, QueueHandle.portable(givenCodec, this));
    }

    @Override
    public String toString()
    {
        return "DurableQueue{" + directory + '}';
    }

    private static final class Handle implements Serializable
    {
        private static final long serialVersionUID = 1L;
        private final String directory;
        private final String rollCycle;
        private final ObjectCodec codec;

        Handle(final String directory, final String rollCycle, final ObjectCodec codec)
        {
            this.directory = directory;
            this.rollCycle = rollCycle;
            this.codec = codec;
        }

        private Object readResolve()
        {
            return DurableQueue.open(Paths.get(directory), rollCycle, codec);
        }
    }

    /**
     * A reader that sees every message of a {@link DurableQueue}, from a named saved position
     * ({@link DurableQueue#subscribe(String)}) or from an index ({@link DurableQueue#tail(long)}). Not
     * thread-safe: use it from one thread at a time (it may be handed from one thread to another).
     *
     * @param <T> the element type.
     */
    public static final class Subscriber<T> implements AutoCloseable
    {
        private final DurableQueue<T> owner;
        private final ExcerptTailer tailer;
        private long lastIndex = -1;

        private Subscriber(final DurableQueue<T> owner, final ExcerptTailer tailer)
        {
            this.owner = owner;
            this.tailer = tailer;
        }

        /**
         * @return the next message, or null if there is none yet.
         */
        @SuppressWarnings("unchecked")
        public T poll()
        {
            owner.ensureOpen();
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return null;
                }
                lastIndex = dc.index();
                return (T)owner.decode(dc.wire().bytes());
            }
        }

        /**
         * @param timeout how long to wait.
         * @return the next message, or null if none came in time.
         * @throws InterruptedException if interrupted while waiting.
         */
        public T poll(final Duration timeout) throws InterruptedException
        {
            final long deadline = System.nanoTime() + Math.max(0, IdleStrategies.toNanos(timeout));
            final IdleStrategy idle = Idle.current();
            while (true)
            {
                final T value = poll();
                if (value != null)
                {
                    return value;
                }
                if (System.nanoTime() - deadline >= 0)
                {
                    return null;
                }
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                idle.idle();
            }
        }

        /**
         * @return the index of the message last returned, or -1.
         */
        public long lastIndex()
        {
            return lastIndex;
        }

        /**
         * Release the tailer; a named subscriber's position stays saved.
         */
        @Override
        public void close()
        {
            tailer.close();
        }
    }
}

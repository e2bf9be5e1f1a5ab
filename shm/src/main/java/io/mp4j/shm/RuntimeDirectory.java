package io.mp4j.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory that holds the mapped files of one owner process: private (mode 0700, files 0600) and
 * removed with everything in it when its owner closes it.
 *
 * <p>It lives under {@code /dev/shm} when that exists (memory-backed, so mapped files never reach a
 * disk), else under {@code java.io.tmpdir}; the system property {@value #BASE_PROPERTY} overrides the
 * base. A base that the group or others may write without the sticky bit is refused: whoever may write
 * it could swap a directory of theirs for ours. Its name starts with {@value #PREFIX}, and a file
 * {@value #OWNER_FILE} inside records the owner as {@code pid startTime} (see {@link ProcessIds}). Creating a directory first sweeps the base of
 * directories whose owner is dead: what Python's resource tracker does, without a tracker process,
 * and also after the owner was killed with SIGKILL. The sweep never touches a directory whose owner is
 * alive, that belongs to another user, or whose name is not exactly one this class gives (a directory
 * of the user's that merely starts with {@value #PREFIX} is not ours).
 *
 * <p>Two kinds of directory exist:
 * <ul>
 *     <li>private ({@link #create()}): named after the owner's pid and a random suffix; the usual case,
 *     the children of the owner find it through the handles they are given.</li>
 *     <li>named ({@link #openNamed(String)}): a well-known name, so that JVMs started independently can
 *     attach to the same regions. The first process to open it owns it; the others join it. It lives as
 *     long as its owner.</li>
 * </ul>
 *
 * <p>A directory is never deleted where it stands: it is first renamed to a tombstone
 * ({@code mp4j-<user>.t<pid>.<hex>}, pid of the process that removes it), which only one process can
 * do, then deleted at leisure; the sweep deletes the tombstones of dead processes. Which directory a
 * name stands for changes (a named directory made, or a dead owner's taken out of the way) only under
 * the lock file {@code mp4j-<user>.lock} of the base (an {@code fcntl} lock, so the kernel frees it
 * when its holder dies; the file exists only while the lock is held), so that two processes never
 * both take over the same dead owner's directory.
 *
 * <p>Instances are thread-safe.
 */
public final class RuntimeDirectory implements AutoCloseable
{
    /** System property naming the directory under which runtime directories are made. */
    public static final String BASE_PROPERTY = "mp4j.runtime.base";
    /** Every runtime directory's name starts with this. */
    public static final String PREFIX = "mp4j-";
    /** The file in a runtime directory that records its owner. */
    public static final String OWNER_FILE = "mp4j.owner";
    /** A directory without an owner file younger than this may still be being created, and is spared. */
    public static final long OWNERLESS_GRACE_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /**
     * The names {@link #create} and {@link #openNamed} give: {@code mp4j-<user>.p<pid>.<hex>} and
     * {@code mp4j-<user>.n.<name>}. The sweep matches these exactly, so that a directory of the user's
     * that merely starts with {@value #PREFIX} is never taken for one of ours.
     */
    private static final Pattern DIRECTORY_NAME = Pattern.compile(
        Pattern.quote(PREFIX) + "[A-Za-z0-9_]+\\.(?:p([0-9]{1,19})\\.[0-9a-f]{1,16}|n\\.[A-Za-z0-9][A-Za-z0-9_.-]{0,127})");
    /** A directory taken out of the way, to be deleted: {@code mp4j-<user>.t<pid>.<hex>}. */
    private static final Pattern TOMBSTONE_NAME = Pattern.compile(
        Pattern.quote(PREFIX) + "[A-Za-z0-9_]+\\.t([0-9]{1,19})\\.[0-9a-f]{1,16}");
    /** How long {@link #openNamed} waits for the lock of the base; its holders only make or rename a directory. */
    private static final long NAMES_LOCK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long a sweep waits for that lock before leaving a dead named directory to the next sweep. */
    private static final long SWEEP_LOCK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Mode bits: write permission for the group (020) or others (002). */
    private static final int GROUP_OR_OTHERS_WRITE = 0022;
    /** Mode bit: the sticky bit, with which only a file's owner may rename or delete it. */
    private static final int STICKY = 01000;
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object GLOBAL_LOCK = new Object();
    /** A JVM holds an fcntl lock for all its threads, and one file lock per file: threads take turns here first. */
    private static final ReentrantLock JVM_NAMES_LOCK = new ReentrantLock();
    private static RuntimeDirectory global;
    /** Run by the global directory's shutdown hook before it deletes the directory: see {@link #beforeGlobalCleanup}. */
    private static final List<Runnable> BEFORE_GLOBAL_CLEANUP = new CopyOnWriteArrayList<>();

    private final Path path;
    private final boolean owner;
    private volatile boolean closed;

    private RuntimeDirectory(final Path path, final boolean owner)
    {
        this.path = path;
        this.owner = owner;
    }

    /**
     * @return the base directory: the {@value #BASE_PROPERTY} property, else {@code /dev/shm} if it is a
     * writable directory, else {@code java.io.tmpdir}.
     */
    public static Path defaultBase()
    {
        final String configured = System.getProperty(BASE_PROPERTY);
        if (configured != null && !configured.isBlank())
        {
            return Paths.get(configured);
        }
        final Path shm = Paths.get("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm))
        {
            return shm;
        }
        return Paths.get(System.getProperty("java.io.tmpdir"));
    }

    /**
     * The runtime directory of this JVM's default context, created on first use and removed when the JVM
     * shuts down (or swept by the next mp4j process if this one is killed).
     *
     * @return the shared default directory.
     */
    public static RuntimeDirectory global()
    {
        synchronized (GLOBAL_LOCK)
        {
            if (global == null || global.closed)
            {
                final RuntimeDirectory dir = create();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> cleanUpGlobal(dir), "mp4j-runtime-dir-cleanup"));
                global = dir;
            }
            return global;
        }
    }

    /**
     * Have the shutdown hook that deletes the {@link #global()} directory run {@code task} first, and wait
     * for it. The JVM runs its shutdown hooks concurrently, in no order, so a hook of its own would race the
     * deletion: this is how mp4j's processes join their non-daemon children, which may still attach to
     * regions of the directory, before it goes.
     *
     * <p>Tasks run in the order registered, on the cleanup hook's thread, once for every global directory
     * the JVM made (usually one), and only if one was made: a task must therefore be harmless to run more
     * than once, and must not depend on running at all. A task that throws does not stop the others nor the
     * deletion. Registration cannot be undone.
     *
     * @param task what to run before the global directory is deleted at shutdown.
     */
    public static void beforeGlobalCleanup(final Runnable task)
    {
        BEFORE_GLOBAL_CLEANUP.add(Objects.requireNonNull(task, "task"));
    }

    private static void cleanUpGlobal(final RuntimeDirectory dir)
    {
        try
        {
            for (final Runnable task : BEFORE_GLOBAL_CLEANUP)
            {
                try
                {
                    task.run();
                }
                catch (final RuntimeException | Error ex)
                {
                    // a failed task must not leave the directory behind
                    ex.printStackTrace();
                }
            }
        }
        finally
        {
            dir.close();
        }
    }

    /**
     * Sweep stale directories, then create a new private directory in {@link #defaultBase()}.
     *
     * @return the new directory, owned by this process.
     */
    public static RuntimeDirectory create()
    {
        return create(defaultBase());
    }

    /**
     * Sweep stale directories from {@code base}, then create a new private directory in it.
     *
     * @param base where to create it; it must exist.
     * @return the new directory, owned by this process.
     * @throws IllegalArgumentException if the base is writable by group or others without the sticky bit.
     */
    public static RuntimeDirectory create(final Path base)
    {
        requireSafeBase(base);
        sweepStale(base);
        final Path dir = base.resolve(privateDirectoryName(ProcessIds.currentPid(), RANDOM.nextLong() >>> 16));
        try
        {
            makePrivateDirectory(dir);
            writeOwner(dir);
        }
        catch (final IOException ex)
        {
            deleteTree(dir);
            throw new UncheckedIOException("cannot create mp4j runtime directory " + dir, ex);
        }
        return new RuntimeDirectory(dir, true);
    }

    /**
     * Open the well-known directory {@code name} in {@link #defaultBase()}: create it (and own it) if it
     * does not exist or its owner is dead, else join it. Independent JVMs that open the same name share
     * its regions.
     *
     * @param name letters, digits, '_', '.', '-'; at most 128 characters.
     * @return the directory; {@link #isOwner()} tells whether this call created it.
     */
    public static RuntimeDirectory openNamed(final String name)
    {
        return openNamed(defaultBase(), name);
    }

    /**
     * As {@link #openNamed(String)}, in the given base directory.
     *
     * <p>Of processes (or threads) that open the same name at the same time, exactly one creates and owns
     * the directory and the others join it, also when the directory there belongs to a dead owner: the
     * dead owner's directory is taken out of the way by exactly one of them.
     *
     * @param base where the directory lives.
     * @param name letters, digits, '_', '.', '-'; at most 128 characters.
     * @return the directory; {@link #isOwner()} tells whether this call created it.
     * @throws IllegalArgumentException if the name is not allowed, the base is writable by group or others
     * without the sticky bit, or a directory of that name exists that is not trusted (see {@link #attach(Path)}).
     * @throws IllegalStateException if the lock of the base stays held by another process for 30 s, or the
     * thread is interrupted while it waits for it, or the lock file there is not a regular file of this user
     * with a single link.
     * @throws UncheckedIOException if the directory cannot be made.
     */
    public static RuntimeDirectory openNamed(final Path base, final String name)
    {
        requireName(name);
        requireSafeBase(base);
        sweepStale(base);
        final Path dir = base.resolve(namedDirectoryName(name));
        // The usual case takes no lock: a live owner's directory stays where it is until its owner closes it.
        try
        {
            if (isTrustedDirectory(dir) && isOwnerAlive(dir))
            {
                return new RuntimeDirectory(dir, false);
            }
        }
        catch (final IllegalArgumentException perhapsHalfMade)
        {
            // its maker may not have set its mode yet: judged again under the lock, where none is half-made
        }
        Path tombstone = null;
        try (NamesLock ignored = NamesLock.acquire(base, NAMES_LOCK_TIMEOUT_NANOS))
        {
            // Under the lock no one else makes or retires the directory of this name, and its makers write
            // the owner file before they let go: a directory found here without a live owner is dead, and
            // stays so until we act. Its owner may still close it meanwhile, which only removes it.
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    makePrivateDirectory(dir);
                }
                catch (final FileAlreadyExistsException exists)
                {
                    if (isTrustedDirectory(dir) && isOwnerAlive(dir))
                    {
                        return new RuntimeDirectory(dir, false);
                    }
                    if (attempt >= 2)
                    {
                        throw new IllegalStateException(dir + ": still there after it was removed twice; " +
                            "a process that does not take " + NamesLock.file(base) + " is making it");
                    }
                    final Path retired = retire(dir);
                    if (retired != null)
                    {
                        if (tombstone != null)
                        {
                            deleteQuietly(tombstone);
                        }
                        tombstone = retired;
                    }
                    continue;
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot create mp4j runtime directory " + dir, ex);
                }
                try
                {
                    writeOwner(dir);
                }
                catch (final IOException ex)
                {
                    if (tombstone != null)
                    {
                        deleteQuietly(tombstone);
                        tombstone = null;
                    }
                    try
                    {
                        tombstone = retire(dir);
                    }
                    catch (final UncheckedIOException notRemoved)
                    {
                        // ownerless, it is taken out of the way by the next opener
                        ex.addSuppressed(notRemoved);
                    }
                    throw new UncheckedIOException("cannot create mp4j runtime directory " + dir, ex);
                }
                return new RuntimeDirectory(dir, true);
            }
        }
        finally
        {
            if (tombstone != null)
            {
                deleteQuietly(tombstone);
            }
        }
    }

    static String privateDirectoryName(final long pid, final long suffix)
    {
        return PREFIX + userTag() + ".p" + pid + "." + Long.toHexString(suffix);
    }

    static String namedDirectoryName(final String name)
    {
        return PREFIX + userTag() + ".n." + name;
    }

    static Path namesLockFile(final Path base)
    {
        return NamesLock.file(base);
    }

    static String tombstoneName(final long pid, final long suffix)
    {
        return PREFIX + userTag() + ".t" + pid + "." + Long.toHexString(suffix);
    }

    /**
     * @return whether the directory exists; false if it does not.
     * @throws IllegalArgumentException if it exists but is not trusted.
     */
    private static boolean isTrustedDirectory(final Path dir)
    {
        try
        {
            checkTrusted(dir);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            if (ex.getCause() instanceof NoSuchFileException)
            {
                return false;
            }
            throw ex;
        }
    }

    private static boolean isOwnerAlive(final Path dir)
    {
        final long[] ownerIds = readOwner(dir);
        return ownerIds != null && ProcessIds.isAlive(ownerIds[0], ownerIds[1]);
    }

    /**
     * Take a directory out of the way with one atomic rename to a fresh tombstone: of processes that try at
     * the same time only one succeeds, and what was moved is deleted by it alone.
     *
     * @param dir the directory.
     * @return the tombstone, or null if the directory was no longer there.
     */
    private static Path retire(final Path dir)
    {
        final Path tombstone = dir.resolveSibling(tombstoneName(ProcessIds.currentPid(), RANDOM.nextLong() >>> 16));
        try
        {
            Files.move(dir, tombstone, StandardCopyOption.ATOMIC_MOVE);
            return tombstone;
        }
        catch (final NoSuchFileException gone)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove " + dir, ex);
        }
    }

    /**
     * Delete a tree no other process uses any more; what cannot be deleted now is left to a later sweep.
     */
    private static void deleteQuietly(final Path dir)
    {
        try
        {
            deleteTree(dir);
        }
        catch (final UncheckedIOException ex)
        {
            // a tombstone left behind is swept once this process is dead
        }
    }

    /**
     * Use an existing runtime directory without owning it: {@link #close()} leaves it in place.
     *
     * @param dir a runtime directory, as from {@link #path()} in another process.
     * @return a non-owning view of it.
     * @throws IllegalArgumentException if the path is not a directory of this user with mode 0700.
     */
    public static RuntimeDirectory attach(final Path dir)
    {
        checkTrusted(dir);
        return new RuntimeDirectory(dir, false);
    }

    /**
     * Remove the runtime directories under {@code base} whose owner process is dead. Only directories
     * named as {@link #create} and {@link #openNamed} name them are considered. Directories of other
     * users and of live owners are left alone; so is a directory without an owner file unless it is
     * older than {@link #OWNERLESS_GRACE_MILLIS}, holds no subdirectory (mp4j makes none before the
     * owner file), and, for a private directory, the pid in its name is not a live process. Tombstones
     * (directories being deleted) of dead processes are deleted too.
     *
     * <p>Safe to run in several processes at once and beside {@link #openNamed}: a directory that
     * changes or vanishes under the sweep is left to the next sweep, a named directory is re-examined
     * under the lock of the base before it is removed (so one that a live process has just made is
     * never removed), and no failure to remove anything is thrown.
     *
     * @param base the directory to sweep.
     * @return the directories removed.
     */
    public static List<Path> sweepStale(final Path base)
    {
        final List<Path> removed = new ArrayList<>();
        final Object myUid = FileOwners.currentUid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, PREFIX + "*"))
        {
            for (final Path dir : entries)
            {
                try
                {
                    if (isAbandonedTombstone(dir, myUid))
                    {
                        deleteQuietly(dir);
                    }
                    else if (isStale(dir, myUid))
                    {
                        final Path tombstone = retireStale(base, dir, myUid);
                        if (tombstone != null)
                        {
                            removed.add(dir);
                            deleteQuietly(tombstone);
                        }
                    }
                }
                catch (final UncheckedIOException | IllegalStateException | SecurityException ex)
                {
                    // changed under us, or the lock is busy: the next sweep looks again
                }
            }
        }
        catch (final IOException | DirectoryIteratorException | SecurityException ex)
        {
            // an unreadable base only means nothing can be swept now
        }
        return removed;
    }

    /**
     * @return the tombstone of the stale directory, or null if it turned out not to be stale or is gone.
     */
    private static Path retireStale(final Path base, final Path dir, final Object myUid)
    {
        final Matcher name = DIRECTORY_NAME.matcher(dir.getFileName().toString());
        if (name.matches() && name.group(1) != null)
        {
            // a private directory's name is never made again (its pid is dead, its suffix random), so what
            // was found stale stays stale: the rename alone settles which sweeper deletes it
            return retire(dir);
        }
        // a named directory may have been taken over since isStale looked; makers hold the lock
        try (NamesLock ignored = NamesLock.acquire(base, SWEEP_LOCK_TIMEOUT_NANOS))
        {
            return isStale(dir, myUid) ? retire(dir) : null;
        }
    }

    private static boolean isAbandonedTombstone(final Path dir, final Object myUid)
    {
        final Matcher name = TOMBSTONE_NAME.matcher(dir.getFileName().toString());
        if (!name.matches())
        {
            return false;
        }
        final long pid = Long.parseLong(name.group(1));
        // a live remover is deleting it now; a reused pid only delays the deletion
        return pid != ProcessIds.currentPid() && ProcessHandle.of(pid).isEmpty() &&
            Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && FileOwners.ownedBy(dir, myUid);
    }

    private static boolean isStale(final Path dir, final Object myUid)
    {
        try
        {
            final Matcher name = DIRECTORY_NAME.matcher(dir.getFileName().toString());
            if (!name.matches())
            {
                return false;
            }
            final BasicFileAttributes attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory() || !FileOwners.ownedBy(dir, myUid))
            {
                return false;
            }
            final long[] ownerIds = readOwner(dir);
            if (ownerIds == null)
            {
                final FileTime modified = attrs.lastModifiedTime();
                if (System.currentTimeMillis() - modified.toMillis() <= OWNERLESS_GRACE_MILLIS)
                {
                    return false;
                }
                final String creatorPid = name.group(1);
                if (creatorPid != null && ProcessHandle.of(Long.parseLong(creatorPid)).isPresent())
                {
                    // perhaps still being created by a slow process, or not ours after all
                    return false;
                }
                return holdsNoDirectory(dir);
            }
            return !ProcessIds.isAlive(ownerIds[0], ownerIds[1]);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static boolean holdsNoDirectory(final Path dir) throws IOException
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path entry : entries)
            {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * @return the directory.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return whether this process created the directory and will remove it on {@link #close()}.
     */
    public boolean isOwner()
    {
        return owner;
    }

    /**
     * The path of a file in this directory.
     *
     * @param name letters, digits, '_', '.', '-'; at most 128 characters; not the owner file.
     * @return the path (the file may or may not exist).
     * @throws IllegalArgumentException if the name is not allowed.
     */
    public Path resolve(final String name)
    {
        requireName(name);
        if (OWNER_FILE.equals(name))
        {
            throw new IllegalArgumentException("name '" + name + "' is reserved");
        }
        if (closed)
        {
            throw new IllegalStateException(path + ": runtime directory is closed");
        }
        return path.resolve(name);
    }

    /**
     * @return whether {@link #close()} has been called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Remove the directory and everything in it, if this process owns it. Idempotent. Regions still
     * mapped stay valid in memory until unmapped, but can no longer be attached. The directory leaves its
     * name at once (one rename), so a named directory can be made again while this one is being deleted.
     *
     * @throws UncheckedIOException if the directory cannot be removed.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (owner)
            {
                // Only a dead owner's directory is ever retired by others, so what is at our path is ours.
                final Path tombstone = retire(path);
                if (tombstone != null)
                {
                    deleteTree(tombstone);
                }
            }
        }
    }

    @Override
    public String toString()
    {
        return "RuntimeDirectory{" + path + (owner ? ", owner" : "") + '}';
    }

    /**
     * A directory is kept private by its own mode, but whoever may write the base may rename it and put a
     * directory of theirs in its place, which its owner would then fill with regions. The sticky bit (as on
     * {@code /tmp} and {@code /dev/shm}, mode 1777) lets only a file's owner rename it; without it, only
     * this user may write the base.
     *
     * @throws IllegalArgumentException if the base is writable by group or others and not sticky.
     * @throws UncheckedIOException if its mode cannot be read (a missing base fails later, where it is used).
     */
    private static void requireSafeBase(final Path base)
    {
        final int mode;
        try
        {
            mode = (Integer)Files.getAttribute(base, "unix:mode");
        }
        catch (final NoSuchFileException ex)
        {
            return;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the mode of the mp4j runtime base " + base, ex);
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0 && (mode & STICKY) == 0)
        {
            throw new IllegalArgumentException(base + ": refused as the mp4j runtime base: mode " +
                String.format("%04o", mode & 07777) + " lets " + ((mode & 0002) != 0 ? "others" : "the group") +
                " write it without the sticky bit, so another user could rename a runtime directory in it and " +
                "put their own in its place; set the system property " + BASE_PROPERTY + " (-D" + BASE_PROPERTY +
                "=DIR) to a directory only you can write, or to one with the sticky bit (mode 1777, as /tmp and /dev/shm)");
        }
    }

    private static void requireName(final String name)
    {
        if (name == null || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("invalid name '" + name +
                "': use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    private static String userTag()
    {
        final String user = System.getProperty("user.name", "user");
        final String tag = user.replaceAll("[^A-Za-z0-9_]", "_");
        return tag.isEmpty() ? "user" : tag;
    }

    private static void makePrivateDirectory(final Path dir) throws IOException
    {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        // the umask may have removed bits, never added them; set the mode exactly all the same
        Files.setPosixFilePermissions(dir, DIR_MODE);
    }

    private static void writeOwner(final Path dir) throws IOException
    {
        final Path tmp = dir.resolve(OWNER_FILE + ".tmp");
        Files.write(tmp, (ProcessIds.currentPid() + " " + ProcessIds.currentStartTime() + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(tmp, FILE_MODE);
        Files.move(tmp, dir.resolve(OWNER_FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    private static long[] readOwner(final Path dir)
    {
        try
        {
            final String[] parts = new String(Files.readAllBytes(dir.resolve(OWNER_FILE)), StandardCharsets.US_ASCII)
                .trim().split("\\s+");
            if (parts.length != 2)
            {
                return null;
            }
            return new long[]{ Long.parseLong(parts[0]), Long.parseLong(parts[1]) };
        }
        catch (final IOException | NumberFormatException ex)
        {
            return null;
        }
    }

    private static void checkTrusted(final Path dir)
    {
        try
        {
            final BasicFileAttributes attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory())
            {
                throw new IllegalArgumentException(dir + ": not a directory (a link or a file is never trusted)");
            }
            if (!FileOwners.ownedBy(dir, FileOwners.currentUid()))
            {
                throw new IllegalArgumentException(dir + ": belongs to another user");
            }
            final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!mode.equals(DIR_MODE))
            {
                throw new IllegalArgumentException(dir + ": mode is " + PosixFilePermissions.toString(mode) +
                    ", expected rwx------");
            }
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException(dir + ": no such runtime directory", ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(dir + ": cannot inspect: " + ex, ex);
        }
    }

    /**
     * The lock under which the directory a name stands for changes, across the threads of this JVM and
     * across processes: an exclusive {@code fcntl} lock on {@code mp4j-<user>.lock} in the base, which the
     * kernel releases when its holder dies. The holder deletes the file before it lets go, so that none is
     * left behind; a process that locked a file no longer at that path (deleted meanwhile, perhaps replaced)
     * must tell so and try again. It cannot open the path to look (closing any descriptor of a file drops
     * the process's fcntl locks on it), so it gives the file it locked a random size through its channel
     * and compares with the size {@code stat} reports for the path.
     */
    private static final class NamesLock implements AutoCloseable
    {
        private final Path file;
        private final FileChannel channel;

        private NamesLock(final Path file, final FileChannel channel)
        {
            this.file = file;
            this.channel = channel;
        }

        static Path file(final Path base)
        {
            return base.resolve(PREFIX + userTag() + ".lock");
        }

        /**
         * @throws IllegalStateException if not acquired within the timeout, or interrupted.
         * @throws UncheckedIOException if the lock file cannot be made.
         */
        static NamesLock acquire(final Path base, final long timeoutNanos)
        {
            final Path file = file(base);
            final long deadline = System.nanoTime() + timeoutNanos;
            try
            {
                if (!JVM_NAMES_LOCK.tryLock(timeoutNanos, TimeUnit.NANOSECONDS))
                {
                    throw new IllegalStateException(file + ": another thread of this JVM held the lock for " +
                        TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(file + ": interrupted while waiting for the lock", ex);
            }
            boolean acquired = false;
            try
            {
                long pauseNanos = TimeUnit.MICROSECONDS.toNanos(10);
                while (true)
                {
                    final FileChannel channel = tryLock(file);
                    if (channel != null)
                    {
                        acquired = true;
                        return new NamesLock(file, channel);
                    }
                    if (System.nanoTime() - deadline > 0)
                    {
                        throw new IllegalStateException(file + ": another process held the lock for " +
                            TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                    }
                    if (Thread.currentThread().isInterrupted())
                    {
                        throw new IllegalStateException(file + ": interrupted while waiting for the lock");
                    }
                    LockSupport.parkNanos(pauseNanos);
                    pauseNanos = Math.min(pauseNanos * 2, TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            finally
            {
                if (!acquired)
                {
                    JVM_NAMES_LOCK.unlock();
                }
            }
        }

        /**
         * @return the locked channel of the file now at the path, or null if another process holds it or
         * the file we locked was no longer the one at the path.
         */
        private static FileChannel tryLock(final Path file)
        {
            final FileChannel channel;
            try
            {
                channel = FileChannel.open(file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(FILE_MODE));
            }
            catch (final IOException ex)
            {
                // with O_CREAT only a missing base, a link planted at the path or a permission fails here
                throw new UncheckedIOException("cannot open the lock file " + file, ex);
            }
            boolean locked = false;
            try
            {
                // before anything is written: what was opened may be a file someone else planted at the path
                requireOwnLockFile(file);
                final FileLock lock = channel.tryLock();
                if (lock == null)
                {
                    return null;
                }
                // sparse: one byte of storage whatever the size
                final long size = 1 + (RANDOM.nextLong() >>> 33);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(new byte[]{ '\n' }), size - 1);
                if (Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size() != size)
                {
                    return null;
                }
                locked = true;
                return channel;
            }
            catch (final NoSuchFileException deleted)
            {
                return null;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot lock " + file, ex);
            }
            finally
            {
                if (!locked)
                {
                    closeQuietly(channel);
                }
            }
        }

        /**
         * The lock file is truncated and written to, so it must be one this user made for the purpose: a
         * regular file of ours with no other name. O_NOFOLLOW keeps a symbolic link out, but not a hard link
         * planted at the path (where {@code fs.protected_hardlinks} is 0) to a file of the user's elsewhere,
         * which the writes would otherwise truncate and grow. Checked by path, since the channel cannot be
         * asked; the size check after the writes tells whether the path still names what was opened.
         *
         * @throws NoSuchFileException if the file is gone (no file at the path, or one with no link left): its
         *                             holder deleted it, and the caller tries again.
         * @throws IllegalStateException if the file is not one to use.
         */
        private static void requireOwnLockFile(final Path file) throws IOException
        {
            // one stat, so that every answer is about the same file: its holder deletes it, and others make
            // it anew, while we look
            final Map<String, Object> attrs = Files.readAttributes(file, "unix:isRegularFile,uid,nlink", LinkOption.NOFOLLOW_LINKS);
            if (!Boolean.TRUE.equals(attrs.get("isRegularFile")))
            {
                throw new IllegalStateException(file + ": not a regular file; refusing to use it as a lock");
            }
            if (!FileOwners.isCurrentUser(file, attrs.get("uid")))
            {
                throw new IllegalStateException(file + ": belongs to another user (uid " + attrs.get("uid") +
                    "); refusing to use it as a lock");
            }
            final Object links = attrs.get("nlink");
            if (Integer.valueOf(0).equals(links))
            {
                // its holder unlinked it between our lookup of the path and the stat: gone, not a hard link
                throw new NoSuchFileException(file.toString(), null, "deleted while it was checked");
            }
            if (!Integer.valueOf(1).equals(links))
            {
                throw new IllegalStateException(file + ": a file with " + links +
                    " links (a hard link to another file?); refusing to use it as a lock");
            }
        }

        @Override
        public void close()
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                // left for the next holder, who locks it as it is
            }
            finally
            {
                closeQuietly(channel);
                JVM_NAMES_LOCK.unlock();
            }
        }

        private static void closeQuietly(final FileChannel channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                // closing releases the lock whatever it reports
            }
        }
    }

    static void deleteTree(final Path dir)
    {
        try
        {
            Files.walkFileTree(dir, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(final Path file, final IOException exc)
                {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path d, final IOException exc) throws IOException
                {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final NoSuchFileException ignore)
        {
            // already gone
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove " + dir, ex);
        }
    }
}

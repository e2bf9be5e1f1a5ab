package io.mp4j.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory that holds the mapped files of one owner process: private (mode 0700, files 0600) and
 * removed with everything in it when its owner closes it.
 *
 * <p>It lives under {@code /dev/shm} when that exists (memory-backed, so mapped files never reach a
 * disk), else under {@code java.io.tmpdir}; the system property {@value #BASE_PROPERTY} overrides the
 * base. Its name starts with {@value #PREFIX}, and a file {@value #OWNER_FILE} inside records the owner
 * as {@code pid startTime} (see {@link ProcessIds}). Creating a directory first sweeps the base of
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
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object GLOBAL_LOCK = new Object();
    private static RuntimeDirectory global;

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
                Runtime.getRuntime().addShutdownHook(new Thread(dir::close, "mp4j-runtime-dir-cleanup"));
                global = dir;
            }
            return global;
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
     */
    public static RuntimeDirectory create(final Path base)
    {
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
     * @param base where the directory lives.
     * @param name letters, digits, '_', '.', '-'; at most 128 characters.
     * @return the directory; {@link #isOwner()} tells whether this call created it.
     */
    public static RuntimeDirectory openNamed(final Path base, final String name)
    {
        requireName(name);
        sweepStale(base);
        final Path dir = base.resolve(namedDirectoryName(name));
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                makePrivateDirectory(dir);
                writeOwner(dir);
                return new RuntimeDirectory(dir, true);
            }
            catch (final FileAlreadyExistsException exists)
            {
                final RuntimeDirectory joined = joinExisting(dir);
                if (joined != null)
                {
                    return joined;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create mp4j runtime directory " + dir, ex);
            }
        }
        throw new IllegalStateException(dir + ": cannot create or join the named runtime directory");
    }

    static String privateDirectoryName(final long pid, final long suffix)
    {
        return PREFIX + userTag() + ".p" + pid + "." + Long.toHexString(suffix);
    }

    static String namedDirectoryName(final String name)
    {
        return PREFIX + userTag() + ".n." + name;
    }

    private static RuntimeDirectory joinExisting(final Path dir)
    {
        checkTrusted(dir);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (true)
        {
            final long[] ownerIds = readOwner(dir);
            if (ownerIds != null)
            {
                if (ProcessIds.isAlive(ownerIds[0], ownerIds[1]))
                {
                    return new RuntimeDirectory(dir, false);
                }
                deleteTree(dir);
                return null;
            }
            if (System.nanoTime() - deadline > 0)
            {
                deleteTree(dir);
                return null;
            }
            Thread.onSpinWait();
            Thread.yield();
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
     * owner file), and, for a private directory, the pid in its name is not a live process.
     *
     * @param base the directory to sweep.
     * @return the directories removed.
     */
    public static List<Path> sweepStale(final Path base)
    {
        final List<Path> removed = new ArrayList<>();
        final Object myUid = currentUid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, PREFIX + "*"))
        {
            for (final Path dir : entries)
            {
                if (isStale(dir, myUid))
                {
                    deleteTree(dir);
                    removed.add(dir);
                }
            }
        }
        catch (final IOException | SecurityException ex)
        {
            // an unreadable base only means nothing can be swept now
        }
        return removed;
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
            if (!attrs.isDirectory() || !ownedBy(dir, myUid))
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
     * mapped stay valid in memory until unmapped, but can no longer be attached.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (owner)
            {
                deleteTree(path);
            }
        }
    }

    @Override
    public String toString()
    {
        return "RuntimeDirectory{" + path + (owner ? ", owner" : "") + '}';
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

    /**
     * @param path a path to check.
     * @return the owning uid, or null where the file system does not tell.
     */
    private static Object uidOf(final Path path)
    {
        try
        {
            return Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static Object currentUid()
    {
        final Path self = Paths.get("/proc/self");
        return Files.exists(self) ? uidOf(self) : null;
    }

    private static boolean ownedBy(final Path dir, final Object uid)
    {
        if (uid != null)
        {
            return uid.equals(uidOf(dir));
        }
        try
        {
            return Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
        }
        catch (final IOException ex)
        {
            return false;
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
            if (!ownedBy(dir, currentUid()))
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

package io.mp4j.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Whose a file is: the one place where mp4j decides whether a file or directory belongs to the user this
 * process runs as. Runtime directories are mode 0700 and their files 0600, so a file of another uid is
 * never one mp4j shares: it was planted, and is refused.
 *
 * <p>The uid is compared where {@code /proc} tells this process's own (Linux); elsewhere the owner's name
 * is compared with {@code user.name}. Paths are never followed: a link is judged as the link.
 *
 * <p>Public for mp4j's other modules only ({@link #requirePrivateDirectory}); not for direct use.
 */
public final class FileOwners
{
    /** Mode bit: others may write. */
    private static final int OTHERS_WRITE = 0002;

    private FileOwners()
    {
    }

    /**
     * @param path a path to check; a symbolic link is not followed.
     * @return the owning uid, or null where the file system does not tell (or the file is gone).
     */
    static Object uidOf(final Path path)
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

    /** This process's uid, read once: a JVM does not change its user, and every attach asks. */
    private static final Object CURRENT_UID = readCurrentUid();

    /**
     * @return the uid this process runs as, or null where there is no {@code /proc} to tell it.
     */
    static Object currentUid()
    {
        return CURRENT_UID;
    }

    private static Object readCurrentUid()
    {
        final Path self = Paths.get("/proc/self");
        return Files.exists(self) ? uidOf(self) : null;
    }

    /**
     * @param path a path to check; a symbolic link is not followed.
     * @param uid  the uid to compare with, as from {@link #currentUid()}; null to compare the owner's name
     *             with {@code user.name} instead.
     * @return whether the file is owned by {@code uid}; false if it is gone.
     */
    static boolean ownedBy(final Path path, final Object uid)
    {
        if (uid != null)
        {
            return uid.equals(uidOf(path));
        }
        try
        {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * For a caller that read the owner together with other attributes, in one {@code stat}, so that all its
     * answers are about the same file.
     *
     * @param path    the file, to compare the owner's name where the uid cannot be compared.
     * @param fileUid the file's {@code unix:uid} as read.
     * @return whether that uid is the current user's.
     */
    static boolean isCurrentUser(final Path path, final Object fileUid)
    {
        final Object myUid = currentUid();
        return myUid != null ? myUid.equals(fileUid) : ownedBy(path, null);
    }

    /**
     * Refuse a directory in which another user could plant, replace or remove files: one that is another
     * user's, or that others (not only its group) may write (the sticky bit does not help: it stops renames
     * and removals, not a file planted under a name that will be used later). Its group may write it: a
     * group-shared directory (umask 002, a setgid team directory) trusts its group by design. Links are
     * resolved first, and the directory they lead to is checked; use the path returned, not the one given,
     * so that a link changed afterwards cannot lead elsewhere. For a directory whose files a library maps as
     * it finds them (Chronicle Queue's, for a {@code DurableQueue}), without the checks
     * {@link MappedRegion#attach} makes.
     *
     * @param directory the directory, which exists.
     * @param what      what it holds, for the message (e.g. {@code "durable queue"}).
     * @return the directory's real path ({@link Path#toRealPath}).
     * @throws IllegalStateException naming the directory and what is wrong with it.
     * @throws UncheckedIOException  if it cannot be resolved or its attributes cannot be read.
     */
    public static Path requirePrivateDirectory(final Path directory, final String what)
    {
        final Path real;
        final Map<String, Object> attributes;
        try
        {
            real = directory.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot resolve the " + what + " directory " + directory, ex);
        }
        try
        {
            attributes = Files.readAttributes(real, "unix:mode,uid,isDirectory", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            return real; // not a Unix file system: no owners or modes to compare
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the owner and mode of the " + what + " directory " + real, ex);
        }
        final int mode = (Integer)attributes.get("mode");
        final String refused = directory + (real.equals(directory) ? "" : " (" + real + ")") + ": refused as a " +
            what + " directory: ";
        if (!(Boolean)attributes.get("isDirectory"))
        {
            throw new IllegalStateException(refused + "it is not a directory");
        }
        if (!isCurrentUser(real, attributes.get("uid")))
        {
            throw new IllegalStateException(refused + "it belongs to uid " + attributes.get("uid") + ", not to this " +
                "user, who could then be handed files of theirs to map");
        }
        if ((mode & OTHERS_WRITE) != 0)
        {
            throw new IllegalStateException(refused + "mode " + String.format("%04o", mode & 07777) + " lets every " +
                "user write it, so anyone could plant or replace the files it holds; remove their write permission " +
                "(chmod o-w), and check what is in it");
        }
        return real;
    }
}

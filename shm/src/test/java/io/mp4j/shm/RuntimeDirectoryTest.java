package io.mp4j.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RuntimeDirectoryTest
{
    private Path base;

    @BeforeEach
    void setUp() throws IOException
    {
        // a base of our own, so the sweep under test cannot touch anything else
        base = Files.createTempDirectory(RuntimeDirectory.defaultBase(), "mp4j-test-base");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void tearDown()
    {
        RuntimeDirectory.deleteTree(base);
    }

    @Test
    void defaultBaseIsDevShmWhenPresent()
    {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")));
        if (System.getProperty(RuntimeDirectory.BASE_PROPERTY) == null)
        {
            assertEquals(Path.of("/dev/shm"), RuntimeDirectory.defaultBase());
        }
    }

    @Test
    void privateDirectoryIs0700WithOwnerFile0600AndCloseRemovesIt() throws IOException
    {
        final RuntimeDirectory dir = RuntimeDirectory.create(base);
        final Path path = dir.path();
        assertTrue(path.getFileName().toString().startsWith(RuntimeDirectory.PREFIX));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        final Path owner = path.resolve(RuntimeDirectory.OWNER_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(owner)));
        assertEquals(ProcessIds.currentPid() + " " + ProcessIds.currentStartTime(), Files.readString(owner).trim());

        MappedRegion.create(dir.resolve("a"), RegionType.VALUE, 0, 8).publish().close();
        Files.createDirectories(path.resolve("sub"));
        dir.close();
        assertFalse(Files.exists(path));
        dir.close();
    }

    @Test
    void sweepRemovesDirectoriesOfDeadOwnersOnly() throws Exception
    {
        final long deadPid = deadPid();
        final Path stale = base.resolve(RuntimeDirectory.privateDirectoryName(deadPid, 1));
        Files.createDirectory(stale);
        Files.writeString(stale.resolve(RuntimeDirectory.OWNER_FILE), deadPid + " 12345\n");
        Files.writeString(stale.resolve("region"), "x");

        final Path reusedPid = base.resolve(RuntimeDirectory.privateDirectoryName(ProcessIds.currentPid(), 2));
        Files.createDirectory(reusedPid);
        // our own pid, but another start time: the pid was reused, the owner is dead
        Files.writeString(reusedPid.resolve(RuntimeDirectory.OWNER_FILE),
            ProcessIds.currentPid() + " " + (ProcessIds.currentStartTime() - 1) + "\n");

        final Path live = base.resolve(RuntimeDirectory.namedDirectoryName("live"));
        Files.createDirectory(live);
        Files.writeString(live.resolve(RuntimeDirectory.OWNER_FILE),
            ProcessIds.currentPid() + " " + ProcessIds.currentStartTime() + "\n");

        final Path youngOwnerless = base.resolve(RuntimeDirectory.privateDirectoryName(deadPid, 3));
        Files.createDirectory(youngOwnerless);

        final Path notOurs = base.resolve("other-stuff");
        Files.createDirectory(notOurs);

        final List<Path> removed = RuntimeDirectory.sweepStale(base);
        assertEquals(2, removed.size(), removed.toString());
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(reusedPid));
        assertTrue(Files.exists(live));
        assertTrue(Files.exists(youngOwnerless));
        assertTrue(Files.exists(notOurs));
    }

    @Test
    void sweepNeverTouchesAnotherUsersDirectory() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        final Path foreign = base.resolve(RuntimeDirectory.privateDirectoryName(deadPid(), 4));
        Files.createDirectory(foreign);
        Files.writeString(foreign.resolve(RuntimeDirectory.OWNER_FILE), deadPid() + " 1\n");
        Files.setAttribute(foreign, "unix:uid", 65534);
        RuntimeDirectory.sweepStale(base);
        assertTrue(Files.exists(foreign));
    }

    @Test
    void sweepLeavesAnOldOwnerlessDirectoryThatIsNotOneOfOurs() throws Exception
    {
        final FileTime minuteAgo = FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.SECONDS.toMillis(60));
        // the user's own directory that happens to start with mp4j-: no owner file, older than the grace
        final Path notes = base.resolve("mp4j-my-notes");
        Files.createDirectory(notes);
        Files.writeString(notes.resolve("important.txt"), "keep me");
        Files.setLastModifiedTime(notes, minuteAgo);
        // named as ours, ownerless and old, but holding a subdirectory: mp4j makes none before the owner file
        final Path withSubdirectory = base.resolve(RuntimeDirectory.privateDirectoryName(deadPid(), 5));
        Files.createDirectories(withSubdirectory.resolve("sub"));
        Files.setLastModifiedTime(withSubdirectory, minuteAgo);
        // named as ours with the pid of a live process: perhaps still being created
        final Path liveCreator = base.resolve(RuntimeDirectory.privateDirectoryName(ProcessIds.currentPid(), 6));
        Files.createDirectory(liveCreator);
        Files.setLastModifiedTime(liveCreator, minuteAgo);
        // ownerless, old, named as ours by a dead process: a creation that was killed half-way
        final Path halfMade = base.resolve(RuntimeDirectory.privateDirectoryName(deadPid(), 7));
        Files.createDirectory(halfMade);
        Files.writeString(halfMade.resolve(RuntimeDirectory.OWNER_FILE + ".tmp"), "");
        Files.setLastModifiedTime(halfMade, minuteAgo);

        try (RuntimeDirectory ignored = RuntimeDirectory.create(base))
        {
            assertEquals("keep me", Files.readString(notes.resolve("important.txt")));
            assertTrue(Files.exists(withSubdirectory.resolve("sub")));
            assertTrue(Files.exists(liveCreator));
            assertFalse(Files.exists(halfMade));
        }
    }

    @Test
    void createSweepsStaleDirectoriesFirst() throws Exception
    {
        final Path stale = base.resolve(RuntimeDirectory.namedDirectoryName("old"));
        Files.createDirectory(stale);
        Files.writeString(stale.resolve(RuntimeDirectory.OWNER_FILE), deadPid() + " 1\n");
        try (RuntimeDirectory ignored = RuntimeDirectory.create(base))
        {
            assertFalse(Files.exists(stale));
        }
    }

    @Test
    void namedDirectoryIsSharedAndOwnedByItsCreator()
    {
        try (RuntimeDirectory first = RuntimeDirectory.openNamed(base, "demo");
             RuntimeDirectory second = RuntimeDirectory.openNamed(base, "demo"))
        {
            assertTrue(first.isOwner());
            assertFalse(second.isOwner());
            assertEquals(first.path(), second.path());
            second.close();
            assertTrue(Files.exists(first.path()));
        }
    }

    @Test
    void namedDirectoryOfADeadOwnerIsTakenOver() throws Exception
    {
        final Path named;
        try (RuntimeDirectory first = RuntimeDirectory.openNamed(base, "takeover"))
        {
            named = first.path();
        }
        Files.createDirectory(named, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(named.resolve(RuntimeDirectory.OWNER_FILE), deadPid() + " 1\n");
        try (RuntimeDirectory again = RuntimeDirectory.openNamed(base, "takeover"))
        {
            assertTrue(again.isOwner());
        }
    }

    @Test
    void racingOpenersOfADeadOwnersNamedDirectoryGiveExactlyOneOwner() throws Exception
    {
        // threads of one JVM race through the same file system steps as separate processes would
        final int openers = 4;
        final long deadPid = deadPid();
        final ExecutorService pool = Executors.newFixedThreadPool(openers + 1);
        try
        {
            for (int round = 0; round < 300; round++)
            {
                final String name = "race" + round;
                final Path named = base.resolve(RuntimeDirectory.namedDirectoryName(name));
                Files.createDirectory(named, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.writeString(named.resolve(RuntimeDirectory.OWNER_FILE), deadPid + " 1\n");
                Files.writeString(named.resolve("old-region"), "x");

                final CyclicBarrier start = new CyclicBarrier(openers + 1);
                final List<Future<RuntimeDirectory>> opened = new ArrayList<>();
                for (int i = 0; i < openers; i++)
                {
                    opened.add(pool.submit(() ->
                    {
                        start.await(60, TimeUnit.SECONDS);
                        return RuntimeDirectory.openNamed(base, name);
                    }));
                }
                // an unrelated private directory, whose sweep meets the same dead directory
                final Future<RuntimeDirectory> unrelated = pool.submit(() ->
                {
                    start.await(60, TimeUnit.SECONDS);
                    return RuntimeDirectory.create(base);
                });

                final List<RuntimeDirectory> dirs = new ArrayList<>();
                for (final Future<RuntimeDirectory> future : opened)
                {
                    dirs.add(future.get(60, TimeUnit.SECONDS));
                }
                unrelated.get(60, TimeUnit.SECONDS).close();
                final long owners = dirs.stream().filter(RuntimeDirectory::isOwner).count();
                assertEquals(1, owners, "round " + round + ": " + dirs);
                assertTrue(Files.exists(named.resolve(RuntimeDirectory.OWNER_FILE)), "round " + round);
                assertEquals(ProcessIds.currentPid() + " " + ProcessIds.currentStartTime(),
                    Files.readString(named.resolve(RuntimeDirectory.OWNER_FILE)).trim(), "round " + round);
                assertFalse(Files.exists(named.resolve("old-region")), "round " + round);
                for (final RuntimeDirectory dir : dirs)
                {
                    assertEquals(named, dir.path());
                    if (!dir.isOwner())
                    {
                        dir.close();
                    }
                }
                dirs.stream().filter(RuntimeDirectory::isOwner).forEach(RuntimeDirectory::close);
                assertFalse(Files.exists(named), "round " + round);
            }
        }
        finally
        {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        try (DirectoryStream<Path> left = Files.newDirectoryStream(base))
        {
            assertFalse(left.iterator().hasNext(), "left in the base: " + left);
        }
    }

    @Test
    void sweepDeletesTheTombstonesOfDeadProcessesOnly() throws Exception
    {
        final Path abandoned = base.resolve(RuntimeDirectory.tombstoneName(deadPid(), 1));
        Files.createDirectories(abandoned.resolve("sub"));
        Files.writeString(abandoned.resolve("sub").resolve("region"), "x");
        // a live process is deleting its own tombstone itself
        final Path live = base.resolve(RuntimeDirectory.tombstoneName(ProcessHandle.current().parent().orElseThrow().pid(), 2));
        Files.createDirectory(live);

        assertEquals(List.of(), RuntimeDirectory.sweepStale(base));
        assertFalse(Files.exists(abandoned));
        assertTrue(Files.exists(live));
    }

    @Test
    void openNamedInAMissingBaseFailsAtOnce()
    {
        final Path missing = base.resolve("missing");
        assertThrows(UncheckedIOException.class, () -> RuntimeDirectory.openNamed(missing, "x"));
    }

    @Test
    void badNamesAreRefused()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base))
        {
            for (final String bad : new String[]{ "", "../x", "a/b", ".hidden", "with space", RuntimeDirectory.OWNER_FILE })
            {
                assertThrows(IllegalArgumentException.class, () -> dir.resolve(bad), bad);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> RuntimeDirectory.openNamed(base, "a/b"));
    }

    @Test
    void attachRefusesAnUntrustedDirectory() throws IOException
    {
        final Path open = base.resolve(RuntimeDirectory.PREFIX + "open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> RuntimeDirectory.attach(open));
        assertTrue(ex.getMessage().contains("mode is rwxrwxrwx"), ex.getMessage());
    }

    @Test
    void aHardLinkPlantedAsTheLockFileIsRefusedAndLeftUntouched() throws IOException
    {
        // a file of the user's, hard-linked in place of the lock file (anyone may, where protected_hardlinks=0)
        final Path precious = base.resolve("precious.txt");
        Files.writeString(precious, "keep me");
        final Path lockFile = RuntimeDirectory.namesLockFile(base);
        Files.createLink(lockFile, precious);

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> RuntimeDirectory.openNamed(base, "linked"));
        // the size first: the truncated and grown file may be too big to read
        assertEquals(7, Files.size(precious));
        assertEquals("keep me", Files.readString(precious));
        assertTrue(ex.getMessage().contains(lockFile.toString()) && ex.getMessage().contains("a file with 2 links") &&
            ex.getMessage().contains("refusing to use it as a lock"), ex.getMessage());
        assertFalse(Files.exists(base.resolve(RuntimeDirectory.namedDirectoryName("linked"))));
    }

    @Test
    void anotherUsersLockFileIsRefusedAndLeftUntouched() throws IOException
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        final Path lockFile = RuntimeDirectory.namesLockFile(base);
        Files.writeString(lockFile, "theirs");
        Files.setAttribute(lockFile, "unix:uid", 65534);

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> RuntimeDirectory.openNamed(base, "foreign"));
        assertEquals(6, Files.size(lockFile));
        assertEquals("theirs", Files.readString(lockFile));
        assertTrue(ex.getMessage().contains(lockFile.toString()) && ex.getMessage().contains("another user (uid 65534)") &&
            ex.getMessage().contains("refusing to use it as a lock"), ex.getMessage());
    }

    @Test
    void aBaseOthersMayWriteWithoutTheStickyBitIsRefused() throws IOException
    {
        for (final int mode : new int[]{ 0777, 0770, 0703 })
        {
            final Path open = Files.createDirectory(base.resolve(String.format("open%o", mode)));
            Files.setAttribute(open, "unix:mode", mode);
            for (final Executable make : new Executable[]{
                () -> RuntimeDirectory.create(open).close(),
                () -> RuntimeDirectory.openNamed(open, "x").close() })
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, make);
                assertTrue(ex.getMessage().startsWith(open + ": refused as the mp4j runtime base: mode " +
                    String.format("%04o", mode)), ex.getMessage());
                assertTrue(ex.getMessage().contains("without the sticky bit") &&
                    ex.getMessage().contains(RuntimeDirectory.BASE_PROPERTY), ex.getMessage());
            }
            try (DirectoryStream<Path> left = Files.newDirectoryStream(open))
            {
                assertFalse(left.iterator().hasNext(), "made in a refused base: " + open);
            }
        }
    }

    @Test
    void aStickyOrPrivateBaseIsAccepted() throws IOException
    {
        for (final int mode : new int[]{ 01777, 0700 })
        {
            final Path dir = Files.createDirectory(base.resolve(String.format("base%o", mode)));
            Files.setAttribute(dir, "unix:mode", mode);
            try (RuntimeDirectory made = RuntimeDirectory.create(dir);
                 RuntimeDirectory named = RuntimeDirectory.openNamed(dir, "x"))
            {
                assertEquals(dir, made.path().getParent());
                assertTrue(named.isOwner());
            }
        }
        for (final String system : new String[]{ "/dev/shm", "/tmp" })
        {
            final Path dir = Path.of(system);
            if (Files.isDirectory(dir) && Files.isWritable(dir))
            {
                RuntimeDirectory.create(dir).close();
            }
        }
    }

    @Test
    void processIdsTellLiveFromDead() throws Exception
    {
        assertTrue(ProcessIds.isAlive(ProcessIds.currentPid(), ProcessIds.currentStartTime()));
        assertFalse(ProcessIds.isAlive(ProcessIds.currentPid(), ProcessIds.currentStartTime() + 1));
        assertFalse(ProcessIds.isAlive(deadPid(), 0));
        assertEquals(ProcessIds.NO_PROCESS, ProcessIds.startTime(-5));
    }

    private static long deadPid() throws Exception
    {
        final Process process = new ProcessBuilder("true").start();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        return process.pid();
    }
}

package io.mp4j.queue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The durable queue across real JVMs: survival of process death, work-queue exactly once, named
 * subscribers resuming, replay from an index, cleanup of old cycles, and no phone-home.
 */
class DurableQueueTest
{
    private static final Duration WAIT = Duration.ofSeconds(90);

    private Path dir;
    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory("mp4j-durable-");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final ChildJvm child : children)
        {
            child.close();
        }
        deleteTree(dir);
    }

    private ChildJvm start(final List<String> jvmArgs, final String... args)
    {
        final ChildJvm child = ChildJvm.start(DurableChild.class, jvmArgs, args);
        children.add(child);
        return child;
    }

    private ChildJvm start(final String... args)
    {
        return start(List.of(), args);
    }

    @Test
    void survivesTheDeathOfItsProducerAndResumesAfterRestart() throws Exception
    {
        final Path q = dir.resolve("q");
        final ChildJvm producer = start("put-and-hang", q.toString(), "100");
        producer.awaitLine("put 100", WAIT);
        producer.kill();

        final ChildJvm first = start("take", q.toString(), "40");
        assertEquals("took " + range(0, 40), first.awaitLine("took", WAIT));
        first.assertExitsCleanly(WAIT);

        final ChildJvm audit1 = start("subscribe", q.toString(), "audit", "30");
        assertEquals("saw " + range(0, 30), audit1.awaitLine("saw", WAIT));
        audit1.assertExitsCleanly(WAIT);
        final ChildJvm audit2 = start("subscribe", q.toString(), "audit", "30");
        assertEquals("saw " + range(30, 60), audit2.awaitLine("saw", WAIT), "a named subscriber resumes after a restart");
        audit2.assertExitsCleanly(WAIT);

        try (DurableQueue<Long> queue = DurableQueue.open(q))
        {
            for (long i = 40; i < 100; i++)
            {
                assertEquals(i, queue.take(WAIT), "the work cursor resumes after the last claimed message");
            }
            assertNull(queue.poll());
            assertEquals(100, queue.claimedCount());

            final long index50;
            try (DurableQueue.Subscriber<Long> all = queue.tail(0))
            {
                for (long i = 0; i <= 50; i++)
                {
                    assertEquals(i, all.poll());
                }
                index50 = all.lastIndex();
            }
            try (DurableQueue.Subscriber<Long> replay = queue.tail(index50))
            {
                assertEquals(50L, replay.poll(), "replay from a saved index");
                assertEquals(51L, replay.poll());
            }
            final long next = queue.put(100L);
            assertTrue(next > index50);
            assertEquals(100L, queue.take(WAIT));
        }
    }

    @Test
    void workQueueGivesEachMessageToExactlyOneConsumer() throws Exception
    {
        final Path q = dir.resolve("q");
        final Path out0 = dir.resolve("out0");
        final Path out1 = dir.resolve("out1");
        final ChildJvm c0 = start("take-all", q.toString(), out0.toString());
        final ChildJvm c1 = start("take-all", q.toString(), out1.toString());
        final int count = 3000;
        try (DurableQueue<Long> queue = DurableQueue.open(q))
        {
            for (long i = 0; i < count; i++)
            {
                queue.put(i);
            }
            queue.put(-1L);
            queue.put(-1L);
            c0.assertExitsCleanly(WAIT);
            c1.assertExitsCleanly(WAIT);
        }
        QueueCrossJvmTest.assertExactlyOnceInOrder(
            new long[][]{ QueueCrossJvmTest.readLongs(out0), QueueCrossJvmTest.readLongs(out1) }, 1, count);
    }

    @Test
    void cleanupDeletesConsumedCycles() throws Exception
    {
        try (DurableQueue<Long> queue = DurableQueue.open(dir.resolve("q"), "TEST_SECONDLY", null))
        {
            queue.put(1L);
            final long firstCycleIndex = queue.lastIndex();
            final long deadline = System.nanoTime() + WAIT.toNanos();
            // wait for the clock to reach the next one-second cycle (a clock condition, not a sleep)
            while (queue.put(2L) >>> 32 == firstCycleIndex >>> 32 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            final long cycleFiles = cycleFiles(dir.resolve("q"));
            assertTrue(cycleFiles >= 2, "files " + cycleFiles);
            assertEquals(0, queue.cleanup(Duration.ZERO), "nothing consumed yet");
            while (queue.poll() != null)
            {
                // consume all
            }
            final int deleted = queue.cleanup(Duration.ZERO);
            assertTrue(deleted >= 1, "deleted " + deleted);
            assertEquals(cycleFiles - deleted, cycleFiles(dir.resolve("q")));
            queue.put(3L);
            assertEquals(3L, queue.take(WAIT));

            // automatic: when appends roll over, cycles before the work cursor's go
            queue.autoCleanup(Duration.ZERO);
            rollOnce(queue);
            rollOnce(queue);
            assertEquals(2, cycleFiles(dir.resolve("q")), "only the cursor's cycle and the current one are left");
        }
    }

    @Test
    void theWeeklyRollCycleWhoseFilesChronicleCannotFindIsRefusedByName()
    {
        // Chronicle parses WEEKLY's file names (2026W48) as a day count, not the cycle it wrote: a tailer
        // read nothing back and cleanup deleted nothing, silently
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> DurableQueue.open(dir.resolve("q"), "WEEKLY", null));
        assertTrue(refused.getMessage().contains("roll cycle WEEKLY is not supported"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("q")), "nothing created");
    }

    @Test
    void cleanupFindsTheFilesOfADailyCycleByChroniclesOwnNaming() throws Exception
    {
        final Path q = dir.resolve("q");
        try (DurableQueue<Long> queue = DurableQueue.open(q, "FAST_DAILY", null))
        {
            queue.put(1L);
            assertEquals(1L, queue.take(WAIT));
            // yesterday's file, named as Chronicle names it (the clock cannot wait a day)
            final net.openhft.chronicle.queue.RollCycle daily = net.openhft.chronicle.queue.RollCycles.FAST_DAILY;
            final String yesterday = new net.openhft.chronicle.queue.impl.RollingResourcesCache(daily, daily.defaultEpoch(),
                java.io.File::new, java.io.File::getName).resourceFor(
                    (int)((System.currentTimeMillis() - daily.defaultEpoch()) / daily.lengthInMillis()) - 1).text;
            Files.createFile(q.resolve(yesterday + ".cq4"));
            assertEquals(0, queue.cleanup(Duration.ofDays(2)), "ended less than two days ago");
            assertEquals(1, queue.cleanup(Duration.ZERO));
            assertFalse(Files.exists(q.resolve(yesterday + ".cq4")));
            queue.put(2L);
            assertEquals(2L, queue.take(WAIT));
        }
    }

    /** Put and take until a put lands in the next cycle; take that one too, so the cursor is in the new cycle. */
    private static void rollOnce(final DurableQueue<Long> queue) throws InterruptedException
    {
        final long startCycle = queue.lastIndex() >>> 32;
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (queue.put(4L) >>> 32 == startCycle && System.nanoTime() < deadline)
        {
            assertEquals(4L, queue.take(WAIT));
        }
        assertEquals(4L, queue.take(WAIT));
        assertNull(queue.poll());
    }

    private static void assertSameContent(final Object expected, final Object actual)
    {
        if (expected instanceof byte[])
        {
            org.junit.jupiter.api.Assertions.assertArrayEquals((byte[])expected, (byte[])actual);
        }
        else
        {
            assertEquals(expected, actual);
        }
    }

    @Test
    void everyBuiltInTypeIsAppendedFromWhereverItsBytesLive() throws Exception
    {
        // put writes the encoded bytes straight into Chronicle's document: from the encoder's scratch
        // (numbers, strings), a caller's array at an offset, or native memory (a direct ByteBuffer)
        final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(100);
        for (int i = 0; i < 100; i++)
        {
            direct.put(i, (byte)i);
        }
        direct.position(10).limit(90);
        final byte[] array = new byte[50];
        for (int i = 0; i < array.length; i++)
        {
            array[i] = (byte)(i * 3);
        }
        final java.nio.ByteBuffer slice = java.nio.ByteBuffer.wrap(array, 7, 20).slice();
        final List<Object> sent = List.of(42, -7L, 2.5, "héllo", "", array, new byte[0], slice, direct, List.of(1, "x"));
        try (DurableQueue<Object> queue = DurableQueue.open(dir.resolve("q")))
        {
            for (final Object o : sent)
            {
                queue.put(o);
            }
            try (DurableQueue.Subscriber<Object> replay = queue.tail(0))
            {
                for (final Object o : sent)
                {
                    assertSameContent(o, queue.poll());     // the work queue's claim path
                    assertSameContent(o, replay.poll());    // a subscriber's path (numbers read in place)
                }
                assertNull(queue.poll());
                assertNull(replay.poll());
            }
        }
    }

    @Test
    void oneInstanceIsUsedByManyThreadsAndASubscriberIsHandedOnBetweenThreads() throws Exception
    {
        // Chronicle's appenders and tailers refuse a second thread by default; the instance serializes them
        try (DurableQueue<Integer> queue = DurableQueue.open(dir.resolve("q")))
        {
            queue.put(1);
            final java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newFixedThreadPool(2);
            try
            {
                other.submit(() -> queue.put(2)).get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(1, queue.poll());
                assertEquals(2, other.submit(() -> queue.poll()).get(60, java.util.concurrent.TimeUnit.SECONDS));
                final DurableQueue.Subscriber<Integer> replay = queue.tail(0);
                try
                {
                    assertEquals(1, other.submit(() -> replay.poll()).get(60, java.util.concurrent.TimeUnit.SECONDS));
                    assertEquals(2, replay.poll());
                }
                finally
                {
                    replay.close();
                }
                final java.util.List<java.util.concurrent.Future<Long>> puts = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++)
                {
                    final int v = 10 + i;
                    puts.add(other.submit(() -> queue.put(v)));
                }
                for (final java.util.concurrent.Future<Long> f : puts)
                {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
                int taken = 0;
                while (queue.poll() != null)
                {
                    taken++;
                }
                assertEquals(100, taken);
            }
            finally
            {
                other.shutdownNow();
            }
        }
    }

    @Test
    void aMessageThatCannotBeDecodedIsConsumedNotRetriedForever() throws Exception
    {
        try (DurableQueue<Object> queue = DurableQueue.open(dir.resolve("q")))
        {
            queue.put(new org.example.Forbidden("no"));
            queue.put("next");
            final MessageDecodingException refused = org.junit.jupiter.api.Assertions.assertThrows(
                MessageDecodingException.class, queue::poll);
            assertTrue(refused.getMessage().contains("org.example.Forbidden"), refused.getMessage());
            assertEquals("next", queue.poll());
        }
    }

    @Test
    void neverWritesAnalyticsToTheHomeDirectory() throws Exception
    {
        final Path home = Files.createTempDirectory(dir, "home");
        final ChildJvm child = start(
            List.of("!-Dchronicle.analytics.disable=true", "-Duser.home=" + home),
            "exercise", dir.resolve("q").toString());
        assertEquals("ok true", child.awaitLine("ok", WAIT), "DurableQueue disables analytics itself");
        child.assertExitsCleanly(WAIT);
        try (Stream<Path> files = Files.walk(home))
        {
            final List<Path> written = files.filter(p -> !p.equals(home)).collect(Collectors.toList());
            assertEquals(List.of(), written, "nothing may be written to the home directory");
        }
    }

    private static long cycleFiles(final Path q) throws IOException
    {
        try (Stream<Path> files = Files.list(q))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).count();
        }
    }

    private static String range(final int from, final int to)
    {
        return LongStream.range(from, to).mapToObj(Long::toString).collect(Collectors.joining(" "));
    }

    @Test
    void aDirectoryItCreatesIsPrivateToThisUser() throws Exception
    {
        final Path q = dir.resolve("parent").resolve("q");
        try (DurableQueue<Long> queue = DurableQueue.open(q))
        {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(q)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(q.getParent())));
            queue.put(1L);
            assertEquals(1L, queue.poll());
        }
    }

    @Test
    void aDirectoryThatEveryUserMayWriteIsRefusedBeforeChronicleMapsAnything() throws Exception
    {
        for (final String mode : new String[] {"rwxrwxrwx", "rwx---rwx", "rwx----w-"})
        {
            final Path q = Files.createDirectory(dir.resolve("q-" + mode.replace('-', '_')));
            Files.setPosixFilePermissions(q, PosixFilePermissions.fromString(mode));
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DurableQueue.open(q));
            assertTrue(refused.getMessage().startsWith(q.toString()) && refused.getMessage().contains("chmod o-w"),
                refused.getMessage());
            try (Stream<Path> files = Files.list(q))
            {
                assertEquals(List.of(), files.collect(Collectors.toList()), "nothing written in a refused directory");
            }
        }
        // the sticky bit keeps others from renaming files, not from planting a future cycle's file
        final Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        assertThrows(IllegalStateException.class, () -> DurableQueue.open(sticky));
        // a group-shared directory (umask 002, a setgid team directory) trusts its group
        final Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 02770);
        try (DurableQueue<Long> queue = DurableQueue.open(shared))
        {
            queue.put(3L);
            assertEquals(3L, queue.poll());
        }
    }

    @Test
    void aDirectoryOfAnotherUserIsRefusedEvenThroughALink() throws Exception
    {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Paths.get("/proc/self"), "unix:uid")),
            "only root can give a directory to another user");
        final Path foreign = Files.createDirectory(dir.resolve("foreign"));
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(foreign, "unix:uid", 65534);
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DurableQueue.open(foreign));
        assertTrue(refused.getMessage().contains("belongs to uid 65534"), refused.getMessage());
        final Path link = Files.createSymbolicLink(dir.resolve("link"), foreign);
        final IllegalStateException throughLink = assertThrows(IllegalStateException.class, () -> DurableQueue.open(link));
        assertTrue(throughLink.getMessage().startsWith(link + " (" + foreign.toRealPath() + ")"), throughLink.getMessage());
        // a link to a directory of this user's is fine: the directory it leads to is what is checked, and
        // the queue keeps to it when the link is pointed elsewhere before Chronicle opens its files
        final Path own = Files.createDirectory(dir.resolve("own"));
        final Path linkToOwn = Files.createSymbolicLink(dir.resolve("link-to-own"), own);
        try (DurableQueue<Long> queue = DurableQueue.open(linkToOwn))
        {
            Files.delete(linkToOwn);
            Files.createSymbolicLink(linkToOwn, foreign);
            queue.put(7L);
            assertEquals(7L, queue.poll());
        }
        try (Stream<Path> files = Files.list(foreign))
        {
            assertEquals(List.of(), files.collect(Collectors.toList()), "nothing written where the link leads now");
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList()))
            {
                Files.deleteIfExists(p);
            }
        }
    }
}

package io.mp4j.tests.pool;

import io.mp4j.AsyncResult;
import io.mp4j.Context;
import io.mp4j.Pool;
import io.mp4j.RemoteTaskException;
import io.mp4j.ResultIterator;
import io.mp4j.StartMethod;
import io.mp4j.WorkerDiedException;
import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class PoolTest
{
    static int initCount;
    static String initValue = "none";

    static int square(final int x)
    {
        return x * x;
    }

    static long squareLong(final long x)
    {
        return x * x;
    }

    static int add(final int a, final int b)
    {
        return a + b;
    }

    static String shout(final String s)
    {
        return s.toUpperCase() + "!";
    }

    static long pid(final int ignored)
    {
        return ProcessHandle.current().pid();
    }

    static int slowSquare(final int x) throws InterruptedException
    {
        // the behaviour under test: tasks that take different times, so completion order differs from input order
        TimeUnit.MILLISECONDS.sleep(x % 3 == 0 ? 60 : 1);
        return x * x;
    }

    static int failOn13(final int x)
    {
        if (x == 13)
        {
            throw new IllegalStateException("unlucky " + x);
        }
        return x;
    }

    static void failingInit(final String why)
    {
        throw new IllegalStateException(why);
    }

    static void init(final String value)
    {
        initCount++;
        initValue = value;
    }

    static String initState(final int ignored)
    {
        return initCount + ":" + initValue + ":" + ProcessHandle.current().pid();
    }

    /** Writes its pid to dir/started-pid, then blocks until killed. */
    static int announceAndBlock(final String dir) throws Exception
    {
        Files.writeString(Path.of(dir, "started-" + ProcessHandle.current().pid()), "x");
        new CountDownLatch(1).await(); // never counted down: runs until the test stops this worker
        return 0;
    }

    static int exitWith(final int status)
    {
        System.exit(status);
        return 0;
    }

    static int exitOnFirstAttempt(final String dir) throws IOException
    {
        final Path marker = Path.of(dir, "attempted");
        if (!Files.exists(marker))
        {
            Files.writeString(marker, "1");
            Runtime.getRuntime().halt(9);
        }
        return 42;
    }

    static int recurse(final int depth)
    {
        return depth <= 0 ? 0 : 1 + recurse(depth + 1);
    }

    static int eatMemory(final int ignored)
    {
        final List<long[]> hog = new ArrayList<>();
        while (true)
        {
            hog.add(new long[1 << 20]);
        }
    }

    /** The first worker to get here goes on; any other waits until dir/release exists. */
    static void firstGoesOthersWait(final String dir) throws Exception
    {
        try
        {
            Files.createFile(Path.of(dir, "first"));
        }
        catch (final java.nio.file.FileAlreadyExistsException ex)
        {
            while (!Files.exists(Path.of(dir, "release")))
            {
                // a worker held back at start-up, polled by the test's release file
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
    }

    static final class Opaque
    {
        final int value;

        Opaque(final int value)
        {
            this.value = value;
        }
    }

    @Test
    void mapReturnsResultsInInputOrderWithAnyChunksize()
    {
        try (Pool pool = Pool.create(2))
        {
            final List<Integer> xs = IntStream.range(0, 1000).boxed().collect(Collectors.toList());
            final List<Integer> expected = xs.stream().map(PoolTest::square).collect(Collectors.toList());
            assertEquals(expected, pool.map(PoolTest::square, xs));
            assertEquals(expected, pool.map(PoolTest::square, xs, 1));
            assertEquals(expected, pool.map(PoolTest::square, xs, 7));
            assertEquals(expected, pool.map(PoolTest::square, xs, 5000));
            assertEquals(expected, pool.map(PoolTest::square, new java.util.LinkedList<>(xs), 7));
            assertEquals(expected, pool.map(PoolTest::square, (Iterable<Integer>)xs.stream()::iterator));
            assertEquals(List.of(), pool.map(PoolTest::square, List.<Integer>of()));
            assertEquals(List.of(0L, 1L, 4L, 10_000_000_000L), pool.map(PoolTest::squareLong, List.of(0L, 1L, 2L, 100_000L)));
            assertEquals(List.of("A!", "BÉ!"), pool.map(PoolTest::shout, List.of("a", "bé")));
            // a mix of types and nulls goes by Java serialization
            final List<Object> mixed = new ArrayList<>(List.of(1, "two", 3.0));
            mixed.add(null);
            assertEquals(List.of("1", "two", "3.0", "null"), pool.map(String::valueOf, mixed));
        }
    }

    static double half(final int x)
    {
        return x / 2.0;
    }

    @Test
    void theListMapReturnsBehavesLikeArraysAsList() throws Exception
    {
        try (Pool pool = Pool.create(2))
        {
            final List<Integer> xs = IntStream.range(0, 100).boxed().collect(Collectors.toList());
            final List<Integer> squares = pool.map(PoolTest::square, xs, 7);
            final List<Integer> expected = xs.stream().map(PoolTest::square).collect(Collectors.toList());
            assertEquals(expected, squares);
            assertEquals(expected.hashCode(), squares.hashCode());
            assertEquals(99 * 99, squares.get(99));
            assertThrows(IndexOutOfBoundsException.class, () -> squares.get(100));
            assertThrows(UnsupportedOperationException.class, () -> squares.add(1));
            assertEquals(4, squares.set(2, -4));
            assertEquals(-4, squares.get(2));
            // a value of another kind, or null, in a list of ints
            @SuppressWarnings({"unchecked", "rawtypes"}) final List<Object> raw = (List)squares;
            raw.set(3, "nine");
            raw.set(4, null);
            assertEquals("nine", squares.get(3));
            assertEquals(null, squares.get(4));
            assertEquals(25, squares.get(5));
            expected.set(2, -4);
            ((List<Object>)(List)expected).set(3, "nine");
            expected.set(4, null);
            assertEquals(expected, squares);
            raw.sort(java.util.Comparator.nullsFirst(java.util.Comparator.comparing(Object::toString)));
            assertEquals(null, squares.get(0));
            assertEquals(-4, squares.get(1));

            final List<Double> halves = pool.map(PoolTest::half, xs, 9);
            assertEquals(xs.stream().map(PoolTest::half).collect(Collectors.toList()), halves);
            final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes))
            {
                out.writeObject(halves);
            }
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())))
            {
                assertEquals(halves, in.readObject());
            }
        }
    }

    @Test
    void aListChangedAfterItWasHandedToThePoolFailsTheCallNotThePool()
    {
        // the arguments of a map over Longs are read from the caller's (random-access) list when they are
        // sent: this list answers Longs while the call is made, then Strings
        final int n = 40;
        final class Changing extends java.util.AbstractList<Object> implements java.util.RandomAccess
        {
            private int reads;

            @Override
            public Object get(final int index)
            {
                return reads++ < n ? (Object)(long)index : "changed";
            }

            @Override
            public int size()
            {
                return n;
            }
        }
        final List<Object> changing = new Changing();
        try (Pool pool = Pool.create(1))
        {
            final java.util.ConcurrentModificationException ex = assertThrows(java.util.ConcurrentModificationException.class,
                () -> pool.map(String::valueOf, changing, 10));
            assertTrue(ex.getMessage().contains("java.lang.String"), ex.getMessage());
            assertEquals(List.of(0L, 1L, 4L), pool.map(PoolTest::squareLong, List.of(0L, 1L, 2L)));
        }
    }

    static long cube(final long x)
    {
        return x * x * x;
    }

    static long negate(final long x)
    {
        return -x;
    }

    static double root(final double x)
    {
        return Math.sqrt(x);
    }

    @Test
    void staticMethodReferencesOverPrimitivesGiveWhatTheirLambdasGive()
    {
        // a worker calls Demo::f over long, int or double without boxing; a lambda goes the general way
        try (Pool pool = Pool.create(2))
        {
            final List<Long> longs = LongStream(1000);
            assertEquals(pool.map(x -> cube(x), longs, 100), pool.map(PoolTest::cube, longs, 100));
            final List<Double> doubles = longs.stream().map(Long::doubleValue).collect(Collectors.toList());
            assertEquals(pool.map(x -> root(x), doubles, 100), pool.map(PoolTest::root, doubles, 100));
            final List<Integer> ints = IntStream.range(-500, 500).boxed().collect(Collectors.toList());
            assertEquals(pool.map(x -> square(x), ints, 100), pool.map(PoolTest::square, ints, 100));
            // an Integer widened to the method's long (a method of its own: javac's $deserializeLambda$ does
            // not tell apart two references to one method that differ only in their generic types)
            final io.mp4j.SerializableFunction<Integer, Long> widened = PoolTest::negate;
            assertEquals(ints.stream().map(x -> -(long)x).collect(Collectors.toList()), pool.map(widened, ints, 100));
            assertEquals(-125_000_000L, pool.apply(PoolTest::cube, -500L));
        }
    }

    @Test
    void largeChunksTravelThroughFiles()
    {
        try (Pool pool = Pool.builder().processes(1).ringCapacity(64 * 1024).build())
        {
            final List<Long> xs = LongStream(50_000);
            final List<Long> out = pool.map(PoolTest::squareLong, xs);
            assertEquals(50_000, out.size());
            assertEquals(49_999L * 49_999L, out.get(49_999));
        }
    }

    static byte[] reversed(final byte[] in)
    {
        final byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++)
        {
            out[i] = in[in.length - 1 - i];
        }
        return out;
    }

    /** The files in a context's runtime directory, but its own marker. */
    static List<String> filesIn(final Path dir) throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.equals(io.mp4j.shm.RuntimeDirectory.OWNER_FILE)).sorted().collect(Collectors.toList());
        }
    }

    private static List<byte[]> bigArrays(final int count)
    {
        final List<byte[]> items = new ArrayList<>();
        for (int n = 0; n < count; n++)
        {
            final byte[] a = new byte[1000 + n];
            for (int i = 0; i < a.length; i++)
            {
                a[i] = (byte)(n + i);
            }
            items.add(a);
        }
        return items;
    }

    @Test
    void bigTasksThroughATinyRingArriveOnceEachAndLeaveNoFileBehind() throws Exception
    {
        // every task and result is longer than a 4 KiB ring takes (512 bytes): each travels in a file, and
        // with 200 chunks allowed per worker the dispatcher meets full rings and retries
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of()))
        {
            final List<byte[]> items = bigArrays(300);
            final List<byte[]> out;
            try (Pool pool = Pool.builder().processes(2).ringCapacity(4096).prefetch(200).context(ctx).build())
            {
                out = pool.map(PoolTest::reversed, items, 1);
            }
            assertEquals(items.size(), out.size());
            for (int n = 0; n < items.size(); n++)
            {
                assertTrue(java.util.Arrays.equals(reversed(items.get(n)), out.get(n)), "result " + n);
            }
            assertEquals(List.of(), filesIn(ctx.directory().path()));
        }
    }

    static byte[] blockOnEmpty(final String dir, final byte[] in) throws Exception
    {
        if (in.length == 0)
        {
            Files.writeString(Path.of(dir, "started"), "x");
            new CountDownLatch(1).await(); // never counted down: runs until the pool is terminated
        }
        return reversed(in);
    }

    @Test
    void aTerminatedPoolDeletesTheFilesOfTasksItsWorkerNeverRead(@TempDir final Path marks) throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of()))
        {
            final Path dir = ctx.directory().path();
            final List<byte[]> items = new ArrayList<>();
            items.add(new byte[0]);
            items.addAll(bigArrays(20));
            final String m = marks.toString();
            final Pool pool = Pool.builder().processes(1).ringCapacity(4096).prefetch(64).context(ctx).build();
            try
            {
                final AsyncResult<List<byte[]>> result = pool.mapAsync(x -> blockOnEmpty(m, x), items, 1);
                Await.until("the first task to start and the others to be sent by file", () ->
                {
                    try
                    {
                        return Files.exists(marks.resolve("started")) &&
                            filesIn(dir).stream().filter(n -> n.contains("-worker-1-p")).count() >= 20;
                    }
                    catch (final IOException ex)
                    {
                        throw new java.io.UncheckedIOException(ex);
                    }
                });
                pool.terminate();
                pool.join();
                assertThrows(CancellationException.class, result::get);
            }
            finally
            {
                pool.terminate();
            }
            assertEquals(List.of(), filesIn(dir), "the files of tasks sent but never read are deleted with the channel");
        }
    }

    private static List<Long> LongStream(final int n)
    {
        return java.util.stream.LongStream.range(0, n).boxed().collect(Collectors.toList());
    }

    @Test
    void starmapApplyAndAsyncVariants() throws Exception
    {
        try (Pool pool = Pool.create(2))
        {
            assertEquals(List.of(3, 7, 11), pool.starmap(PoolTest::add, List.of(Map.entry(1, 2), Map.entry(3, 4), Map.entry(5, 6))));
            assertEquals(100, pool.apply(PoolTest::square, 10));
            assertEquals(5, pool.apply(PoolTest::add, 2, 3));
            assertEquals("called", pool.apply(() -> "called"));

            final List<Integer> seen = new CopyOnWriteArrayList<>();
            final AsyncResult<Integer> r = pool.applyAsync(PoolTest::square, 10).onSuccess(seen::add);
            assertEquals(100, r.get());
            assertTrue(r.ready());
            assertTrue(r.successful());
            Await.until("callback ran", () -> seen.equals(List.of(100)));

            // a callback may submit more work to the same pool
            final java.util.concurrent.atomic.AtomicReference<AsyncResult<Integer>> chained = new java.util.concurrent.atomic.AtomicReference<>();
            pool.applyAsync(PoolTest::square, 2).onSuccess(v -> chained.set(pool.applyAsync(PoolTest::square, v)));
            assertEquals(16, Await.value("chained result", chained::get).get());
            final List<Throwable> errors = new CopyOnWriteArrayList<>();
            pool.applyAsync(PoolTest::failOn13, 13).onError(errors::add);
            Await.until("error callback ran", () -> errors.size() == 1);
            assertInstanceOf(RemoteTaskException.class, errors.get(0));

            final AsyncResult<List<Integer>> m = pool.mapAsync(PoolTest::square, List.of(0, 1, 2, 3, 4));
            assertTrue(m.waitFor(Duration.ofSeconds(60)));
            assertEquals(List.of(0, 1, 4, 9, 16), m.get(Duration.ofSeconds(1)));
            assertEquals(List.of(3, 7), pool.starmapAsync(PoolTest::add, List.of(Map.entry(1, 2), Map.entry(3, 4))).get());
            assertEquals(List.of(3, 7), pool.starmap(PoolTest::add, List.of(Map.entry(1, 2), Map.entry(3, 4)), 1));
            // one rule for every chunk size: at least 1 (the overload without one takes the default)
            for (final int bad : new int[]{ 0, -1 })
            {
                assertThrows(IllegalArgumentException.class, () -> pool.starmapAsync(PoolTest::add, List.of(Map.entry(1, 2)), bad));
                assertThrows(IllegalArgumentException.class, () -> pool.starmap(PoolTest::add, List.of(Map.entry(1, 2)), bad));
                assertThrows(IllegalArgumentException.class, () -> pool.map(PoolTest::square, List.of(1), bad));
                assertThrows(IllegalArgumentException.class, () -> pool.imap(PoolTest::square, List.of(1), bad));
            }
        }
    }

    @Test
    void asyncResultTimesOutAndReportsNotReady(@TempDir final Path dir) throws Exception
    {
        try (Pool pool = Pool.create(1))
        {
            final AsyncResult<Integer> r = pool.applyAsync(PoolTest::announceAndBlock, dir.toString());
            assertEquals("not ready within 100 ms", assertThrows(TimeoutException.class, () -> r.get(Duration.ofMillis(100))).getMessage());
            assertFalse(r.ready());
            assertThrows(IllegalStateException.class, r::successful);
            assertFalse(r.waitFor(Duration.ofMillis(10)));
        }
    }

    static String echo(final String s)
    {
        return s;
    }

    @Test
    void stringsWithAnUnpairedSurrogateComeBackUnchanged()
    {
        // a column of Strings travels as UTF-8, which turned a lone surrogate into '?'
        try (Pool pool = Pool.create(1))
        {
            final List<String> xs = List.of("plain", "\uD800x", "a\uDC00", "\uD83D\uDE00 paired");
            assertEquals(xs, pool.map(PoolTest::echo, xs));
            assertEquals("\uD800", pool.apply(PoolTest::echo, "\uD800"));
        }
    }

    @Test
    void aTimeoutTooLongForNanosecondsMeansForever() throws Exception
    {
        // Duration.toNanos() overflows past 292 years: these threw ArithmeticException, even with the result ready
        final Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        final Pool pool = Pool.create(1);
        try
        {
            assertTrue(pool.awaitReady(forever));
            assertEquals(100, pool.applyAsync(PoolTest::square, 10).get(forever));
            assertEquals(9, pool.imap(PoolTest::square, List.of(3)).next(forever));
            assertFalse(pool.awaitTermination(Duration.ZERO), "a running pool has not terminated");
            assertFalse(pool.awaitTermination(Duration.ofSeconds(-1)));
        }
        finally
        {
            pool.close();
        }
        assertTrue(pool.awaitTermination(forever));
        assertTrue(pool.awaitTermination(Duration.ZERO));
    }

    @Test
    void imapIsInInputOrderAndImapUnorderedHasEverything() throws InterruptedException
    {
        try (Pool pool = Pool.create(2))
        {
            assertTrue(pool.awaitReady(Await.DEFAULT));
            final List<Integer> xs = IntStream.range(0, 30).boxed().collect(Collectors.toList());
            final List<Integer> expected = xs.stream().map(x -> x * x).collect(Collectors.toList());
            final ResultIterator<Integer> it = pool.imap(PoolTest::slowSquare, xs);
            final List<Integer> ordered = new ArrayList<>();
            it.forEachRemaining(ordered::add);
            assertEquals(expected, ordered);
            assertEquals(expected, pool.imap(PoolTest::slowSquare, xs, 4).stream().collect(Collectors.toList()));

            final List<Integer> unordered = pool.imapUnordered(PoolTest::slowSquare, xs).stream().collect(Collectors.toList());
            assertEquals(new HashSet<>(expected), new HashSet<>(unordered));
            assertEquals(expected.size(), unordered.size());
        }
    }

    /** Task 0 waits (bounded) for the release event; every other task leaves a mark that it is done. */
    static int gatedSquare(final io.mp4j.shm.Event release, final String dir, final int x) throws Exception
    {
        if (x == 0)
        {
            release.await(Duration.ofSeconds(60));
        }
        else
        {
            Files.createFile(Path.of(dir, "done-" + x));
        }
        return x * x;
    }

    private static long marks(final Path dir)
    {
        try (var files = Files.list(dir))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("done-")).count();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void imapHoldsLaterResultsBackForAnEarlierOneAndImapUnorderedDoesNot(@TempDir final Path gates) throws Exception
    {
        try (Pool pool = Pool.create(2))
        {
            assertTrue(pool.awaitReady(Await.DEFAULT));
            final List<Integer> xs = IntStream.range(0, 10).boxed().collect(Collectors.toList());
            final List<Integer> expected = xs.stream().map(x -> x * x).collect(Collectors.toList());

            final Path ordered = Files.createDirectory(gates.resolve("ordered"));
            final String o = ordered.toString();
            try (io.mp4j.shm.Event release = io.mp4j.shm.Event.create())
            {
                final ResultIterator<Integer> it = pool.imap(x -> gatedSquare(release, o, x), xs, 1);
                Await.until("a task after the first to finish", () -> marks(ordered) > 0);
                release.set();
                final List<Integer> inOrder = new ArrayList<>();
                it.forEachRemaining(inOrder::add);
                assertEquals(expected, inOrder, "imap gives results in input order, the first one first although it finished last");
            }

            final Path unordered = Files.createDirectory(gates.resolve("unordered"));
            final String u = unordered.toString();
            final int first;
            final List<Integer> all = new ArrayList<>();
            try (io.mp4j.shm.Event release = io.mp4j.shm.Event.create())
            {
                final ResultIterator<Integer> any = pool.imapUnordered(x -> gatedSquare(release, u, x), xs, 1);
                first = any.next(Await.DEFAULT); // task 0 is still held back: this is another task's result
                release.set();
                all.add(first);
                any.forEachRemaining(all::add);
            }
            assertNotEquals(0, first, "imapUnordered gives a finished result before an earlier unfinished one");
            assertEquals(new HashSet<>(expected), new HashSet<>(all));
            assertEquals(expected.size(), all.size());
        }
    }

    @Test
    void aTaskExceptionReachesTheCallerWithTheRemoteStackTraceAndThePoolStaysUsable() throws Exception
    {
        try (Pool pool = Pool.create(2))
        {
            final List<Integer> xs = IntStream.range(0, 20).boxed().collect(Collectors.toList());
            final RemoteTaskException ex = assertThrows(RemoteTaskException.class, () -> pool.map(PoolTest::failOn13, xs));
            assertTrue(ex.getMessage().contains("task 13"), ex.getMessage());
            assertInstanceOf(IllegalStateException.class, ex.getCause());
            assertEquals("unlucky 13", ex.getCause().getMessage());
            final StringWriter trace = new StringWriter();
            ex.getCause().printStackTrace(new java.io.PrintWriter(trace));
            assertTrue(trace.toString().contains("PoolTest.failOn13"), trace.toString());
            assertTrue(trace.toString().contains("io.mp4j.PoolWorker"), trace.toString());
            assertTrue(pool.workerPids().contains(ex.workerPid()), ex.workerPid() + " " + pool.workerPids());

            final ExecutionException async = assertThrows(ExecutionException.class, () -> pool.applyAsync(PoolTest::failOn13, 13).get());
            assertInstanceOf(RemoteTaskException.class, async.getCause());

            final ResultIterator<Integer> it = pool.imap(PoolTest::failOn13, List.of(12, 13, 14));
            assertEquals(12, it.next());
            assertThrows(RemoteTaskException.class, it::next);
            assertEquals(14, it.next());
            assertFalse(it.hasNext());

            final RemoteTaskException deep = assertThrows(RemoteTaskException.class, () -> pool.apply(PoolTest::recurse, 1));
            assertInstanceOf(StackOverflowError.class, deep.getCause());

            assertEquals(List.of(1, 4), pool.map(PoolTest::square, List.of(1, 2)));

            // a chunk whose results change kind before the failing task still names the right task
            final RemoteTaskException mixed = assertThrows(RemoteTaskException.class, () -> pool.map(PoolTest::kindChangeThenFailOn13, xs, 20));
            assertTrue(mixed.getMessage().contains("task 13"), mixed.getMessage());
        }
    }

    /** A function that serializes but cannot be read back, as one whose class a worker cannot load. */
    static final class Unreadable implements io.mp4j.SerializableFunction<Integer, Integer>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer apply(final Integer x)
        {
            return x;
        }

        private void readObject(final java.io.ObjectInputStream in) throws IOException
        {
            throw new java.io.InvalidObjectException("not readable here");
        }
    }

    @Test
    void aFunctionAWorkerCannotDeserializeFailsItsTasksAndTheWorkerCarriesOn() throws Exception
    {
        try (Pool pool = Pool.create(1))
        {
            assertTrue(pool.awaitReady(Duration.ofSeconds(60)));
            final Set<Long> pids = pool.workerPids();
            final RemoteTaskException ex = assertThrows(RemoteTaskException.class, () -> pool.map(new Unreadable(), List.of(1, 2, 3)));
            assertTrue(ex.getMessage().contains("not readable here"), ex.getMessage());
            assertEquals(List.of(1, 4), pool.map(PoolTest::square, List.of(1, 2)));
            assertEquals(pids, pool.workerPids());
        }
    }

    /**
     * A process's arguments from /proc: ProcessHandle.Info gives none for a command line longer than a
     * page, which a child's class path easily is.
     */
    static List<String> commandLine(final long pid)
    {
        try
        {
            return List.of(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), java.nio.charset.StandardCharsets.UTF_8).split("\0"));
        }
        catch (final IOException gone)
        {
            return List.of();
        }
    }

    static Object kindChangeThenFailOn13(final int x)
    {
        if (x == 13)
        {
            throw new IllegalStateException("unlucky 13");
        }
        return x < 5 ? (Object)x : "x" + x;
    }

    @Test
    void anUnserializableArgumentFailsAtSubmitNamingItsClass()
    {
        try (Pool pool = Pool.create(1))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> pool.map(o -> o.value, List.of(new Opaque(1))));
            assertTrue(ex.getMessage().contains(Opaque.class.getName()), ex.getMessage());
            final Opaque captured = new Opaque(3);
            final IllegalArgumentException fn = assertThrows(IllegalArgumentException.class,
                () -> pool.map(x -> x + captured.value, List.of(1)));
            assertTrue(fn.getMessage().contains(Opaque.class.getName()), fn.getMessage());
            assertEquals(List.of(4), pool.map(PoolTest::square, List.of(2)));
        }
    }

    @Test
    void theInitializerRunsOncePerWorker()
    {
        try (Pool pool = Pool.builder().processes(2).initializer(PoolTest::init, "hello").build())
        {
            final List<String> states = pool.map(PoolTest::initState, IntStream.range(0, 200).boxed().collect(Collectors.toList()), 1);
            for (final String s : states)
            {
                assertTrue(s.startsWith("1:hello:"), s);
            }
        }
    }

    @Test
    void thePoolIsUsableAsSoonAsTheFirstWorkerIsReady(@TempDir final Path dir) throws Exception
    {
        try (Pool pool = Pool.builder().processes(2).initializer(PoolTest::firstGoesOthersWait, dir.toString()).build())
        {
            // the second worker is held in its initializer: the first serves every task meanwhile
            assertEquals(List.of(0, 1, 4, 9, 16, 25), pool.map(PoolTest::square, List.of(0, 1, 2, 3, 4, 5), 1));
            assertEquals(1, pool.workerPids().size());
            Files.writeString(dir.resolve("release"), "go");
            Await.until("both workers ready", () -> pool.workerPids().size() == 2);
            final Set<Long> pids = new HashSet<>(pool.map(PoolTest::pid, IntStream.range(0, 50).boxed().collect(Collectors.toList()), 1));
            assertEquals(pool.workerPids(), pids);
        }
    }

    @Test
    void anInitializerThatAlwaysFailsBreaksThePoolInsteadOfHangingIt()
    {
        try (Pool pool = Pool.builder().processes(2).initializer(PoolTest::failingInit, "no config").build())
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> pool.map(PoolTest::square, List.of(1, 2, 3)));
            assertTrue(ex.getMessage().contains("before they were ready"), ex.getMessage());
            assertTrue(ex.getMessage().contains("no config"), ex.getMessage());
            assertThrows(IllegalStateException.class, () -> pool.apply(PoolTest::square, 1));
        }
    }

    @Test
    void maxTasksPerChildReplacesWorkers()
    {
        try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(2).build())
        {
            final List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                pids.add(pool.apply(PoolTest::pid, i));
            }
            final Map<Long, Integer> perPid = new HashMap<>();
            pids.forEach(p -> perPid.merge(p, 1, Integer::sum));
            assertEquals(3, perPid.size(), pids.toString());
            perPid.values().forEach(n -> assertEquals(2, n, pids.toString()));
            assertEquals(pids.get(0), pids.get(1));
            assertNotEquals(pids.get(1), pids.get(2));
        }
    }

    /** The worker channels in a context's directory (a channel is named {@code <pool>-worker-<n>}). */
    private static List<String> workerChannels(final Path dir)
    {
        try
        {
            return filesIn(dir).stream().filter(n -> n.matches(".*-worker-\\d+")).collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void retiredAndKilledWorkersLeaveNoChannelBehind() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of());
             Pool pool = Pool.builder().processes(1).maxTasksPerChild(2).context(ctx).build())
        {
            final Path dir = ctx.directory().path();
            for (int i = 0; i < 5; i++)
            {
                pool.apply(PoolTest::pid, i); // workers 1 and 2 retire after two tasks each; worker 3 has done one
            }
            Await.until("only worker 3's channel, the retired workers' deleted", () ->
            {
                final List<String> channels = workerChannels(dir);
                return channels.size() == 1 && channels.get(0).endsWith("-worker-3");
            });
            final long victim = pool.workerPids().iterator().next();
            ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
            Await.until("only the replacement's channel, the killed worker's deleted", () ->
            {
                final List<String> channels = workerChannels(dir);
                return channels.size() == 1 && channels.get(0).endsWith("-worker-4");
            });
            assertEquals(16, pool.apply(PoolTest::square, 4));
        }
    }

    @Test
    void aWorkerKilledMidTaskFailsOnlyItsTaskAndIsReplaced(@TempDir final Path dir) throws Exception
    {
        try (Pool pool = Pool.create(2))
        {
            final AsyncResult<Integer> doomed = pool.applyAsync(PoolTest::announceAndBlock, dir.toString());
            final long victim = Await.value("task started", () -> startedPid(dir));
            final AsyncResult<List<Integer>> others = pool.mapAsync(PoolTest::square, List.of(1, 2, 3, 4, 5), 1);
            ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);

            final ExecutionException ex = assertThrows(ExecutionException.class, () -> doomed.get(Duration.ofSeconds(60)));
            final WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, ex.getCause());
            assertEquals(victim, died.workerPid());
            assertEquals(-9, died.exitCode());
            assertTrue(died.getMessage().contains("pid " + victim) && died.getMessage().contains("-9"), died.getMessage());

            assertEquals(List.of(1, 4, 9, 16, 25), others.get(Duration.ofSeconds(60)));
            Await.until("replacement ready", () -> pool.workerPids().size() == 2 && !pool.workerPids().contains(victim));
            assertEquals(List.of(36), pool.map(PoolTest::square, List.of(6)));
        }
    }

    private static Long startedPid(final Path dir)
    {
        try (var files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("started-"))
                .map(n -> Long.parseLong(n.substring("started-".length()))).findFirst().orElse(null);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    @Test
    void aWorkerThatCallsSystemExitFailsItsTaskWithTheExitCode() throws Exception
    {
        try (Pool pool = Pool.create(1))
        {
            final WorkerDiedException died = diedOf(() -> pool.applyAsync(PoolTest::exitWith, 7).get(Duration.ofSeconds(120)));
            assertEquals(7, died.exitCode());
            assertEquals(List.of(4), pool.map(PoolTest::square, List.of(2)));
        }
    }

    /** The worker death a bounded wait reports: a task retried on worker after worker would time out instead of hanging. */
    private static WorkerDiedException diedOf(final org.junit.jupiter.api.function.Executable boundedGet)
    {
        final java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class, boundedGet);
        return assertInstanceOf(WorkerDiedException.class, failed.getCause());
    }

    @Test
    void aWorkerOutOfMemoryIsReplaced() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-Xmx48m"));
             Pool pool = Pool.builder().processes(1).context(ctx).build())
        {
            final WorkerDiedException died = diedOf(() -> pool.applyAsync(PoolTest::eatMemory, 0).get(Duration.ofSeconds(120)));
            assertTrue(died.getMessage().contains("out of memory"), died.getMessage());
            assertEquals(List.of(9), pool.map(PoolTest::square, List.of(3)));
        }
    }

    @Test
    void aJvmWideSerialFilterStillAppliesInWorkers()
    {
        // the pool's own filter sets limits only; the workers' JVM-wide filter rejects Instant
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-Djdk.serialFilter=!java.time.Instant"));
             Pool pool = Pool.builder().processes(1).context(ctx).build())
        {
            final RuntimeException refused = assertThrows(RuntimeException.class,
                () -> pool.apply(PoolTest::describe, (Object)java.time.Instant.ofEpochSecond(42)));
            final StringBuilder causes = new StringBuilder();
            for (Throwable cause = refused; cause != null; cause = cause.getCause())
            {
                causes.append(cause).append('\n');
            }
            assertTrue(causes.toString().contains("class java.time.Instant refused by the JVM-wide filter (jdk.serialFilter)"),
                causes.toString());
            assertEquals("7", pool.apply(PoolTest::describe, (Object)7));
        }
    }

    static String describe(final Object value)
    {
        return String.valueOf(value);
    }

    @Test
    void retryOnWorkerDeathRunsTheTaskOnceMore(@TempDir final Path dir)
    {
        try (Pool pool = Pool.builder().processes(1).retryOnWorkerDeath(true).build())
        {
            assertEquals(42, pool.apply(PoolTest::exitOnFirstAttempt, dir.toString()));
        }
    }

    @Test
    void terminateWithTasksInFlightFailsThemAndLeavesNoWorker(@TempDir final Path dir) throws Exception
    {
        final Pool pool = Pool.create(2);
        try
        {
            final AsyncResult<Integer> a = pool.applyAsync(PoolTest::announceAndBlock, dir.toString());
            final AsyncResult<Integer> b = pool.applyAsync(PoolTest::announceAndBlock, dir.toString());
            final AsyncResult<Integer> queued = pool.applyAsync(PoolTest::square, 3);
            Await.until("a task started", () -> startedPid(dir) != null);
            pool.terminate();
            pool.join();
            for (final AsyncResult<Integer> r : List.of(a, b))
            {
                assertThrows(CancellationException.class, r::get);
            }
            assertTrue(queued.ready());
            assertTrue(pool.isTerminated());
            assertThrows(IllegalStateException.class, () -> pool.apply(PoolTest::square, 1));
        }
        finally
        {
            pool.close();
        }
    }

    @Test
    void shutdownLetsQueuedTasksFinishThenJoinWaitsForWorkers() throws Exception
    {
        final Pool pool = Pool.create(2);
        try
        {
            assertThrows(IllegalStateException.class, pool::join);
            final AsyncResult<List<Integer>> r = pool.mapAsync(PoolTest::slowSquare, List.of(0, 1, 2, 3, 4, 5), 1);
            pool.shutdown();
            assertThrows(IllegalStateException.class, () -> pool.apply(PoolTest::square, 1));
            pool.join();
            assertEquals(List.of(0, 1, 4, 9, 16, 25), r.get());
            assertTrue(pool.isTerminated());
        }
        finally
        {
            pool.close();
        }
    }

    @Test
    void closeInTryWithResourcesTerminates(@TempDir final Path dir) throws Exception
    {
        final AsyncResult<Integer> r;
        final Set<Long> pids;
        try (Pool pool = Pool.create(1))
        {
            r = pool.applyAsync(PoolTest::announceAndBlock, dir.toString());
            Await.until("task started", () -> startedPid(dir) != null);
            pids = pool.workerPids();
        }
        assertThrows(CancellationException.class, r::get);
        for (final long pid : pids)
        {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }
    @Test
    void aSpareContextsPoolTakesItsWorkersFromTheReadySpares() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPARE, List.of()))
        {
            final int workers = Math.min(2, ctx.spareCount());
            assertTrue(ctx.awaitSpare(60, TimeUnit.SECONDS));
            // the spare JVMs waiting now: children of this JVM started with ChildMain's --spare argument
            final Set<Long> spares = ProcessHandle.current().children()
                .filter(h -> commandLine(h.pid()).contains("--spare"))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
            assertTrue(spares.size() >= workers, "spares: " + spares);
            try (Pool pool = Pool.builder().processes(workers).context(ctx).build())
            {
                assertEquals(List.of(0, 1, 4, 9), pool.map(PoolTest::square, List.of(0, 1, 2, 3)));
                Await.until("all workers ready", () -> pool.workerPids().size() == workers);
                assertTrue(spares.containsAll(pool.workerPids()), "workers " + pool.workerPids() + ", spares " + spares);
            }
            // the context starts new spares in the background
            assertTrue(ctx.awaitSpare(60, TimeUnit.SECONDS));
        }
    }
}

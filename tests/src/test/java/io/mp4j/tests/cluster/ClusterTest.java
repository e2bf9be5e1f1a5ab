package io.mp4j.tests.cluster;

import io.mp4j.Backend;
import io.mp4j.Context;
import io.mp4j.Pool;
import io.mp4j.RemoteTaskException;
import io.mp4j.ProcessPoolExecutor;
import io.mp4j.SerializableCallable;
import io.mp4j.cluster.ClusterBackend;
import io.mp4j.queue.EmptyException;
import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.MessageDecodingException;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Await;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster backend on a real cluster: three member JVMs on 127.0.0.1 (started once for the class, every
 * one ended by pid at the end, pass or fail), this JVM joined as a client. The behavioural tests at the end
 * run the same code on the memory-mapped backend and on the cluster one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest
{
    /**
     * Increments per worker in the seed's counter: 10,000 in the seed, fewer here because every locked
     * increment is four round trips (several milliseconds on a loaded 2-core machine); exactness is what is
     * tested. {@code -Dmp4j.test.cluster.increments=10000} runs the seed's numbers.
     */
    static final int INCREMENTS = Integer.getInteger("mp4j.test.cluster.increments", 100);
    static final int MEMBERS = 3;

    static LocalCluster cluster;
    static ClusterBackend backend;
    static Context mapped;

    @BeforeAll
    static void start() throws Exception
    {
        cluster = LocalCluster.start(MEMBERS);
        backend = cluster.client;
        mapped = Context.create();
    }

    @AfterAll
    static void stop() throws Exception
    {
        try
        {
            if (mapped != null)
            {
                mapped.close();
            }
        }
        finally
        {
            if (cluster != null)
            {
                cluster.close();
            }
        }
    }

    // ---- addresses and phoning home

    @Test
    @Order(1)
    void membersBindOnlyToLoopbackAndConnectNowhereElse() throws IOException
    {
        assertEquals(MEMBERS, backend.ignite().cluster().forServers().nodes().size());
        final List<String[]> sockets = readTcpTable(Paths.get("/proc/net/tcp"));
        sockets.addAll(readTcpTable(Paths.get("/proc/net/tcp6")));
        for (final Process member : cluster.members)
        {
            final Set<String> inodes = socketInodes(member.pid());
            final List<String[]> mine = sockets.stream().filter(s -> inodes.contains(s[2])).collect(Collectors.toList());
            assertFalse(mine.isEmpty(), "member pid " + member.pid() + " has no TCP sockets");
            for (final String[] socket : mine)
            {
                assertTrue(loopbackOrAny(socket[0], false), "member " + member.pid() + " bound " + socket[0]);
                assertTrue(loopbackOrAny(socket[1], true), "member " + member.pid() + " connected to " + socket[1]);
            }
        }
        // no update check: the notifier is off, and no thread of Ignite's notifier exists in this JVM
        assertEquals("false", System.getProperty("IGNITE_UPDATE_NOTIFIER"));
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().toLowerCase().contains("update-notifier")));
    }

    /** local address (hex ip:port), remote address, inode; for IPv4 and IPv6 tables. */
    private static List<String[]> readTcpTable(final Path table) throws IOException
    {
        final List<String[]> rows = new ArrayList<>();
        if (!Files.exists(table))
        {
            return rows;
        }
        final List<String> lines = Files.readAllLines(table);
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] f = line.trim().split("\\s+");
            rows.add(new String[]{ f[1], f[2], f[9] });
        }
        return rows;
    }

    private static Set<String> socketInodes(final long pid) throws IOException
    {
        final Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Paths.get("/proc", Long.toString(pid), "fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:["))
                    {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                }
                catch (final IOException ignored)
                {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    private static boolean loopbackOrAny(final String hexAddressAndPort, final boolean allowAny)
    {
        final String ip = hexAddressAndPort.substring(0, hexAddressAndPort.indexOf(':'));
        if (ip.length() == 8)
        {
            // little-endian IPv4: 127.x.x.x ends in 7F
            return ip.endsWith("7F") || allowAny && ip.equals("00000000");
        }
        // IPv6: ::1, ::ffff:127.x.x.x, or :: (any) for an unconnected remote
        return ip.equals("00000000000000000000000001000000") || ip.startsWith("0000000000000000FFFF0000") && ip.endsWith("7F") ||
            allowAny && ip.equals("00000000000000000000000000000000");
    }

    // ---- the seed's scenarios across members

    static long incrementUnderLock(final Value counter, final Lock lock, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            try (SharedLock.Held held = lock.locked())
            {
                counter.set(counter.get() + 1);
            }
        }
        return ProcessHandle.current().pid();
    }

    @Test
    @Order(2)
    void seedCounterUnderAClusterLockLosesNoUpdate()
    {
        final Value counter = backend.value("counter", ElementType.LONG, 0L);
        final Lock lock = backend.lock("counter-lock");
        final int times = INCREMENTS;
        try (Pool pool = backend.pool(4))
        {
            final List<Long> pids = pool.map(w -> incrementUnderLock(counter, lock, times), List.of(0, 1, 2, 3), 1);
            assertEquals(4L * times, counter.get());
            assertTrue(new HashSet<>(pids).size() >= 2, "the workers ran on one member only: " + pids);
        }
    }

    static int square(final int x)
    {
        return x * x;
    }

    @Test
    @Order(3)
    void poolMapAcrossMembersEqualsSequentialMap() throws Exception
    {
        final List<Integer> input = IntStream.range(0, 50).boxed().collect(Collectors.toList());
        try (Pool pool = backend.pool(3))
        {
            final List<Integer> expected = input.stream().map(ClusterTest::square).collect(Collectors.toList());
            assertEquals(expected, pool.map(ClusterTest::square, input));
            assertEquals(expected, pool.mapAsync(ClusterTest::square, input).get(Duration.ofSeconds(120)));
            assertEquals(expected, pool.imap(ClusterTest::square, input, 7).stream().collect(Collectors.toList()));
            assertEquals(new HashSet<>(expected), pool.imapUnordered(ClusterTest::square, input).stream().collect(Collectors.toSet()));
            assertEquals(49, pool.applyAsync(ClusterTest::square, 7).get(Duration.ofSeconds(120)));
            assertEquals(List.of(9, 16), pool.starmap((a, b) -> a * b, List.of(Map.entry(3, 3), Map.entry(4, 4)), 1));
            assertThrows(IllegalArgumentException.class, () -> pool.map(ClusterTest::square, input, 0));
            assertThrows(IllegalArgumentException.class, () -> pool.starmapAsync((Integer a, Integer b) -> a + b, List.of(Map.entry(1, 2)), 0));
            assertEquals(MEMBERS, pool.workerPids().size());
        }
        // results of every kind the outcome's compact form knows, and one it does not
        try (ProcessPoolExecutor executor = backend.executor(1))
        {
            assertEquals(null, executor.submit((SerializableCallable<Object>)() -> null).get(120, TimeUnit.SECONDS));
            assertEquals(true, executor.submit((SerializableCallable<Boolean>)() -> true).get(120, TimeUnit.SECONDS));
            assertEquals(false, executor.submit((SerializableCallable<Boolean>)() -> false).get(120, TimeUnit.SECONDS));
            assertEquals(-7, executor.submit((SerializableCallable<Integer>)() -> -7).get(120, TimeUnit.SECONDS));
            assertEquals(Long.MIN_VALUE, executor.submit((SerializableCallable<Long>)() -> Long.MIN_VALUE).get(120, TimeUnit.SECONDS));
            assertEquals(-0.5, executor.submit((SerializableCallable<Double>)() -> -0.5).get(120, TimeUnit.SECONDS));
            assertEquals("été", executor.submit((SerializableCallable<String>)() -> "été").get(120, TimeUnit.SECONDS));
            assertEquals(List.of(1, 2), executor.submit((SerializableCallable<List<Integer>>)() -> List.of(1, 2)).get(120, TimeUnit.SECONDS));
        }
    }

    @Test
    @Order(3)
    void aTaskExceptionComesBackWithTheMembersStackAndPid() throws Exception
    {
        final Set<Long> memberPids = cluster.members.stream().map(Process::pid).collect(Collectors.toSet());
        try (ProcessPoolExecutor executor = backend.executor(1))
        {
            // java.io and java.util.concurrent exceptions are allowed back by default
            final ExecutionException io = assertThrows(ExecutionException.class, () -> executor.submit(
                (SerializableCallable<Object>)() -> { throw new UncheckedIOException(new IOException("disk full")); }).get(120, TimeUnit.SECONDS));
            final RemoteTaskException remoteIo = assertInstanceOf(RemoteTaskException.class, io.getCause());
            assertTrue(memberPids.contains(remoteIo.workerPid()), remoteIo.workerPid() + " is not a member's pid " + memberPids);
            assertInstanceOf(UncheckedIOException.class, remoteIo.getCause());
            assertEquals("disk full", remoteIo.getCause().getCause().getMessage());
            assertTrue(remoteIo.getCause().getStackTrace().length > 0, "the member's stack trace came back");

            final ExecutionException timeout = assertThrows(ExecutionException.class, () -> executor.submit(
                (SerializableCallable<Object>)() -> { throw new TimeoutException("slow"); }).get(120, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, assertInstanceOf(RemoteTaskException.class, timeout.getCause()).getCause());

            // an exception of a class the filter refuses: a clear error naming it, the member and the remedy
            final ExecutionException refused = assertThrows(ExecutionException.class, () -> executor.submit(
                (SerializableCallable<Object>)() -> { throw new java.sql.SQLException("no table"); }).get(120, TimeUnit.SECONDS));
            final MessageDecodingException decoding = assertInstanceOf(MessageDecodingException.class, refused.getCause());
            assertTrue(decoding.getMessage().contains("java.sql.SQLException") && decoding.getMessage().contains("mp4j.serial.allow") &&
                decoding.getMessage().contains("cluster member pid"), decoding.getMessage());

            // the executor is still usable
            assertEquals(4, executor.submit((SerializableCallable<Integer>)() -> 4).get(120, TimeUnit.SECONDS));
        }
    }

    @Test
    @Order(3)
    void byDefaultATaskIsReadByIgnitesDenyListOnly() throws Exception
    {
        // java.text is outside mp4j's allow-list; without --allow-list Ignite refuses only its deny-list
        // (ClusterAllowListTest has the other case)
        final java.text.DecimalFormat format = new java.text.DecimalFormat("0.00");
        try (ProcessPoolExecutor executor = backend.executor(1))
        {
            assertEquals("1.50", executor.submit((SerializableCallable<String>)() -> format.format(1.5)).get(120, TimeUnit.SECONDS));
        }
    }

    static List<Integer> consume(final Queue<Integer> queue) throws InterruptedException
    {
        final List<Integer> got = new ArrayList<>();
        while (true)
        {
            final Integer item = queue.get(Duration.ofSeconds(120));
            if (item < 0)
            {
                return got;
            }
            got.add(item);
        }
    }

    static int produce(final Queue<Integer> queue, final int producer, final int count) throws InterruptedException
    {
        for (int i = 0; i < count; i++)
        {
            queue.put(producer * 1000 + i);
        }
        return count;
    }

    @Test
    @Order(4)
    void queueProducersAndConsumersOnMembersLoseAndDuplicateNothing() throws Exception
    {
        final Queue<Integer> queue = backend.queue("work");
        final int perProducer = 50;
        try (ProcessPoolExecutor executor = backend.executor(4))
        {
            final List<CompletableFuture<List<Integer>>> consumers = new ArrayList<>();
            for (int c = 0; c < 2; c++)
            {
                consumers.add(executor.submit((SerializableCallable<List<Integer>>)() -> consume(queue)));
            }
            final List<CompletableFuture<Integer>> producers = new ArrayList<>();
            for (int p = 0; p < 2; p++)
            {
                final int producer = p;
                producers.add(executor.submit((SerializableCallable<Integer>)() -> produce(queue, producer, perProducer)));
            }
            for (final CompletableFuture<Integer> p : producers)
            {
                assertEquals(perProducer, p.get(180, TimeUnit.SECONDS));
            }
            queue.put(-1);
            queue.put(-1);
            final List<Integer> received = new ArrayList<>();
            for (final CompletableFuture<List<Integer>> c : consumers)
            {
                received.addAll(c.get(180, TimeUnit.SECONDS));
            }
            final List<Integer> expected = new ArrayList<>();
            for (int p = 0; p < 2; p++)
            {
                for (int i = 0; i < perProducer; i++)
                {
                    expected.add(p * 1000 + i);
                }
            }
            received.sort(null);
            assertEquals(expected, received);
        }
    }

    static long fill(final Map<String, Long> dict, final int task)
    {
        for (int i = 0; i < 10; i++)
        {
            dict.put("task" + task + "-" + i, ProcessHandle.current().pid());
        }
        return ProcessHandle.current().pid();
    }

    @Test
    @Order(5)
    void dictFilledFromSeveralMembers()
    {
        final Map<String, Long> dict = backend.dict("filled");
        try (Pool pool = backend.pool(3))
        {
            final List<Long> pids = pool.map(t -> fill(dict, t), List.of(0, 1, 2), 1);
            assertEquals(30, dict.size());
            assertEquals(new HashSet<>(pids), new HashSet<>(dict.values()));
            assertTrue(new HashSet<>(pids).size() >= 2, "filled from one member only: " + pids);
        }
    }

    @Test
    @Order(6)
    void aLockWhoseHolderJvmIsKilledIsRecoveredAndTheNextHolderIsTold() throws Exception
    {
        final CountDownLatch holding = new CountDownLatch(1);
        final Process holder = cluster.launch("holder", LockHolderMain.class.getName(), List.of(
            cluster.seeds(MEMBERS), Integer.toString(cluster.discoveryPort + 7), Integer.toString(cluster.communicationPort), "victim"), holding);
        cluster.extras.add(holder);
        assertTrue(holding.await(LocalCluster.START_BOUND.toSeconds(), TimeUnit.SECONDS), "the holder JVM did not take the lock: " +
            String.join("\n", cluster.output));
        final Lock lock = backend.lock("victim");
        assertFalse(lock.tryLock());
        assertEquals(holder.pid(), lock.ownerPid());
        LocalCluster.kill(holder);
        assertTrue(lock.acquire(Duration.ofSeconds(120)), "the dead holder's lock was not recovered");
        try
        {
            assertTrue(lock.previousOwnerDied());
            assertTrue(lock.recoveries() >= 1);
        }
        finally
        {
            lock.release();
        }
        assertTrue(lock.acquire(Duration.ofSeconds(10)));
        assertFalse(lock.previousOwnerDied(), "a normal hand-over must not report a dead owner");
        lock.release();
    }

    // ---- the same behaviour on both backends

    static Stream<Backend> backends()
    {
        return Stream.of(mapped.backend(), backend);
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("backends")
    @Order(10)
    void locksBehaveAlike(final Backend b) throws Exception
    {
        final Lock lock = b.lock("alike-lock");
        assertTrue(lock.acquire(false));
        assertTrue(lock.isLocked());
        assertTrue(lock.isHeldByCurrentThread());
        assertFalse(lock.acquire(Duration.ofMillis(10)), "a Lock is not reentrant");
        lock.release();
        assertThrows(IllegalStateException.class, lock::release);
        assertThrows(IllegalMonitorStateException.class, lock::unlock);
        assertThrows(UnsupportedOperationException.class, lock::newCondition);

        final RLock rlock = b.rlock("alike-rlock");
        rlock.lock();
        rlock.lock();
        assertEquals(2, rlock.getHoldCount());
        rlock.unlock();
        assertTrue(rlock.isLocked());
        rlock.unlock();
        assertFalse(rlock.isLocked());
        assertFalse(CompletableFuture.supplyAsync(() -> rlock.isHeldByCurrentThread()).get());
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("backends")
    @Order(11)
    void valuesBehaveAlike(final Backend b)
    {
        final Value l = b.value("alike-long", ElementType.LONG, 5L);
        assertEquals(6, l.incrementAndGet());
        assertTrue(l.compareAndSet(6, 10));
        assertFalse(l.compareAndSet(6, 11));
        assertEquals(10, l.getAndSet(1));
        assertEquals(1L, l.value());
        assertThrows(IllegalStateException.class, l::getBoolean);

        final Value d = b.value("alike-double", ElementType.DOUBLE, 1.5);
        assertEquals(4.0, d.addAndGet(2.5));
        d.setDouble(0.25);
        assertEquals(0.25, d.getDouble());
        assertThrows(IllegalArgumentException.class, () -> d.value("x"));
        assertTrue(d.getLock() instanceof SharedLock);
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("backends")
    @Order(12)
    void queuesBehaveAlike(final Backend b) throws Exception
    {
        final Queue<String> q = b.queue("alike-queue");
        q.put("a");
        q.put("b");
        assertTrue(q.offer("c"));
        assertEquals(3, q.qsize());
        assertEquals("a", q.get());
        assertEquals("b", q.get(Duration.ofSeconds(5)));
        assertEquals("c", q.poll());
        assertTrue(q.empty());
        assertThrows(EmptyException.class, q::getNowait);
        assertThrows(EmptyException.class, () -> q.get(Duration.ofMillis(20)));

        final JoinableQueue<Integer> jq = b.joinableQueue("alike-jqueue");
        jq.put(1);
        jq.put(2);
        assertEquals(2, jq.unfinishedTasks());
        jq.get();
        jq.taskDone();
        assertFalse(jq.join(Duration.ofMillis(20)));
        jq.get();
        jq.taskDone();
        assertTrue(jq.join(Duration.ofSeconds(5)));
        assertThrows(IllegalStateException.class, jq::taskDone);
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("backends")
    @Order(13)
    void eventsAndSemaphoresBehaveAlike(final Backend b) throws Exception
    {
        final Event e = b.event("alike-event");
        assertFalse(e.isSet());
        assertFalse(e.await(Duration.ofMillis(20)));
        e.set();
        assertTrue(e.await(Duration.ofSeconds(5)));
        e.clear();
        assertFalse(e.isSet());

        final Semaphore s = b.semaphore("alike-semaphore", 2);
        assertTrue(s.tryAcquire());
        assertTrue(s.acquire(Duration.ofSeconds(5)));
        assertFalse(s.tryAcquire());
        assertEquals(0, s.getValue());
        s.release(2);
        assertEquals(2, s.getValue());

        final BoundedSemaphore bs = b.boundedSemaphore("alike-bounded", 1);
        assertTrue(bs.tryAcquire());
        bs.release();
        assertThrows(IllegalStateException.class, bs::release);
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("backends")
    @Order(14)
    void dictsAndListsBehaveAlike(final Backend b)
    {
        final Map<String, Integer> d = b.dict("alike-dict");
        d.put("one", 1);
        d.put("two", 2);
        assertEquals(1, d.get("one"));
        assertEquals(2, d.size());
        assertEquals(2, d.remove("two"));
        assertFalse(d.containsKey("two"));
        assertEquals(Map.of("one", 1), Map.copyOf(d));

        final List<String> l = b.list("alike-list");
        l.add("a");
        l.add("c");
        l.add(1, "b");
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(l));
        assertEquals("b", l.remove(1));
        l.set(0, "z");
        assertEquals(List.of("z", "c"), new ArrayList<>(l));
        assertThrows(IndexOutOfBoundsException.class, () -> l.get(5));
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("backends")
    @Order(15)
    void barriersBehaveAlike(final Backend b) throws Exception
    {
        final Barrier barrier = b.barrier("alike-barrier", 2);
        assertEquals(2, barrier.parties());
        final CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return barrier.await(Duration.ofSeconds(60));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        final int mine = barrier.await(Duration.ofSeconds(60));
        assertEquals(Set.of(0, 1), Set.of(mine, other.get(60, TimeUnit.SECONDS)));
        assertThrows(TimeoutException.class, () -> barrier.await(Duration.ofMillis(50)));
        assertTrue(barrier.isBroken());
        assertThrows(BrokenBarrierException.class, () -> barrier.await(Duration.ofSeconds(5)));
        barrier.reset();
        assertFalse(barrier.isBroken());
        barrier.abort();
        assertTrue(barrier.isBroken());
        barrier.reset();
        assertFalse(barrier.isBroken());
    }

    static int meet(final Barrier barrier) throws Exception
    {
        return barrier.await(Duration.ofSeconds(120));
    }

    @Test
    @Order(7)
    void aBarrierReleasesPartiesOnThreeMembersTogether()
    {
        final Barrier barrier = backend.barrier("members", MEMBERS);
        try (Pool pool = backend.pool(MEMBERS))
        {
            final List<Integer> indexes = pool.map(i -> meet(barrier), List.of(0, 1, 2), 1);
            assertEquals(Set.of(0, 1, 2), new HashSet<>(indexes));
        }
    }

    static long runUntilGo(final Map<String, Long> running, final Event go) throws Exception
    {
        running.put("task", ProcessHandle.current().pid());
        if (!go.await(Duration.ofSeconds(120)))
        {
            throw new IllegalStateException("never told to go");
        }
        return ProcessHandle.current().pid();
    }

    /** Last: it leaves the cluster one member short. */
    @Test
    @Order(30)
    void aTaskWhoseMemberIsKilledRunsAgainOnAnotherMember() throws Exception
    {
        final Map<String, Long> running = backend.dict("running");
        final Event go = backend.event("go");
        try (ProcessPoolExecutor executor = backend.executor(1))
        {
            final CompletableFuture<Long> result = executor.submit((SerializableCallable<Long>)() -> runUntilGo(running, go));
            final long first = Await.value("the task to start on a member", () -> running.get("task"));
            final Process member = cluster.members.stream().filter(p -> p.pid() == first).findFirst().orElseThrow();
            LocalCluster.kill(member);
            go.set();
            final long second = result.get(180, TimeUnit.SECONDS);
            assertTrue(second != first, "the task did not move off the killed member " + first);
            assertTrue(cluster.members.stream().anyMatch(p -> p.pid() == second && p.isAlive()));
        }
    }

    @Test
    @Order(20)
    void whatCannotKeepItsGuaranteeSaysSo()
    {
        final UnsupportedOperationException ex = assertThrows(UnsupportedOperationException.class, () -> backend.condition("c"));
        assertTrue(ex.getMessage().contains("Condition"));
    }
}

package io.mp4j.tests.manager;

import io.mp4j.Context;
import io.mp4j.Manager;
import io.mp4j.Process;
import io.mp4j.StartMethod;
import io.mp4j.manager.AuthenticationException;
import io.mp4j.manager.ManagerDiedException;
import io.mp4j.manager.Namespace;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Array;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;
import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class ManagerTest
{
    /** A user type's interface. */
    public interface CounterApi
    {
        int increment();

        int value();

        void fail(String why);
    }

    /** A user type: its methods run in the server, each one atomically. */
    public static final class Counter implements CounterApi
    {
        private int count;

        @Override
        public int increment()
        {
            final int before = count;
            Thread.yield(); // widen the window a non-atomic read-modify-write would lose an update in
            count = before + 1;
            return count;
        }

        @Override
        public int value()
        {
            return count;
        }

        @Override
        public void fail(final String why)
        {
            throw new IllegalStateException("counter refuses: " + why);
        }
    }

    static void seedWorker(final Map<Integer, Integer> dict, final List<Integer> list, final int id)
    {
        dict.put(id, id * 10);
        list.add(id);
    }

    static void incrementCounter(final CounterApi counter, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            counter.increment();
        }
    }

    static void guardedIncrement(final Lock lock, final Value value, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            lock.lock();
            try
            {
                value.setInt(value.getInt() + 1);
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    static void lockAndDie(final Lock lock)
    {
        lock.lock();
        System.out.println("locked");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static void standaloneServer(final String socket, final byte[] key) throws Exception
    {
        Manager.serveForever(java.net.UnixDomainSocketAddress.of(socket), key);
    }

    static void remoteClient(final String host, final int port, final byte[] key)
    {
        final Manager remote = Manager.connect(new InetSocketAddress(host, port), key);
        final Map<String, Long> results = remote.lookup("results");
        results.put("child", Process.currentProcess().pid());
        remote.close();
    }

    static void wrongKeyClient(final String host, final int port, final byte[] key)
    {
        try
        {
            Manager.connect(new InetSocketAddress(host, port), key);
        }
        catch (final AuthenticationException expected)
        {
            System.out.println("refused as expected: " + expected.getMessage());
            return;
        }
        throw new AssertionError("a wrong key was accepted");
    }

    static void producer(final Queue<String> queue, final Event go, final Namespace ns) throws InterruptedException
    {
        if (!go.await(60, TimeUnit.SECONDS))
        {
            throw new AssertionError("event never set");
        }
        ns.set("producer", Process.currentProcess().pid());
        for (int i = 0; i < 100; i++)
        {
            queue.put("item-" + i);
        }
    }

    /** Values far longer than a connection's shared-memory lane (32 KiB): they cross in chunks. */
    static byte[] bigBytes()
    {
        final byte[] b = new byte[300_001];
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (byte)(i * 31 + 7);
        }
        return b;
    }

    static String bigString()
    {
        return "é€x".repeat(40_000);
    }

    static List<Integer> bigList()
    {
        final List<Integer> l = new ArrayList<>();
        for (int i = 0; i < 20_000; i++)
        {
            l.add(i * 3);
        }
        return l;
    }

    static void bigValues(final Map<String, Object> dict)
    {
        if (!java.util.Arrays.equals(bigBytes(), (byte[])dict.get("parent-bytes")) || !bigString().equals(dict.get("parent-string")) ||
            !bigList().equals(dict.get("parent-list")))
        {
            throw new IllegalStateException("the parent's long values arrived changed");
        }
        dict.put("child-bytes", bigBytes());
        dict.put("child-string", bigString());
        dict.put("child-list", new ArrayList<>(bigList()));
    }

    private static void startAll(final List<Process> processes)
    {
        processes.forEach(Process::start);
    }

    private static void joinAll(final List<Process> processes) throws InterruptedException
    {
        for (final Process p : processes)
        {
            p.join();
            assertEquals(0, p.exitCode().getAsInt(), p + " failed: " + p.stderrTail());
        }
    }

    @Test
    void aJvmWideSerialFilterStillAppliesInTheManagerServer() throws Exception
    {
        // the manager's own filter sets limits only; its server JVM's JVM-wide filter rejects Instant
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-Djdk.serialFilter=!java.time.Instant"));
             Manager manager = Manager.builder().context(ctx).start())
        {
            final Map<String, Object> dict = manager.dict();
            final RuntimeException refused = assertThrows(RuntimeException.class, () -> dict.put("t", java.time.Instant.ofEpochSecond(42)));
            final StringBuilder causes = new StringBuilder();
            for (Throwable cause = refused; cause != null; cause = cause.getCause())
            {
                causes.append(cause).append('\n');
            }
            assertTrue(causes.toString().contains("class java.time.Instant refused by the JVM-wide filter (jdk.serialFilter)"),
                causes.toString());
            dict.put("n", 7);
            assertEquals(7, dict.get("n"));
        }
    }

    @Test
    void seedWorkersFillSharedDictAndList() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Map<Integer, Integer> dict = manager.dict();
            final List<Integer> list = manager.list();
            final List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                processes.add(Process.of(ManagerTest::seedWorker, dict, list, i));
            }
            startAll(processes);
            joinAll(processes);
            assertEquals(Map.of(0, 0, 1, 10, 2, 20, 3, 30), Map.copyOf(dict));
            assertEquals(List.of(0, 1, 2, 3), new ArrayList<>(new TreeSet<>(list)));
            assertEquals(4, list.size());
            assertEquals(4, dict.size());
            assertEquals(new TreeSet<>(List.of(0, 1, 2, 3)), new TreeSet<>(dict.keySet()));
            int sum = 0;
            for (final int v : dict.values())
            {
                sum += v;
            }
            assertEquals(60, sum);
            assertTrue(dict.toString().contains("3=30"), dict.toString());
            assertEquals(dict, dict);
            assertFalse(dict.equals(list));
        }
    }

    @Test
    void userRegisteredTypeRunsAtomicallyAndReportsRemoteExceptions() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            manager.register("Counter", Counter::new, CounterApi.class);
            final CounterApi counter = manager.create("Counter", CounterApi.class);
            final List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                processes.add(Process.of(ManagerTest::incrementCounter, counter, 250));
            }
            startAll(processes);
            joinAll(processes);
            assertEquals(1000, counter.value());

            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> counter.fail("on purpose"));
            assertEquals("counter refuses: on purpose", ex.getMessage());
            final StackTraceElement[] trace = ex.getStackTrace();
            assertEquals(Counter.class.getName(), trace[0].getClassName(), "the remote frames come first");
            boolean marker = false;
            boolean local = false;
            for (final StackTraceElement e : trace)
            {
                marker |= e.getClassName().contains("mp4j manager pid " + manager.pid());
                local |= e.getMethodName().startsWith("lambda$userRegisteredType");
            }
            assertTrue(marker, "a frame marks the process boundary");
            assertTrue(local, "the caller's frames follow");

            assertThrows(IllegalArgumentException.class, () -> manager.create("NoSuchType", CounterApi.class));
        }
    }

    @Test
    void managerLockGuardsACompoundUpdateFromFourJvms() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Lock lock = manager.lock();
            final Value value = manager.value("i", 0);
            final List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                processes.add(Process.of(ManagerTest::guardedIncrement, lock, value, 500));
            }
            startAll(processes);
            joinAll(processes);
            assertEquals(2000, value.getInt());
            assertTrue(lock.tryLock());
            assertFalse(lock.tryLock(), "a manager Lock is not reentrant");
            lock.unlock();
            assertThrows(IllegalMonitorStateException.class, lock::unlock);
        }
    }

    @Test
    void aStandaloneServerIsReachedByPathFromAnotherJvm(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir) throws Exception
    {
        final java.nio.file.Path socket = dir.resolve("m.sock");
        final byte[] key = "standalone".getBytes(StandardCharsets.UTF_8);
        final Process server = Process.of(ManagerTest::standaloneServer, socket.toString(), key).daemon(true);
        server.start();
        try
        {
            // the socket file appears at bind(), a moment before the server listens: probe with a connection
            final Manager client = Await.value("the server to accept a connection", () ->
            {
                try
                {
                    return java.nio.file.Files.exists(socket) ? Manager.connect(java.net.UnixDomainSocketAddress.of(socket), key) : null;
                }
                catch (final io.mp4j.manager.ManagerDiedException notYet)
                {
                    return null;
                }
            });
            assertEquals(server.pid(), client.pid());
            final Map<String, Integer> d = client.dict();
            client.bind("d", d);
            d.put("x", 1);
            final Map<String, Integer> again = client.lookup("d");
            assertEquals(1, again.get("x"));
            client.close();
        }
        finally
        {
            server.kill();
            server.join();
        }
    }

    @Test
    void aLockHeldByAProcessThatDiedIsReleased() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Lock lock = manager.lock();
            final Process p = Process.of(ManagerTest::lockAndDie, lock);
            p.start();
            p.join();
            assertTrue(lock.tryLock(60, TimeUnit.SECONDS), "the dead holder's lock was released by the server");
            assertTrue(lock.previousOwnerDied(), "the server says the holder's connection ended while it held the lock");
            assertEquals(1, lock.recoveries());
            lock.unlock();
            lock.lock();
            assertFalse(lock.previousOwnerDied(), "only the holding right after the recovery is told");
            lock.unlock();
        }
    }

    @Test
    void remoteManagerOverLoopbackTcpWithRightAndWrongKey() throws Exception
    {
        final byte[] key = "a shared secret".getBytes(StandardCharsets.UTF_8);
        final PrintStream originalErr = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Manager manager = Manager.builder().address(new InetSocketAddress("127.0.0.1", 0)).authKey(key).start())
        {
            final InetSocketAddress address = (InetSocketAddress)manager.address();
            assertEquals("127.0.0.1", address.getHostString());
            assertTrue(address.getPort() > 0);
            final Map<String, Long> results = manager.dict();
            manager.bind("results", results);

            final Process right = Process.of(ManagerTest::remoteClient, "127.0.0.1", address.getPort(), key);
            right.start();
            right.join();
            assertEquals(0, right.exitCode().getAsInt(), String.join("\n", right.stderrTail()));
            assertEquals(right.pid(), results.get("child"));

            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            final Process wrong = Process.of(ManagerTest::wrongKeyClient, "127.0.0.1", address.getPort(),
                "not the secret".getBytes(StandardCharsets.UTF_8));
            wrong.start();
            wrong.join();
            assertEquals(0, wrong.exitCode().getAsInt(), String.join("\n", wrong.stderrTail()));

            final AuthenticationException here = assertThrows(AuthenticationException.class,
                () -> Manager.connect(address, "guess".getBytes(StandardCharsets.UTF_8)));
            assertTrue(here.getMessage().contains("refused our authentication key"), here.getMessage());
            Await.until("the server to log the refusals", () -> err.toString(StandardCharsets.UTF_8).split("wrong authentication key", -1).length >= 3);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("refused a connection from /127.0.0.1"), err.toString(StandardCharsets.UTF_8));
            assertThrows(NoSuchElementException.class, () -> Manager.connect(address, key).lookup("nothing"));
        }
        finally
        {
            System.setErr(originalErr);
        }
    }

    /**
     * What must hold for one manager reached under two texts of its address: {@code owner} made the objects,
     * {@code same} connected under the other text. Before addresses were compared resolved, bind, release and
     * condition refused the owner's proxies, two proxies of one object were not equal, and a lock taken
     * through one text and a condition used through the other went over two connections (two server threads,
     * so the condition's thread did not hold the lock).
     */
    static void oneManagerUnderTwoSpellings(final Map<String, Integer> dict, final Lock lock, final Manager same)
        throws InterruptedException
    {
        same.bind("dict", dict);
        final Map<String, Integer> found = same.lookup("dict");
        assertTrue(found.equals(dict), "two proxies of one object, made under two texts of its manager's address");
        assertEquals(dict.hashCode(), found.hashCode());
        found.put("k", 1);
        assertEquals(1, dict.get("k"));
        final io.mp4j.shm.Condition condition = same.condition(lock);
        lock.lock();
        try
        {
            assertFalse(condition.await(Duration.ZERO), "the condition's call runs on the connection that holds the lock");
        }
        finally
        {
            lock.unlock();
        }
        assertTrue(same.release(found));
        assertThrows(NoSuchElementException.class, () -> same.lookup("dict"));
    }

    static void connectUnderOtherSpelling(final Map<String, Integer> dict, final Lock lock, final Object[] hostPortKey)
        throws InterruptedException
    {
        oneManagerUnderTwoSpellings(dict, lock,
            Manager.connect(new InetSocketAddress((String)hostPortKey[0], (Integer)hostPortKey[1]), (byte[])hostPortKey[2]));
    }

    @Test
    void aTcpManagerNamedLocalhostAnd127001IsOneManager() throws Exception
    {
        try (Manager owner = Manager.builder().address(new InetSocketAddress("127.0.0.1", 0)).start())
        {
            final int port = ((InetSocketAddress)owner.address()).getPort();
            oneManagerUnderTwoSpellings(owner.dict(), owner.lock(), Manager.connect(new InetSocketAddress("localhost", port), owner.authKey()));

            // a child that connects as localhost while the proxies it was given name 127.0.0.1
            final Process child = Process.of(ManagerTest::connectUnderOtherSpelling, owner.dict(), owner.lock(),
                new Object[]{ "localhost", port, owner.authKey() });
            child.start();
            assertTrue(child.join(Await.DEFAULT));
            assertEquals(0, child.exitCode().getAsInt(), String.join("\n", child.stderrTail()));
        }
    }

    @Test
    void aUnixSocketManagerNamedByTwoPathsIsOneManager(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path tmp) throws Exception
    {
        try (Manager owner = Manager.start())
        {
            final java.nio.file.Path socket = ((java.net.UnixDomainSocketAddress)owner.address()).getPath();
            final java.nio.file.Path dotted = socket.getParent().resolve(".").resolve(socket.getFileName());
            oneManagerUnderTwoSpellings(owner.dict(), owner.lock(), Manager.connect(java.net.UnixDomainSocketAddress.of(dotted), owner.authKey()));
            final java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("link"), socket.getParent());
            oneManagerUnderTwoSpellings(owner.dict(), owner.lock(),
                Manager.connect(java.net.UnixDomainSocketAddress.of(link.resolve(socket.getFileName())), owner.authKey()));
        }
    }

    @Test
    void killedManagerMakesTheNextCallFailClearlyWithoutHanging() throws Exception
    {
        final Manager manager = Manager.start();
        try
        {
            final Map<String, Integer> dict = manager.dict();
            final Queue<String> queue = manager.queue();
            dict.put("a", 1);
            final CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return queue.get();
                }
                catch (final InterruptedException ex)
                {
                    return ex;
                }
            });
            Await.until("the taker to be waiting", () -> queue.qsize() == 0 && !blocked.isDone());

            final ProcessHandle server = ProcessHandle.of(manager.pid()).orElseThrow();
            server.destroyForcibly();
            server.onExit().get(30, TimeUnit.SECONDS);

            final ManagerDiedException ex = assertThrows(ManagerDiedException.class, () -> dict.get("a"));
            assertTrue(ex.getMessage().contains("server pid " + manager.pid()), ex.getMessage());
            final ExecutionException fromBlocked = assertThrows(ExecutionException.class, () -> blocked.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ManagerDiedException.class, fromBlocked.getCause());
            final ManagerDiedException again = assertThrows(ManagerDiedException.class, () -> dict.put("b", 2));
            assertTrue(again.getMessage().contains("cannot connect"), again.getMessage());
        }
        finally
        {
            manager.close();
        }
    }

    @Test
    void queueEventNamespaceAndFriendsAcrossJvms() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Queue<String> queue = manager.queue(10);
            final Event go = manager.event();
            final Namespace ns = manager.namespace();
            final Process p = Process.of(ManagerTest::producer, queue, go, ns);
            p.start();
            assertFalse(go.isSet());
            go.set();
            for (int i = 0; i < 100; i++)
            {
                assertEquals("item-" + i, queue.poll(60, TimeUnit.SECONDS));
            }
            p.join();
            assertEquals(0, p.exitCode().getAsInt());
            assertEquals(p.pid(), (long)ns.get("producer"));
            assertEquals(10, queue.capacity());
            for (int i = 0; i < 10; i++)
            {
                queue.putNowait("fill-" + i);
            }
            assertTrue(queue.full());
            assertFalse(queue.offer("one too many"));
            assertThrows(io.mp4j.queue.FullException.class, () -> queue.put("x", Duration.ZERO));
            assertEquals(10, queue.qsize());
            for (int i = 0; i < 10; i++)
            {
                assertEquals("fill-" + i, queue.getNowait());
            }
            final byte[] payload = { 1, 2, 3, 4 };
            queue.putBytes(new org.agrona.concurrent.UnsafeBuffer(payload), 1, 2);
            final List<Byte> got = new ArrayList<>();
            assertTrue(queue.readBytes((buffer, offset, length) ->
            {
                for (int i = 0; i < length; i++)
                {
                    got.add(buffer.getByte(offset + i));
                }
            }));
            assertEquals(List.of((byte)2, (byte)3), got);
            assertFalse(queue.readBytes((buffer, offset, length) -> { }));
            assertThrows(NoSuchElementException.class, () -> ns.get("missing"));
            queue.close();
            assertTrue(queue.isClosed());
            assertThrows(IllegalStateException.class, queue::poll);

            final Array array = manager.array("i", new int[]{ 1, 2, 3 });
            array.setInt(1, 20);
            assertArrayEquals(new int[]{ 1, 20, 3 }, array.toIntArray());
            assertThrows(IllegalArgumentException.class, () -> manager.array("i", new long[]{ 1 }), "an int array from a long[]");
            assertThrows(IllegalArgumentException.class, () -> manager.value("x", 1), "an unknown typecode");
            assertThrows(IllegalArgumentException.class, () -> manager.value("i", "one"), "a String in an int value");

            final RLock rlock = manager.rlock();
            rlock.lock();
            rlock.lock();
            rlock.unlock();
            rlock.unlock();
            assertThrows(IllegalMonitorStateException.class, rlock::unlock);
            assertThrows(IllegalArgumentException.class, () -> manager.condition(io.mp4j.shm.RLock.create()),
                "a manager condition over a memory-mapped lock");
            final var overLock = manager.condition(manager.lock());
            try (SharedLock.Held held = overLock.locked())
            {
                assertFalse(overLock.await(Duration.ZERO));
            }

            final var sem = manager.boundedSemaphore(1);
            assertTrue(sem.tryAcquire());
            assertFalse(sem.tryAcquire(10, TimeUnit.MILLISECONDS));
            sem.release();
            assertThrows(IllegalStateException.class, sem::release);

            final var barrier = manager.barrier(1);
            assertEquals(0, barrier.await());
            assertThrows(UnsupportedOperationException.class, () -> barrier.withAction(() -> { }));
            final Value trips = manager.value("i", 0);
            final var withAction = manager.barrier(1, () -> { throw new IllegalStateException("action ran in the server"); }, null);
            final IllegalStateException fromAction = assertThrows(IllegalStateException.class, withAction::await);
            assertEquals("action ran in the server", fromAction.getMessage());
            assertTrue(withAction.isBroken(), "an action that throws breaks the barrier");

            manager.bind("lock", rlock);
            manager.bind("value", trips);
            manager.bind("queue", queue);
            final RLock found = manager.lookup("lock");
            assertEquals(rlock, found);
            try (SharedLock.Held held = found.locked())
            {
                assertEquals(1, found.getHoldCount());
            }
            final Value foundValue = manager.lookup("value");
            assertEquals(1, foundValue.incrementAndGet());
            assertTrue(foundValue.getLock() instanceof RLock);
            final Queue<String> foundQueue = manager.lookup("queue");
            assertEquals(10, foundQueue.capacity());
            assertTrue(manager.release(trips));
            assertThrows(io.mp4j.manager.ManagerException.class, trips::getInt);

            final Map<String, byte[]> bytes = manager.dict();
            bytes.put("k", new byte[]{ 1, 2 });
            assertArrayEquals(new byte[]{ 1, 2 }, bytes.get("k"));
            final Map<String, List<Integer>> nested = manager.dict();
            nested.put("list", List.of(1, 2));
            assertEquals(List.of(1, 2), nested.get("list"));
            final Map<String, Integer> seeded = manager.dict(Map.of("a", 1));
            final List<String> seededList = manager.list(List.of("p", "q"));
            assertEquals(1, seeded.get("a"));
            assertEquals(List.of("p", "q"), new ArrayList<>(seededList));
            assertTrue(manager.release(seededList));
            assertFalse(manager.release(seededList));
            final var gone = assertThrows(io.mp4j.manager.ManagerException.class, seededList::size);
            assertTrue(gone.getMessage().contains("holds no object"), gone.getMessage());

            final Map<String, List<Integer>> holder = manager.dict();
            final List<Integer> shared = manager.list();
            holder.put("shared", shared);
            holder.get("shared").add(7);
            assertEquals(List.of(7), new ArrayList<>(shared), "a proxy stored in a dict comes back as a proxy of the same list");
            final var ex = assertThrows(io.mp4j.manager.ManagerException.class, () -> nested.computeIfAbsent("x", k -> List.of()));
            assertTrue(ex.getMessage().contains("cannot be sent"), ex.getMessage());
        }
    }

    @Test
    void longValuesCrossTheSharedMemoryConnectionInChunksBothWays() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Map<String, Object> dict = manager.dict();
            dict.put("parent-bytes", bigBytes());
            dict.put("parent-string", bigString());
            dict.put("parent-list", new ArrayList<>(bigList()));
            final Process p = Process.of(ManagerTest::bigValues, dict);
            p.start();
            joinAll(List.of(p));
            assertArrayEquals(bigBytes(), (byte[])dict.get("child-bytes"));
            assertEquals(bigString(), dict.get("child-string"));
            assertEquals(bigList(), dict.get("child-list"));
            assertEquals(6, dict.size(), "short calls still work after long ones");
            final java.nio.file.Path dir = ((java.net.UnixDomainSocketAddress)manager.address()).getPath().getParent();
            try (var files = java.nio.file.Files.list(dir))
            {
                assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("conn-")).collect(
                    java.util.stream.Collectors.toList()), "a connection's shared memory is unlinked once both sides mapped it");
            }
        }
    }

    @Test
    void closedManagerLeavesNothingRunning() throws Exception
    {
        final Manager manager = Manager.start();
        final Map<String, String> dict = manager.dict();
        dict.put("x", "y");
        final long pid = manager.pid();
        manager.close();
        Await.until("the server to exit", Duration.ofSeconds(30), () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        assertThrows(ManagerDiedException.class, () -> dict.get("x"));
    }
}

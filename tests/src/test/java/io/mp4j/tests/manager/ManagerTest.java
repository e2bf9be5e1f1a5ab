package io.mp4j.tests.manager;

import io.mp4j.Manager;
import io.mp4j.Process;
import io.mp4j.manager.AuthenticationException;
import io.mp4j.manager.ManagedEvent;
import io.mp4j.manager.ManagedValue;
import io.mp4j.manager.ManagerDiedException;
import io.mp4j.manager.Namespace;
import io.mp4j.tests.Await;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

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

    static void guardedIncrement(final Lock lock, final ManagedValue<Integer> value, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            lock.lock();
            try
            {
                value.set(value.get() + 1);
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

    static void producer(final BlockingQueue<String> queue, final ManagedEvent go, final Namespace ns) throws InterruptedException
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
            final ManagedValue<Integer> value = manager.value(0);
            final List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                processes.add(Process.of(ManagerTest::guardedIncrement, lock, value, 500));
            }
            startAll(processes);
            joinAll(processes);
            assertEquals(2000, value.get());
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

    @Test
    void killedManagerMakesTheNextCallFailClearlyWithoutHanging() throws Exception
    {
        final Manager manager = Manager.start();
        try
        {
            final Map<String, Integer> dict = manager.dict();
            final BlockingQueue<String> queue = manager.queue();
            dict.put("a", 1);
            final CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return queue.take();
                }
                catch (final InterruptedException ex)
                {
                    return ex;
                }
            });
            Await.until("the taker to be waiting", () -> queue.size() == 0 && !blocked.isDone());

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
            final BlockingQueue<String> queue = manager.queue(10);
            final ManagedEvent go = manager.event();
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
            queue.addAll(List.of("a", "b", "c"));
            final List<String> drained = new ArrayList<>();
            assertEquals(2, queue.drainTo(drained, 2));
            assertEquals(1, queue.drainTo(drained));
            assertEquals(List.of("a", "b", "c"), drained);
            assertTrue(queue.isEmpty());
            queue.add("x");
            final List<String> seen = new ArrayList<>();
            queue.forEach(seen::add);
            assertEquals(List.of("x"), seen);
            assertEquals("x", queue.iterator().next());
            assertThrows(NoSuchElementException.class, () -> ns.get("missing"));

            final List<Integer> array = manager.array(1, 2, 3);
            array.set(1, 20);
            assertEquals(List.of(1, 20, 3), new ArrayList<>(array));
            assertThrows(UnsupportedOperationException.class, () -> array.add(4));

            final Lock rlock = manager.rlock();
            rlock.lock();
            rlock.lock();
            rlock.unlock();
            rlock.unlock();
            assertThrows(IllegalMonitorStateException.class, rlock::unlock);

            final var sem = manager.boundedSemaphore(1);
            assertTrue(sem.tryAcquire());
            assertFalse(sem.tryAcquire(10, TimeUnit.MILLISECONDS));
            sem.release();
            assertThrows(IllegalStateException.class, sem::release);

            final var barrier = manager.barrier(1);
            assertEquals(0, barrier.await());

            final var cond = manager.condition();
            cond.lock();
            assertFalse(cond.await(10, TimeUnit.MILLISECONDS));
            cond.unlock();

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

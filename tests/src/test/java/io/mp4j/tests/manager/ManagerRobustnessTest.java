package io.mp4j.tests.manager;

import io.mp4j.Context;
import io.mp4j.Manager;
import io.mp4j.Process;
import io.mp4j.StartMethod;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Event;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A manager server facing peers that misbehave: unauthenticated ones, dead ones, interrupted ones.
 */
@ExtendWith(NoLeaks.class)
class ManagerRobustnessTest
{
    /** The bound on any read from the server: far beyond what the server needs, so a hang fails the test. */
    private static final int READ_BOUND_MILLIS = 60_000;

    private static Socket readChallenge(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(READ_BOUND_MILLIS);
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        assertEquals(32, in.readInt(), "the challenge frame's length");
        in.readFully(new byte[32]);
        return socket;
    }

    /** @return whether the server closed the connection (a hang fails with SocketTimeoutException). */
    private static boolean closedByServer(final Socket socket) throws IOException
    {
        try
        {
            return socket.getInputStream().read() == -1;
        }
        catch (final SocketException reset)
        {
            return true; // closed with bytes unread: a reset, still a close (a timeout is not a SocketException)
        }
    }

    @Test
    void anUnauthenticatedPeerCannotMakeTheServerAllocateAFrameNorHoldAThread() throws Exception
    {
        final byte[] key = "handshake limits".getBytes(StandardCharsets.UTF_8);
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-Dmp4j.manager.handshakeTimeoutMillis=300"));
             Manager manager = Manager.builder().context(ctx).address(new InetSocketAddress("127.0.0.1", 0)).authKey(key).start())
        {
            final InetSocketAddress address = (InetSocketAddress)manager.address();
            for (int i = 0; i < 4; i++)
            {
                try (Socket greedy = readChallenge(address))
                {
                    // a 256 MiB frame announced as the answer to the challenge: refused before any allocation
                    new DataOutputStream(greedy.getOutputStream()).writeInt(256 << 20);
                    assertEquals(true, closedByServer(greedy), "the server closes a connection announcing a huge handshake frame");
                }
            }
            try (Socket silent = readChallenge(address))
            {
                // says nothing: dropped after the 300 ms handshake timeout, long before the read bound
                assertEquals(true, closedByServer(silent), "the server drops a peer that does not authenticate in time");
            }
            try (Manager client = Manager.connect(address, key))
            {
                final Map<String, Integer> dict = client.dict();
                dict.put("still", 1);
                assertEquals(1, dict.get("still"), "the server still serves a proper client");
            }
        }
    }

    /** A registered type that shows what a value looks like once the server has it. */
    public interface Sniffer
    {
        byte[] serializedForm(Object value);
    }

    public static final class SnifferImpl implements Sniffer
    {
        @Override
        public byte[] serializedForm(final Object value)
        {
            return serialized(value);
        }
    }

    static byte[] serialized(final Object value)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(value);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        return bytes.toByteArray();
    }

    private static boolean contains(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** A child given the dict as an argument: the list proxy stored in it came without a key, and works. */
    static void addThroughStoredProxy(final Map<String, List<Integer>> holder, final int value)
    {
        holder.get("shared").add(value);
    }

    /** An independent client: its key comes from connect. */
    static void addAsConnectedClient(final String host, final int port, final byte[] key)
    {
        final Manager remote = Manager.connect(new InetSocketAddress(host, port), key);
        final Map<String, List<Integer>> holder = remote.lookup("holder");
        holder.get("shared").add(3);
        remote.close();
    }

    /** A JVM that holds no key for the manager, given a proxy serialized as it would be for the manager. */
    static void callWithoutKey(final byte[] proxy, final String address) throws Exception
    {
        final List<?> list;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(proxy)))
        {
            list = (List<?>)in.readObject();
        }
        try
        {
            list.size();
        }
        catch (final io.mp4j.manager.ManagerException expected)
        {
            if (!expected.getMessage().contains("no authentication key for the manager at " + address))
            {
                throw expected;
            }
            return;
        }
        throw new AssertionError("a proxy without its key reached the manager");
    }

    @Test
    void aProxyStoredInARemoteManagerDoesNotCarryTheKeyAndStillWorksWhereTheKeyIsKnown() throws Exception
    {
        final byte[] key = "KEY-bytes-that-must-not-travel!!".getBytes(StandardCharsets.US_ASCII);
        try (Manager manager = Manager.builder().address(new InetSocketAddress("127.0.0.1", 0)).authKey(key).start())
        {
            final InetSocketAddress address = (InetSocketAddress)manager.address();
            final Map<String, List<Integer>> holder = manager.dict();
            final List<Integer> shared = manager.list();
            manager.bind("holder", holder);

            // what the manager wire sends for a value is its plain Java serialization
            final byte[] forTheManager = serialized(shared);
            assertFalse(contains(forTheManager, key), "the key is in the serialized form of a proxy sent to a manager");
            manager.register("Sniffer", SnifferImpl::new, Sniffer.class);
            final Sniffer sniffer = manager.create("Sniffer", Sniffer.class);
            assertFalse(contains(sniffer.serializedForm(shared), key), "the key is in the value the server holds");

            holder.put("shared", shared);
            holder.get("shared").add(1);
            final Process child = Process.of(ManagerRobustnessTest::addThroughStoredProxy, holder, 2);
            final Process client = Process.of(ManagerRobustnessTest::addAsConnectedClient, "127.0.0.1", address.getPort(), key);
            final Process keyless = Process.of(ManagerRobustnessTest::callWithoutKey, forTheManager,
                "tcp:127.0.0.1:" + address.getPort());
            for (final Process p : List.of(child, client, keyless))
            {
                p.start();
                p.join();
                assertEquals(0, p.exitCode().getAsInt(), p + " failed: " + String.join("\n", p.stderrTail()));
            }
            assertEquals(List.of(1, 2, 3), new ArrayList<>(shared));
        }
    }

    /** A registered type whose method, in the server, calls a proxy of its own manager that a client made. */
    public interface Adder
    {
        void addTo(List<Integer> list, int value);
    }

    public static final class AdderImpl implements Adder
    {
        @Override
        public void addTo(final List<Integer> list, final int value)
        {
            list.add(value);
        }
    }

    /** Client A: names the manager by its IP address, stores a list it made. */
    static void storeAsIpClient(final int port, final byte[] key)
    {
        final Manager remote = Manager.connect(new InetSocketAddress("127.0.0.1", port), key);
        final Map<String, List<Integer>> holder = remote.lookup("holder");
        final List<Integer> mine = remote.list();
        mine.add(1);
        holder.put("fromA", mine);
        remote.close();
    }

    /** Client B: names the same manager "localhost", uses A's list, and has the server use its own list. */
    static void useAsLocalhostClient(final int port, final byte[] key)
    {
        final Manager remote = Manager.connect(new InetSocketAddress("localhost", port), key);
        final Map<String, List<Integer>> holder = remote.lookup("holder");
        holder.get("fromA").add(2);
        final List<Integer> mine = remote.list();
        remote.<Adder>create("Adder", Adder.class).addTo(mine, 3);
        holder.put("fromB", mine);
        remote.close();
    }

    @Test
    void aStoredProxyWorksForEveryClientWhateverTextNamesTheManager() throws Exception
    {
        final byte[] key = "one manager, two names".getBytes(StandardCharsets.UTF_8);
        try (Manager manager = Manager.builder().address(new InetSocketAddress("127.0.0.1", 0)).authKey(key).start())
        {
            final int port = ((InetSocketAddress)manager.address()).getPort();
            final Map<String, List<Integer>> holder = manager.dict();
            manager.bind("holder", holder);
            manager.register("Adder", AdderImpl::new, Adder.class);
            // separate JVMs: each holds only the key of the text it connected with, as real clients do
            for (final Process p : List.of(Process.of(ManagerRobustnessTest::storeAsIpClient, port, key),
                Process.of(ManagerRobustnessTest::useAsLocalhostClient, port, key)))
            {
                p.start();
                p.join();
                assertEquals(0, p.exitCode().getAsInt(), p + " failed: " + String.join("\n", p.stderrTail()));
            }
            assertEquals(List.of(1, 2), new ArrayList<>(holder.get("fromA")), "B used the list A stored");
            // this JVM holds the key as tcp:127.0.0.1:p; B's proxy names tcp:localhost:p
            assertEquals(List.of(3), new ArrayList<>(holder.get("fromB")), "the server and this JVM used B's list");
        }
    }

    static void signalThenGet(final Event ready, final Queue<String> queue) throws InterruptedException
    {
        ready.set();
        queue.get();
        throw new AssertionError("the queue was to stay empty");
    }

    static void signalThenAcquire(final Event ready, final Semaphore semaphore) throws InterruptedException
    {
        ready.set();
        semaphore.acquire();
        throw new AssertionError("the semaphore was to stay at zero");
    }

    /** Start, wait for its signal (it is then about to block in the manager), SIGKILL and reap it. */
    private static void killWhenBlocked(final Process child, final Event ready) throws Exception
    {
        child.start();
        try
        {
            assertTrue(ready.await(60, TimeUnit.SECONDS), "the child to signal");
            ready.clear();
        }
        finally
        {
            child.kill();
            child.join();
        }
    }

    @Test
    void aWaiterThatDiesOrIsInterruptedInABlockingCallTakesNothing() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final Queue<String> queue = manager.queue();
            final Event ready = manager.event();
            killWhenBlocked(Process.of(ManagerRobustnessTest::signalThenGet, ready, queue), ready);
            queue.put("y");
            assertEquals("y", queue.get(Duration.ofSeconds(30)), "the dead consumer's server thread took nothing");

            final Semaphore semaphore = manager.semaphore(0);
            killWhenBlocked(Process.of(ManagerRobustnessTest::signalThenAcquire, ready, semaphore), ready);
            semaphore.release();
            assertTrue(semaphore.tryAcquire(30, TimeUnit.SECONDS), "the dead waiter's server thread took no permit");

            final AtomicReference<Object> outcome = new AtomicReference<>();
            final AtomicReference<Boolean> calling = new AtomicReference<>(false);
            final Thread consumer = new Thread(() ->
            {
                try
                {
                    queue.qsize(); // its connection is open before it blocks
                    calling.set(true);
                    outcome.set(queue.get());
                }
                catch (final Throwable ex)
                {
                    outcome.set(ex);
                }
            }, "interrupted-consumer");
            consumer.start();
            Await.until("the consumer to block in the manager", () -> calling.get() &&
                java.util.Arrays.stream(consumer.getStackTrace()).anyMatch(f -> f.getClassName().startsWith("sun.nio.ch.")));
            consumer.interrupt();
            consumer.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(consumer.isAlive());
            assertInstanceOf(InterruptedException.class, outcome.get(), "a queue's get declares InterruptedException");
            queue.put("z");
            assertEquals("z", queue.get(Duration.ofSeconds(30)), "the interrupted consumer's server thread took nothing");
        }
    }

    @Test
    void connectingAgainKeepsTheLocksTheThreadHolds() throws Exception
    {
        try (Manager manager = Manager.start())
        {
            final io.mp4j.shm.Lock lock = manager.lock();
            lock.lock();
            final Manager again = Manager.connect(manager.address(), manager.authKey());
            assertFalse(lock.tryLock(), "the lock is still held: connect did not drop this thread's connection");
            lock.unlock(); // throws IllegalMonitorStateException if the server had released it
            assertTrue(lock.tryLock());
            again.close(); // documented: closes this thread's connection, releasing the lock it holds
            final Map<String, Integer> dict = manager.dict();
            dict.put("after", 1);
            assertEquals(1, dict.get("after"), "the next call reconnects");
        }
    }
}

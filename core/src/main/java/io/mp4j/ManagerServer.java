package io.mp4j;

import io.mp4j.manager.ManagerException;
import io.mp4j.manager.Namespace;
import io.mp4j.shm.SharedMemory;

import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The manager's server: runs in its own (daemon) child JVM, holds the shared objects and serves each
 * connection on its own thread. Not for direct use; see {@link Manager}.
 *
 * <p>Objects of the data kinds (dict, list, namespace, value, array, user-registered types) are
 * <em>exclusive</em>: each call runs under the object's monitor, so every method of a registered type is
 * atomic. The synchronisation kinds (locks, semaphores, events, conditions, barriers, queues) are
 * thread-safe themselves and are called without it, so a blocked call blocks only its caller. A lock is
 * owned by the server thread of the caller's connection, which is the caller's thread; when a connection
 * ends (its process died or its thread was interrupted) the locks it held are released.
 */
final class ManagerServer
{
    /** What the parent tells the server JVM. */
    static final class Config implements Serializable
    {
        private static final long serialVersionUID = 1L;
        final String address;
        final byte[] key;
        final String readyFile;

        Config(final String address, final byte[] key, final String readyFile)
        {
            this.address = address;
            this.key = key;
            this.readyFile = readyFile;
        }
    }

    /**
     * How long a blocking call in the server (a queue's take or put, a lock, a semaphore, an event, a
     * condition, a barrier) waits between two looks at whether its client's connection is still open: a
     * client that died, or whose thread was interrupted, while blocked, stops the wait within this long,
     * so that it takes no element, lock or permit it cannot deliver.
     */
    static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Thrown in a server thread whose client's connection closed during a blocking call: the call is abandoned. */
    static final class ClientGone extends InterruptedException
    {
        private static final long serialVersionUID = 1L;

        ClientGone()
        {
            super("the client's connection closed during the call");
        }
    }

    /** The connection a server thread serves, for the blocking calls it runs. */
    private static final class Client
    {
        final ManagerWire.Conn conn;
        /** What puts back what the current call took, should its answer not reach the client. */
        Runnable undoIfUndelivered;

        Client(final ManagerWire.Conn conn)
        {
            this.conn = conn;
        }
    }

    private static final ThreadLocal<Client> CLIENT = new ThreadLocal<>();

    /**
     * @return whether the connection this server thread serves has been closed by its client (false
     * outside a connection, as in the warm-up).
     */
    static boolean clientGone()
    {
        final Client client = CLIENT.get();
        return client != null && client.conn.peerGone();
    }

    /**
     * Register what puts back what the current call took (an element), run if its answer cannot be sent.
     *
     * @param undo the action.
     */
    static void undoIfUndelivered(final Runnable undo)
    {
        final Client client = CLIENT.get();
        if (client != null)
        {
            client.undoIfUndelivered = undo;
        }
    }

    /** A server object that holds per-owner state to release when its owner's connection ends. */
    interface Releasable
    {
        void releaseHeldByCurrentThread();
    }

    private static final class Entry
    {
        final Object target;
        final Method[] methods;
        final boolean exclusive;
        final String interfaceName;

        Entry(final Object target, final Class<?> type, final boolean exclusive)
        {
            this.target = target;
            this.methods = ManagerMethods.of(type).methods;
            this.exclusive = exclusive;
            this.interfaceName = type.getName();
        }
    }

    private static final class Factory
    {
        final SerializableSupplier<?> supplier;
        final Class<?> type;

        Factory(final SerializableSupplier<?> supplier, final Class<?> type)
        {
            this.supplier = supplier;
            this.type = type;
        }
    }

    /**
     * System property: how long a connection may take to complete the authentication handshake before the
     * server drops it, in milliseconds.
     */
    static final String HANDSHAKE_TIMEOUT_PROPERTY = "mp4j.manager.handshakeTimeoutMillis";
    static final long HANDSHAKE_TIMEOUT_MILLIS = Long.getLong(HANDSHAKE_TIMEOUT_PROPERTY, 5_000);

    /**
     * Connections accepted and still in their authentication handshake, at most. Each holds a thread for up
     * to the handshake timeout before its peer has proved anything, so without a cap a peer that opens
     * connections faster than they time out makes the server start threads until it runs out of memory.
     * 64 is the listen backlog, and far more clients than connect at the same moment in practice (a pool's
     * workers, a cluster's nodes: each handshake takes about a millisecond); a connection over the cap is
     * closed at once, and its client may try again.
     */
    static final int MAX_HANDSHAKING = 64;

    private final Config config;
    /** Connections whose handshake has not ended yet: counted up by the accept loop, down by their threads. */
    private final AtomicInteger handshaking = new AtomicInteger();
    /** Closes the connections that have not completed their handshake in time: one daemon thread. */
    private final ScheduledThreadPoolExecutor handshakeTimer = newHandshakeTimer();
    private final long pid = ProcessHandle.current().pid();
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Entry> objects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Factory> factories = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> names = new ConcurrentHashMap<>();
    private ServerSocketChannel server;
    private String bound;
    private Path socketFile;

    private ManagerServer(final Config config)
    {
        this.config = config;
    }

    /**
     * The server JVM's task.
     *
     * @param config where to listen, the key, and where to say it is ready.
     * @throws IOException if it cannot listen.
     */
    static void serve(final Config config) throws IOException
    {
        new ManagerServer(config).run();
    }

    private void run() throws IOException
    {
        final SocketAddress requested = ManagerWire.parse(config.address);
        if (requested instanceof UnixDomainSocketAddress)
        {
            socketFile = ((UnixDomainSocketAddress)requested).getPath();
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(requested);
            Files.setPosixFilePermissions(socketFile, PosixFilePermissions.fromString("rw-------"));
        }
        else
        {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(requested, 64);
            if (((InetSocketAddress)requested).getAddress().isAnyLocalAddress())
            {
                System.err.println("mp4j manager (pid " + pid + "): listening on ALL interfaces at " + requested +
                    ", as asked; only the authentication key protects it");
            }
        }
        bound = ManagerWire.format(server.getLocalAddress());
        // a registered type's method may call a proxy of this manager, which arrived without its key and
        // names the server as its client did (tcp:localhost:p for a server bound to 0.0.0.0): found by heldKey
        ManagerProxy.rememberKey(bound, config.key);
        if (config.readyFile != null)
        {
            final Path ready = Paths.get(config.readyFile);
            final Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
            Files.writeString(tmp, bound);
            Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
        }
        if (WARM_UP_CALLS > 0)
        {
            final Thread warm = new Thread(this::warmUp, "mp4j-manager-warm-up");
            warm.setDaemon(true);
            warm.start();
        }

        acceptLoop(!(requested instanceof UnixDomainSocketAddress));
    }

    /**
     * Accept connections until the server socket is closed, each served by a thread of its own. Nothing a
     * peer does ends this loop: a connection over {@link #MAX_HANDSHAKING} is closed at once, and one that
     * cannot be given a thread (the JVM is out of memory or threads) is closed, and the loop goes on.
     */
    private void acceptLoop(final boolean tcp) throws IOException
    {
        int n = 0;
        boolean refusing = false;
        boolean threadless = false;
        while (true)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            if (handshaking.get() >= MAX_HANDSHAKING)
            {
                if (!refusing)
                {
                    refusing = true;
                    System.err.println("mp4j manager (pid " + pid + ") at " + bound + ": refusing new connections from " +
                        peer(channel) + " and others: " + MAX_HANDSHAKING + " connections are still in their " +
                        "authentication handshake; new ones are closed at once until one ends (said once per burst)");
                }
                closeQuietly(channel);
                continue;
            }
            refusing = false;
            try
            {
                if (tcp)
                {
                    ManagerWire.tuneTcp(channel);
                }
            }
            catch (final IOException ex)
            {
                // the peer has gone already
                closeQuietly(channel);
                continue;
            }
            handshaking.incrementAndGet();
            try
            {
                final Thread t = new Thread(() -> serveConnection(channel), "mp4j-manager-connection-" + (++n));
                t.setDaemon(true);
                t.start();
                threadless = false;
            }
            catch (final OutOfMemoryError | RuntimeException ex)
            {
                handshaking.decrementAndGet();
                if (!threadless)
                {
                    threadless = true;
                    System.err.println("mp4j manager (pid " + pid + ") at " + bound + ": closed a connection from " +
                        peer(channel) + ": cannot start a thread for it (" + ex + "); the server goes on (said once per burst)");
                }
                closeQuietly(channel);
            }
        }
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // closed as far as it can be
        }
    }

    private static ScheduledThreadPoolExecutor newHandshakeTimer()
    {
        final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r ->
        {
            final Thread t = new Thread(r, "mp4j-manager-handshake-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private static String peer(final SocketChannel channel)
    {
        try
        {
            final String peer = String.valueOf(channel.getRemoteAddress());
            return peer.isEmpty() ? "a local process" : peer;
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }

    /**
     * Run the handshake under a deadline: a peer that connects and then says nothing, or too little,
     * would otherwise hold this thread forever. At the deadline the timer closes the channel, which ends
     * the blocked read.
     *
     * @return whether the peer authenticated in time.
     */
    private boolean handshake(final ManagerWire.Conn conn, final SocketChannel channel) throws IOException
    {
        final ScheduledFuture<?> deadline = handshakeTimer.schedule(() ->
        {
            System.err.println("mp4j manager (pid " + pid + ") at " + bound + ": dropped a connection from " + peer(channel) +
                ": no authentication within " + HANDSHAKE_TIMEOUT_MILLIS + " ms (" + HANDSHAKE_TIMEOUT_PROPERTY + ")");
            conn.close();
        }, HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        final boolean ok;
        try
        {
            ok = ManagerWire.serverHandshake(conn, config.key, pid);
        }
        catch (final java.io.StreamCorruptedException ex)
        {
            deadline.cancel(false);
            System.err.println("mp4j manager (pid " + pid + ") at " + bound + ": refused a connection from " + peer(channel) +
                ": not an mp4j handshake (" + ex.getMessage() + ")");
            return false;
        }
        // false when the timer has fired (or is firing): the channel is closed, whatever the handshake said
        if (!deadline.cancel(false))
        {
            return false;
        }
        if (!ok)
        {
            System.err.println("mp4j manager (pid " + pid + ") at " + bound + ": refused a connection from " +
                peer(channel) + ": wrong authentication key (HMAC challenge failed)");
        }
        return ok;
    }

    private void serveConnection(final SocketChannel channel)
    {
        final ManagerWire.Conn conn;
        final Client client;
        try
        {
            conn = new ManagerWire.Conn(channel);
            client = new Client(conn);
            CLIENT.set(client);
        }
        catch (final RuntimeException | Error ex)
        {
            // out of memory before the handshake began: its slot and its connection go back all the same
            handshaking.decrementAndGet();
            closeQuietly(channel);
            throw ex;
        }
        try
        {
            final boolean authenticated;
            try
            {
                authenticated = handshake(conn, channel);
            }
            finally
            {
                handshaking.decrementAndGet();
            }
            if (!authenticated)
            {
                return;
            }
            while (true)
            {
                final ByteBuffer request = conn.receive();
                final byte op = request.get();
                if (op == ManagerWire.OP_MAILBOX)
                {
                    upgradeToMailbox(conn, ManagerWire.getString(request));
                    continue;
                }
                respond(conn, op, request);
                if (client.undoIfUndelivered != null)
                {
                    final Runnable undo = client.undoIfUndelivered;
                    client.undoIfUndelivered = null;
                    try
                    {
                        conn.send();
                    }
                    catch (final IOException ex)
                    {
                        undo.run();
                        throw ex;
                    }
                    continue;
                }
                conn.send();
                if (op == ManagerWire.OP_SHUTDOWN)
                {
                    shutdown();
                }
            }
        }
        catch (final IOException ex)
        {
            // the client closed its connection or died: nothing to answer
        }
        finally
        {
            for (final Entry e : objects.values())
            {
                if (e.target instanceof Releasable)
                {
                    ((Releasable)e.target).releaseHeldByCurrentThread();
                }
            }
            conn.close();
        }
    }

    /** Handle one request and build its response in {@code conn}'s output buffer. */
    private void respond(final ManagerWire.Conn conn, final byte op, final ByteBuffer request) throws IOException
    {
        Object result = null;
        Throwable failure = null;
        try
        {
            result = handle(op, request);
        }
        catch (final InvocationTargetException ex)
        {
            failure = ex.getCause();
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        if (failure == null)
        {
            try
            {
                conn.begin().putByte(ManagerWire.STATUS_OK).putValue(portable(result));
            }
            catch (final IOException | RuntimeException ex)
            {
                failure = new ManagerException("the result (" + result.getClass().getName() +
                    ") cannot be sent back: " + ex, ex);
            }
        }
        if (failure != null)
        {
            try
            {
                conn.begin().putByte(ManagerWire.STATUS_EXCEPTION).putValue(failure);
            }
            catch (final IOException | RuntimeException ex)
            {
                final ManagerException plain = new ManagerException(failure.toString());
                plain.setStackTrace(failure.getStackTrace());
                conn.begin().putByte(ManagerWire.STATUS_EXCEPTION).putValue(plain);
            }
        }
    }

    /**
     * System property: how many synthetic calls the server runs through its own dispatch path once it is
     * ready (0: none).
     */
    static final String WARM_UP_PROPERTY = "mp4j.manager.warmUpCalls";
    static final int WARM_UP_CALLS = Integer.getInteger(WARM_UP_PROPERTY, 20_000);

    /**
     * Run the common calls (a dict's put and get, a list's add, get and set, with Integer, String and Long
     * values) through the code that serves every request, decoding included, on objects no client can
     * name. A cold server otherwise runs its first few thousand calls interpreted or half-compiled, 10-50
     * µs each, while its client waits. It runs on its own thread once the server is ready, so start-up
     * does not wait for it: it overlaps what a program does next (typically starting the processes that
     * will use the manager, a few hundred milliseconds of JVM start), and the first client finds the
     * dispatch path compiled or being compiled. Calls that arrive meanwhile are served as usual.
     */
    private void warmUp()
    {
        ManagerWire.warmUpConnection();
        try
        {
            warmUpCalls();
        }
        catch (final IOException | RuntimeException ex)
        {
            // a warm-up that fails leaves the server as cold as it was, and correct
        }
    }

    private void warmUpCalls() throws IOException
    {
        final long dictId = -1;
        final long listId = -2;
        objects.put(dictId, new Entry(new LinkedHashMap<>(), Map.class, true));
        objects.put(listId, new Entry(new ArrayList<>(), List.class, true));
        try
        {
            final ManagerMethods map = ManagerMethods.of(Map.class);
            final ManagerMethods list = ManagerMethods.of(List.class);
            final int put = map.indexOf("put", Object.class, Object.class);
            final int get = map.indexOf("get", Object.class);
            final int add = list.indexOf("add", Object.class);
            final int at = list.indexOf("get", int.class);
            final int set = list.indexOf("set", int.class, Object.class);
            final ManagerWire.Conn request = new ManagerWire.Conn(null);
            final ManagerWire.Conn response = new ManagerWire.Conn(null);
            final String[] names = new String[64];
            for (int i = 0; i < names.length; i++)
            {
                names[i] = "key-" + i;
            }
            for (int i = 0, calls = 0; calls < WARM_UP_CALLS; i++, calls += 5)
            {
                final int slot = i & 63;
                final Object key = (i & 1) == 0 ? (Object)slot : names[slot];
                final Object value = (i & 2) == 0 ? (Object)i : (Object)(long)i;
                call(request, response, dictId, put, key, value);
                call(request, response, dictId, get, key);
                call(request, response, listId, add, value);
                call(request, response, listId, at, slot);
                call(request, response, listId, set, slot, key);
            }
        }
        finally
        {
            objects.remove(dictId);
            objects.remove(listId);
        }
    }

    private void call(final ManagerWire.Conn request, final ManagerWire.Conn response, final long id, final int method,
        final Object... args) throws IOException
    {
        request.begin().putByte(ManagerWire.OP_CALL).putLong(id).putInt(method).putByte((byte)args.length);
        for (final Object arg : args)
        {
            request.putValue(arg);
        }
        final ByteBuffer frame = request.built();
        respond(response, frame.get(), frame);
        final ByteBuffer answer = response.built();
        if (answer.get() != ManagerWire.STATUS_OK)
        {
            throw new IllegalStateException("the manager's warm-up call failed: " + ManagerWire.getValue(answer));
        }
        ManagerWire.getValue(answer);
    }

    /**
     * Continue a local connection over the shared-memory mailbox the client made in this server's runtime
     * directory (next to the socket, so it is as private as the socket). Anything else is refused, and the
     * connection goes on over the socket.
     */
    private void upgradeToMailbox(final ManagerWire.Conn conn, final String file) throws IOException
    {
        SharedMemory block = null;
        final Path real = socketFile != null ? inSocketDirectory(Paths.get(file)) : null;
        if (real != null)
        {
            try
            {
                block = SharedMemory.attach(real);
            }
            catch (final RuntimeException ex)
            {
                block = null;
            }
        }
        ManagerMailbox box = null;
        if (block != null)
        {
            try
            {
                box = new ManagerMailbox(block, conn, ManagerMailbox.SERVER);
            }
            catch (final RuntimeException ex)
            {
                block.close();
            }
        }
        conn.begin().putByte(box != null ? ManagerWire.STATUS_OK : ManagerWire.STATUS_EXCEPTION).putValue(null);
        conn.send();
        if (box != null)
        {
            conn.useMailbox(box);
        }
    }

    /**
     * A client's mailbox file, if it is in this server's directory, whatever path the client named it by
     * (it names the directory as it names the socket): both are compared as real paths.
     *
     * @return the file's real path, or null if it is elsewhere or cannot be resolved.
     */
    private Path inSocketDirectory(final Path file)
    {
        try
        {
            final Path real = file.toRealPath();
            return real.getParent().equals(socketFile.toAbsolutePath().getParent().toRealPath()) ? real : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private void shutdown()
    {
        try
        {
            server.close();
            if (socketFile != null)
            {
                Files.deleteIfExists(socketFile);
            }
        }
        catch (final IOException ignore)
        {
            // exiting anyway
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    private Object handle(final byte op, final ByteBuffer request) throws Throwable
    {
        if (op == ManagerWire.OP_CALL)
        {
            final long id = request.getLong();
            final int index = request.getInt();
            final int argc = request.get();
            final Object[] args = new Object[argc];
            for (int i = 0; i < argc; i++)
            {
                args[i] = ManagerWire.getValue(request);
            }
            final Entry e = objects.get(id);
            if (e == null)
            {
                throw new ManagerException("the manager (pid " + pid + ") holds no object #" + id);
            }
            if (index == ManagerWire.TO_STRING)
            {
                if (e.exclusive)
                {
                    synchronized (e.target)
                    {
                        return String.valueOf(e.target);
                    }
                }
                return String.valueOf(e.target);
            }
            if (index == ManagerWire.DRAIN_TO && e.target instanceof ManagerHosted.HostedQueue)
            {
                return ((ManagerHosted.HostedQueue<?>)e.target).drainFor((Integer)args[0]);
            }
            if (index == ManagerWire.DRAIN_TO && e.target instanceof BlockingQueue)
            {
                final List<Object> drained = new ArrayList<>();
                @SuppressWarnings("unchecked") final BlockingQueue<Object> queue = (BlockingQueue<Object>)e.target;
                queue.drainTo(drained, (Integer)args[0]);
                return drained;
            }
            if (index < 0 || index >= e.methods.length)
            {
                throw new ManagerException("method #" + index + " is out of range for " + e.interfaceName +
                    " (different versions of the interface on the two sides?)");
            }
            final Method m = e.methods[index];
            if (e.exclusive)
            {
                synchronized (e.target)
                {
                    return m.invoke(e.target, args);
                }
            }
            return m.invoke(e.target, args);
        }
        final int argc = request.get();
        final Object[] args = new Object[argc];
        for (int i = 0; i < argc; i++)
        {
            args[i] = ManagerWire.getValue(request);
        }
        switch (op)
        {
            case ManagerWire.OP_CREATE:
                return create((String)args[0], Arrays.copyOfRange(args, 1, args.length));
            case ManagerWire.OP_REGISTER:
            {
                final Class<?> type = Class.forName((String)args[2], false, Thread.currentThread().getContextClassLoader());
                if (!type.isInterface())
                {
                    throw new IllegalArgumentException(type.getName() + " is not an interface: proxies need one");
                }
                factories.put((String)args[0], new Factory((SerializableSupplier<?>)args[1], type));
                return null;
            }
            case ManagerWire.OP_BIND:
            {
                final long id = (Long)args[1];
                if (!objects.containsKey(id))
                {
                    throw new ManagerException("the manager (pid " + pid + ") holds no object #" + id);
                }
                names.put((String)args[0], id);
                return null;
            }
            case ManagerWire.OP_LOOKUP:
            {
                final Long id = names.get((String)args[0]);
                if (id == null)
                {
                    throw new NoSuchElementException("no object is bound to '" + args[0] + "' in the manager at " + bound);
                }
                return id + " " + objects.get(id).interfaceName;
            }
            case ManagerWire.OP_RELEASE:
            {
                final long id = (Long)args[0];
                names.values().removeIf(bound -> bound == id);
                return objects.remove(id) != null;
            }
            case ManagerWire.OP_SHUTDOWN:
                return null;
            default:
                throw new ManagerException("unknown request " + op);
        }
    }

    private long create(final String typeid, final Object[] args)
    {
        final Entry entry;
        switch (typeid)
        {
            case "dict":
                entry = new Entry(args.length > 0 ? new LinkedHashMap<>((Map<?, ?>)args[0]) : new LinkedHashMap<>(), Map.class, true);
                break;
            case "list":
                entry = new Entry(args.length > 0 ? new ArrayList<>((Collection<?>)args[0]) : new ArrayList<>(), List.class, true);
                break;
            case "namespace":
                entry = new Entry(new NamespaceImpl(), Namespace.class, true);
                break;
            case "value":
                entry = new Entry(new ManagerHosted.HostedValue((String)args[0], args[1], (Long)args[2]), ManagerHosted.ValueWire.class, true);
                break;
            case "array":
                entry = new Entry(new ManagerHosted.HostedArray((String)args[0], args[1], (Long)args[2]), ManagerHosted.ArrayWire.class, true);
                break;
            case "lock":
            case "rlock":
                entry = new Entry(new ManagerHosted.HostedLock("rlock".equals(typeid)), ManagerHosted.LockWire.class, false);
                break;
            case "semaphore":
            case "boundedSemaphore":
                entry = new Entry(new ManagerHosted.HostedSemaphore((Long)args[0], "boundedSemaphore".equals(typeid)),
                    ManagerHosted.SemaphoreWire.class, false);
                break;
            case "event":
                entry = new Entry(new ManagerHosted.HostedEvent(), ManagerHosted.EventWire.class, false);
                break;
            case "condition":
                entry = new Entry(new ManagerHosted.HostedCondition(target((Long)args[0]), (Long)args[0]), ManagerHosted.ConditionWire.class, false);
                break;
            case "barrier":
                entry = new Entry(new ManagerHosted.HostedBarrier((Integer)args[0], (SerializableRunnable)args[1], (Long)args[2]),
                    ManagerHosted.BarrierWire.class, false);
                break;
            case "joinableQueue":
                entry = new Entry(new ManagerHosted.HostedJoinableQueue<>((Integer)args[0]), ManagerHosted.JoinableQueueWire.class, false);
                break;
            case "queue":
                entry = new Entry(new ManagerHosted.HostedQueue<>((Integer)args[0]), BlockingQueue.class, false);
                break;
            default:
            {
                final Factory factory = factories.get(typeid);
                if (factory == null)
                {
                    throw new IllegalArgumentException("no type '" + typeid + "' is registered with the manager at " + bound);
                }
                final Object target = Objects.requireNonNull(factory.supplier.get(), "the factory of '" + typeid + "' returned null");
                if (!factory.type.isInstance(target))
                {
                    throw new IllegalArgumentException("the factory of '" + typeid + "' made a " + target.getClass().getName() +
                        ", which does not implement " + factory.type.getName());
                }
                entry = new Entry(target, factory.type, true);
            }
        }
        final long id = ids.incrementAndGet();
        objects.put(id, entry);
        return id;
    }

    private Object target(final long id)
    {
        final Entry e = objects.get(id);
        if (e == null)
        {
            throw new ManagerException("the manager (pid " + pid + ") holds no object #" + id);
        }
        return e.target;
    }

    /**
     * Make a result sendable: the views a collection hands out (key sets, entry sets, sub-lists) are not
     * serializable, so they travel as copies, as Python's proxies return copies of {@code keys()}.
     */
    static Object portable(final Object r)
    {
        if (r == null || r instanceof Serializable)
        {
            return r;
        }
        if (r instanceof Map.Entry)
        {
            return new AbstractMap.SimpleImmutableEntry<>((Map.Entry<?, ?>)r);
        }
        if (r instanceof Set)
        {
            final Set<Object> copy = new LinkedHashSet<>();
            for (final Object o : (Set<?>)r)
            {
                copy.add(o instanceof Map.Entry && !(o instanceof Serializable) ? new AbstractMap.SimpleImmutableEntry<>((Map.Entry<?, ?>)o) : o);
            }
            return copy;
        }
        if (r instanceof Collection)
        {
            return new ArrayList<>((Collection<?>)r);
        }
        if (r instanceof Map)
        {
            return new LinkedHashMap<>((Map<?, ?>)r);
        }
        return r;
    }

    // ---- the built-in objects

    static final class NamespaceImpl implements Namespace
    {
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get(final String name)
        {
            if (!attributes.containsKey(name))
            {
                throw new NoSuchElementException("'Namespace' object has no attribute '" + name + "'");
            }
            return (T)attributes.get(name);
        }

        @Override
        public void set(final String name, final Object value)
        {
            attributes.put(Objects.requireNonNull(name, "name"), value);
        }

        @Override
        public boolean contains(final String name)
        {
            return attributes.containsKey(name);
        }

        @Override
        public Object remove(final String name)
        {
            return attributes.remove(name);
        }

        @Override
        public Map<String, Object> asMap()
        {
            return new LinkedHashMap<>(attributes);
        }

        @Override
        public String toString()
        {
            final StringBuilder b = new StringBuilder("Namespace(");
            String sep = "";
            for (final Map.Entry<String, Object> e : attributes.entrySet())
            {
                b.append(sep).append(e.getKey()).append('=').append(e.getValue());
                sep = ", ";
            }
            return b.append(')').toString();
        }
    }
}

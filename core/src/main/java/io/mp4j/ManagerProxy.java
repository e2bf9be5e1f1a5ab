package io.mp4j;

import io.mp4j.manager.AuthenticationException;
import io.mp4j.manager.ManagerDiedException;
import io.mp4j.manager.ManagerException;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.SharedMemory;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The invocation handler behind every manager proxy, and the handle a proxy travels as: the manager's
 * address and pid, the object's id and its interface, and the authentication key only on the private
 * local channels of this JVM's own children (a {@link Process}'s specification on its standard input, a
 * pool task in its worker's mapped file: streams made by {@link #keyCarrying}). Anywhere else (a value
 * sent to a manager, which a manager over TCP would send in clear to any client, a queue, a pipe, a
 * cluster task) the key is left out, as Python pickles a proxy's authkey only for a child it spawns; the
 * receiving JVM then uses the key it already holds for that manager (from {@link Manager#start},
 * {@link Manager#connect}, or a proxy it received with its key), found by the address or by any other text
 * of it that reaches the same listener ({@link #heldKey}), or the first call fails naming the address.
 * The receiving JVM connects to the manager on its first call. Not for direct use.
 *
 * <p>Each thread of a JVM has one connection per manager, opened on its first call and shared by all that
 * thread's proxies of that manager: a blocking call (a lock, a queue's {@code take}) holds only its own
 * thread's connection, and a lock is owned by the calling thread of the calling process.
 */
final class ManagerProxy implements InvocationHandler, Serializable
{
    private static final long serialVersionUID = 1L;
    private static final ThreadLocal<HashMap<String, ManagerWire.Conn>> CONNECTIONS = ThreadLocal.withInitial(HashMap::new);
    /** Closes the connections of threads that are gone, so their server threads end too. */
    private static final Cleaner CLEANER = Cleaner.create(r ->
    {
        final Thread t = new Thread(r, "mp4j-manager-connection-cleaner");
        t.setDaemon(true);
        return t;
    });

    /** The keys this JVM holds, by manager address: what a proxy that arrived without its key uses. */
    private static final ConcurrentHashMap<String, byte[]> KEYS = new ConcurrentHashMap<>();

    final String address;
    /** {@link ManagerWire#identity} of {@link #address}, computed on first use. */
    private transient volatile String identity;
    /** Written by {@link #writeObject} only into a {@link #keyCarrying} stream; null until resolved otherwise. */
    private transient volatile byte[] key;
    final long serverPid;
    final long objectId;
    final String interfaceName;
    private transient volatile ManagerMethods methods;

    ManagerProxy(final String address, final byte[] key, final long serverPid, final long objectId, final String interfaceName)
    {
        this.address = address;
        this.key = key;
        this.serverPid = serverPid;
        this.objectId = objectId;
        this.interfaceName = interfaceName;
        if (key != null)
        {
            rememberKey(address, key);
        }
    }

    /**
     * Remember the key of the manager at this address, for the proxies of it this JVM receives without one.
     *
     * @param address the manager's address, in its text form.
     * @param key     its authentication key.
     */
    static void rememberKey(final String address, final byte[] key)
    {
        KEYS.put(address, key);
    }

    /**
     * An object output stream that writes the authentication keys of the proxies in it: only for the
     * private local channels to this JVM's own children and pool workers.
     *
     * @param out where the bytes go.
     * @return the stream.
     * @throws IOException as {@link ObjectOutputStream}'s constructor.
     */
    static ObjectOutputStream keyCarrying(final OutputStream out) throws IOException
    {
        return new KeyCarryingStream(out);
    }

    private static final class KeyCarryingStream extends ObjectOutputStream
    {
        KeyCarryingStream(final OutputStream out) throws IOException
        {
            super(out);
        }
    }

    private void writeObject(final ObjectOutputStream out) throws IOException
    {
        out.defaultWriteObject();
        out.writeObject(out instanceof KeyCarryingStream ? (key != null ? key : heldKey(address)) : null);
    }

    /**
     * The key this JVM holds for the manager at an address. The same Unix socket has many paths (found by
     * {@link ManagerWire#identity}), and the same TCP listener has many texts: clients
     * name it {@code tcp:localhost:p} or {@code tcp:127.0.0.1:p}, and a server bound to the wildcard knows
     * itself as {@code tcp:0.0.0.0:p}, and a proxy keeps the text of the JVM that made it. So where the text
     * is not held as such, the key of a held address that reaches the same listener is used: the same
     * resolved IP address and port (what a connection to either text would reach), or a held wildcard
     * address with that port when the IP address is one of this host's. Proxies are not re-tagged by the
     * server with the address each client used instead: a server sees only its socket's local address,
     * not the text a client wrote, and a proxy also travels through queues, pipes and other managers. Any
     * key found this way is only tried: the handshake still proves it to the server.
     *
     * @param address a manager's address, in its text form.
     * @return the key, or null if this JVM holds none for that manager.
     */
    static byte[] heldKey(final String address)
    {
        final byte[] exact = KEYS.get(address);
        if (exact != null)
        {
            return exact;
        }
        if (!address.startsWith("tcp:"))
        {
            // a Unix socket: the same file under another path (./, ../, a symbolic link to its directory)
            final String wanted = ManagerWire.identity(address);
            for (final Map.Entry<String, byte[]> held : KEYS.entrySet())
            {
                if (!held.getKey().startsWith("tcp:") && ManagerWire.identity(held.getKey()).equals(wanted))
                {
                    return held.getValue();
                }
            }
            return null;
        }
        final InetSocketAddress wanted = resolved(address);
        if (wanted == null)
        {
            return null;
        }
        for (final Map.Entry<String, byte[]> held : KEYS.entrySet())
        {
            if (held.getKey().startsWith("tcp:"))
            {
                final InetSocketAddress other = resolved(held.getKey());
                if (other != null && sameListener(wanted, other))
                {
                    return held.getValue();
                }
            }
        }
        return null;
    }

    private static InetSocketAddress resolved(final String address)
    {
        try
        {
            final InetSocketAddress inet = (InetSocketAddress)ManagerWire.parse(address);
            return inet.isUnresolved() ? null : inet;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    /** Whether connections to the two addresses reach the same listening socket. */
    static boolean sameListener(final InetSocketAddress a, final InetSocketAddress b)
    {
        if (a.getPort() != b.getPort())
        {
            return false;
        }
        final InetAddress x = a.getAddress();
        final InetAddress y = b.getAddress();
        return x.equals(y) || (x.isAnyLocalAddress() && isOfThisHost(y)) || (y.isAnyLocalAddress() && isOfThisHost(x));
    }

    private static boolean isOfThisHost(final InetAddress address)
    {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress())
        {
            return true;
        }
        try
        {
            return NetworkInterface.getByInetAddress(address) != null;
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }

    private void readObject(final ObjectInputStream in) throws IOException, ClassNotFoundException
    {
        in.defaultReadObject();
        final Object carried = in.readObject();
        if (carried != null && !(carried instanceof byte[]))
        {
            throw new InvalidObjectException("a manager proxy's key is a " + carried.getClass().getName());
        }
        if (carried != null)
        {
            key = (byte[])carried;
            rememberKey(address, key);
        }
    }

    /**
     * @return the authentication key of this proxy's manager: its own, or the one this JVM holds for the
     * address.
     * @throws ManagerException if this JVM holds none.
     */
    private byte[] key()
    {
        byte[] k = key;
        if (k == null)
        {
            k = heldKey(address);
            if (k == null)
            {
                throw new ManagerException("no authentication key for the manager at " + address + " in this JVM (pid " +
                    ProcessHandle.current().pid() + "), under that address or any other that reaches the same host and port: " +
                    "a proxy carries its key only to a Process it is an argument of or a pool task, never through a manager, " +
                    "a queue, a pipe or a network; call Manager.connect(" + address + ", key) in this JVM first, or pass " +
                    "the proxy to this process as an argument");
            }
            key = k;
        }
        return k;
    }

    static Object newProxy(final String address, final byte[] key, final long pid, final long id, final Class<?> type)
    {
        final ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader() : ManagerProxy.class.getClassLoader();
        return Proxy.newProxyInstance(loader, new Class<?>[]{ type }, new ManagerProxy(address, key, pid, id, type.getName()));
    }

    static ManagerProxy handlerOf(final Object proxy)
    {
        if (proxy != null && Proxy.isProxyClass(proxy.getClass()) && Proxy.getInvocationHandler(proxy) instanceof ManagerProxy)
        {
            return (ManagerProxy)Proxy.getInvocationHandler(proxy);
        }
        throw new IllegalArgumentException("not a manager proxy: " + (proxy == null ? "null" : proxy.getClass().getName()));
    }

    private ManagerMethods methods()
    {
        ManagerMethods m = methods;
        if (m == null)
        {
            try
            {
                m = ManagerMethods.of(Class.forName(interfaceName, false, classLoader()));
            }
            catch (final ClassNotFoundException ex)
            {
                throw new ManagerException("interface " + interfaceName + " of a manager proxy is not on this class path", ex);
            }
            methods = m;
        }
        return m;
    }

    private static ClassLoader classLoader()
    {
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ManagerProxy.class.getClassLoader();
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable
    {
        final String name = method.getName();
        final int parameters = method.getParameterCount();
        if (method.getDeclaringClass() == Object.class)
        {
            switch (name)
            {
                case "equals":
                    return args[0] != null && Proxy.isProxyClass(args[0].getClass()) &&
                        Proxy.getInvocationHandler(args[0]) instanceof ManagerProxy &&
                        sameObject((ManagerProxy)Proxy.getInvocationHandler(args[0]));
                case "hashCode":
                    return identity().hashCode() * 31 + Long.hashCode(objectId);
                default:
                    try
                    {
                        return call(ManagerWire.TO_STRING, null, method);
                    }
                    catch (final ManagerException ex)
                    {
                        return "<proxy of " + interfaceName + " #" + objectId + " at " + address + ": " + ex.getMessage() + ">";
                    }
            }
        }
        if (proxy instanceof Collection && isIteration(name, parameters))
        {
            // iteration works on a snapshot, taken in one call, as Python's proxies copy for iteration
            final Object[] items = (Object[])call(methods().indexOf("toArray"), null, method);
            final List<Object> snapshot = Collections.unmodifiableList(Arrays.asList(items));
            try
            {
                return method.invoke(snapshot, args);
            }
            catch (final InvocationTargetException ex)
            {
                throw ex.getCause();
            }
        }
        if (proxy instanceof BlockingQueue && "drainTo".equals(name))
        {
            // the collection is local: the server drains into a list that comes back, in one call
            @SuppressWarnings("unchecked") final Collection<Object> target = (Collection<Object>)args[0];
            if (target == proxy)
            {
                throw new IllegalArgumentException("cannot drain a queue into itself");
            }
            final int max = parameters == 2 ? (Integer)args[1] : Integer.MAX_VALUE;
            final List<?> drained = (List<?>)call(ManagerWire.DRAIN_TO, new Object[]{ max }, method);
            target.addAll(drained);
            return drained.size();
        }
        if (proxy instanceof Map && "forEach".equals(name) && parameters == 1)
        {
            @SuppressWarnings("unchecked") final Set<Map.Entry<Object, Object>> entries =
                (Set<Map.Entry<Object, Object>>)call(methods().indexOf("entrySet"), null, method);
            @SuppressWarnings("unchecked") final BiConsumer<Object, Object> action = (BiConsumer<Object, Object>)args[0];
            for (final Map.Entry<Object, Object> e : entries)
            {
                action.accept(e.getKey(), e.getValue());
            }
            return null;
        }
        return call(methods().indexOf(method), args, method);
    }

    private static boolean isIteration(final String name, final int parameters)
    {
        switch (name)
        {
            case "iterator":
            case "spliterator":
            case "stream":
            case "parallelStream":
                return parameters == 0;
            case "listIterator":
            case "forEach":
                return true;
            default:
                return false;
        }
    }

    /**
     * @return the identity of this proxy's manager: proxies of one manager made under different texts of
     * its address (tcp:localhost:p and tcp:127.0.0.1:p, two paths of one socket) are of one manager, share
     * this thread's connection to it, and compare equal for the same object.
     */
    String identity()
    {
        String id = identity;
        if (id == null)
        {
            id = ManagerWire.identity(address);
            identity = id;
        }
        return id;
    }

    private boolean sameObject(final ManagerProxy other)
    {
        return other.objectId == objectId && other.identity().equals(identity());
    }

    /**
     * A call never meets a pending interrupt on the connection: a socket channel closes when it is used by an
     * interrupted thread, and the server would release every lock this thread holds. A call that declares
     * {@link InterruptedException} throws it at once, as {@code java.util.concurrent} does; any other call
     * runs with the interrupt status cleared and sets it again when it returns. An interrupt that arrives during
     * a call ends it only if it declares {@code InterruptedException}: the connection is then closed, so that
     * the server stops the call and takes nothing for it, and releases the locks the thread holds through it
     * (see {@link ManagerWire.Conn#interruptible}).
     */
    private Object call(final int methodIndex, final Object[] args, final Method method) throws Throwable
    {
        if (declares(method, InterruptedException.class))
        {
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            return callConnected(methodIndex, args, method);
        }
        final boolean keptInterrupt = Thread.interrupted();
        try
        {
            return callConnected(methodIndex, args, method);
        }
        finally
        {
            if (keptInterrupt)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Object callConnected(final int methodIndex, final Object[] args, final Method method) throws Throwable
    {
        final String id = identity();
        ManagerWire.Conn conn = CONNECTIONS.get().get(id);
        if (conn == null)
        {
            conn = connection(id, address, key(), serverPid);
        }
        conn.begin().putByte(ManagerWire.OP_CALL).putLong(objectId).putInt(methodIndex);
        final int argc = args == null ? 0 : args.length;
        conn.putByte((byte)argc);
        for (int i = 0; i < argc; i++)
        {
            try
            {
                conn.putValue(args[i]);
            }
            catch (final ObjectStreamException | RuntimeException ex)
            {
                throw new ManagerException("argument " + i + " of " + method.getDeclaringClass().getSimpleName() + "." +
                    method.getName() + " cannot be sent to the manager: " + ex + (args[i] != null &&
                    args[i].getClass().isSynthetic() ? " (a lambda: register a type whose method does the work, or hold a manager lock)" : ""), ex);
            }
        }
        final ByteBuffer response;
        conn.interruptible = declares(method, InterruptedException.class);
        try
        {
            response = roundTrip(conn, address, serverPid);
        }
        catch (final ManagerException ex)
        {
            if (ex.getCause() instanceof ClosedByInterruptException && conn.interruptible)
            {
                // as a blocking call in this JVM: the interrupt is reported by the exception, its flag cleared
                Thread.interrupted();
                final InterruptedException interrupted = new InterruptedException(ex.getMessage());
                interrupted.initCause(ex);
                throw interrupted;
            }
            throw ex;
        }
        finally
        {
            conn.interruptible = false;
        }
        return result(response, method, address, serverPid);
    }

    private static boolean declares(final Method method, final Class<?> exception)
    {
        if (method == null)
        {
            return false;
        }
        for (final Class<?> declared : method.getExceptionTypes())
        {
            if (declared.isAssignableFrom(exception))
            {
                return true;
            }
        }
        return false;
    }

    static Object result(final ByteBuffer response, final Method method, final String address, final long pid) throws Throwable
    {
        final byte status = response.get();
        final Object value;
        try
        {
            value = ManagerWire.getValue(response);
        }
        catch (final IOException ex)
        {
            throw new ManagerException("cannot read the manager's answer" + (method != null ? " to " + method.getName() : "") + ": " + ex, ex);
        }
        if (status == ManagerWire.STATUS_OK)
        {
            return value;
        }
        final Throwable remote = localize((Throwable)value, pid, address);
        if (remote instanceof RuntimeException || remote instanceof Error)
        {
            throw remote;
        }
        if (method != null)
        {
            for (final Class<?> declared : method.getExceptionTypes())
            {
                if (declared.isInstance(remote))
                {
                    throw remote;
                }
            }
        }
        throw new ManagerException("the manager's " + (method != null ? method.getName() : "call") + " threw " + remote, remote);
    }

    /**
     * The remote stack trace, cut below the server's reflective dispatch, then a marker frame, then this
     * thread's stack: read top-down it is the whole story, as RMI tells it.
     */
    private static Throwable localize(final Throwable remote, final long pid, final String address)
    {
        final StackTraceElement[] there = remote.getStackTrace();
        int cut = there.length;
        for (int i = 0; i < there.length; i++)
        {
            final String cls = there[i].getClassName();
            if (cls.startsWith("jdk.internal.reflect.") || cls.equals("java.lang.reflect.Method") || cls.startsWith("io.mp4j.ManagerServer"))
            {
                cut = i;
                break;
            }
        }
        final StackTraceElement[] here = new Throwable().getStackTrace();
        final StackTraceElement[] all = new StackTraceElement[cut + 1 + here.length];
        System.arraycopy(there, 0, all, 0, cut);
        all[cut] = new StackTraceElement("<<mp4j manager pid " + pid + " at " + address + ">>", "remote call", null, -1);
        System.arraycopy(here, 0, all, cut + 1, here.length);
        remote.setStackTrace(all);
        return remote;
    }

    static ByteBuffer roundTrip(final ManagerWire.Conn conn, final String address, final long pid)
    {
        try
        {
            conn.send();
            return conn.receive();
        }
        catch (final ClosedByInterruptException ex)
        {
            drop(conn);
            throw new ManagerException("interrupted while waiting for the manager at " + address +
                "; this thread's connection was closed (the manager releases the locks it held)", ex);
        }
        catch (final IOException ex)
        {
            drop(conn);
            throw died(address, pid, "its connection broke", ex);
        }
    }

    static ManagerDiedException died(final String address, final long pid, final String what, final Throwable cause)
    {
        final String alive = pid > 0 && address.startsWith("unix:")
            ? ProcessHandle.of(pid).map(h -> h.isAlive() ? ", still running" : ", no longer running").orElse(", no longer running")
            : "";
        return new ManagerDiedException("the manager (server pid " + (pid > 0 ? pid : "unknown") + alive + ") at " + address +
            " is gone: " + what + " (" + cause + "); the objects it held are lost", cause);
    }

    /**
     * This thread's connection to a manager, opened if it has none.
     *
     * @param identity the manager's {@link ManagerWire#identity}: the key of this thread's connections.
     * @param address  its address as the caller names it, to connect to and to name in messages.
     */
    static ManagerWire.Conn connection(final String identity, final String address, final byte[] key, final long pid)
    {
        final HashMap<String, ManagerWire.Conn> open = CONNECTIONS.get();
        ManagerWire.Conn conn = open.get(identity);
        if (conn == null)
        {
            conn = open(address, key, pid);
            open.put(identity, conn);
            // held by the connection, cleaned when it is dropped: a registration left behind would keep the
            // closed connection (buffers, mailbox) reachable for as long as this thread lives
            conn.closer = CLEANER.register(Thread.currentThread(), conn::close);
        }
        return conn;
    }

    /**
     * Open and authenticate a connection.
     *
     * @return the connection; its server pid is in {@code pidOut[0]} if given.
     */
    static ManagerWire.Conn open(final String address, final byte[] key, final long pid, final long... pidOut)
    {
        final ManagerWire.Conn conn;
        try
        {
            conn = ManagerWire.Conn.client(ManagerWire.connect(ManagerWire.parse(address)));
        }
        catch (final IOException ex)
        {
            throw died(address, pid, "cannot connect", ex);
        }
        try
        {
            final long serverPid = ManagerWire.clientHandshake(conn, key, address);
            if (pidOut.length > 0)
            {
                pidOut[0] = serverPid;
            }
            upgradeToMailbox(conn, address);
            return conn;
        }
        catch (final AuthenticationException ex)
        {
            conn.close();
            throw ex;
        }
        catch (final IOException ex)
        {
            conn.close();
            throw died(address, pid, "the handshake failed", ex);
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong MAILBOXES = new java.util.concurrent.atomic.AtomicLong();

    /**
     * On a Unix socket (same host, same user), move the connection onto a shared-memory mailbox in the
     * server's runtime directory (as private as the socket): a call then costs no system call while each
     * side answers within the other's spin phase. The file is unlinked once both sides have mapped it.
     * Where anything fails, the connection simply stays on the socket.
     */
    private static void upgradeToMailbox(final ManagerWire.Conn conn, final String address) throws IOException
    {
        if (!address.startsWith("unix:"))
        {
            return;
        }
        final java.nio.file.Path dir = java.nio.file.Paths.get(address.substring("unix:".length())).toAbsolutePath().getParent();
        final SharedMemory block;
        try
        {
            block = SharedMemory.create(RuntimeDirectory.attach(dir),
                "conn-" + ProcessHandle.current().pid() + "-" + MAILBOXES.incrementAndGet(), ManagerMailbox.SIZE);
        }
        catch (final RuntimeException ex)
        {
            return;
        }
        boolean used = false;
        try
        {
            conn.begin().putByte(ManagerWire.OP_MAILBOX).putValue(block.path().toString());
            conn.send();
            if (conn.receive().get() == ManagerWire.STATUS_OK)
            {
                conn.useMailbox(new ManagerMailbox(block, conn, ManagerMailbox.CLIENT));
                used = true;
            }
        }
        finally
        {
            block.unlink();
            if (!used)
            {
                block.close();
            }
        }
    }

    /**
     * Drop this thread's connection to the address if its server is gone (a manager restarted at the same
     * address): a live one is kept, since the locks this thread holds through it would be released with it.
     *
     * @param identity the manager's {@link ManagerWire#identity}.
     */
    static void dropIfGone(final String identity)
    {
        final ManagerWire.Conn conn = CONNECTIONS.get().get(identity);
        if (conn != null && conn.peerGone())
        {
            drop(identity);
        }
    }

    /**
     * Close this thread's connection to a manager, if it has one.
     *
     * @param identity the manager's {@link ManagerWire#identity}.
     */
    static void drop(final String identity)
    {
        final ManagerWire.Conn conn = CONNECTIONS.get().remove(identity);
        if (conn != null)
        {
            close(conn);
        }
    }

    /** Close a connection of this thread that failed, and forget it. */
    private static void drop(final ManagerWire.Conn conn)
    {
        CONNECTIONS.get().values().remove(conn);
        close(conn);
    }

    /** Close it and cancel its registration with the cleaner (which closes it, once). */
    private static void close(final ManagerWire.Conn conn)
    {
        if (conn.closer != null)
        {
            conn.closer.clean();
        }
        else
        {
            conn.close();
        }
    }

    /**
     * Forget the key of a manager this JVM started and has shut down.
     *
     * @param address the manager's address, in its text form.
     */
    static void forgetKey(final String address)
    {
        KEYS.remove(address);
    }
}

package io.mp4j;

import io.mp4j.manager.AuthenticationException;
import io.mp4j.manager.ManagerDiedException;
import io.mp4j.manager.ManagerException;
import io.mp4j.manager.Namespace;
import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Condition;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;

import java.io.IOException;
import java.io.ObjectStreamException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A server JVM that holds shared objects, used by any number of processes through proxies: Python's
 * {@code multiprocessing.Manager}.
 *
 * <pre>{@code
 * static void worker(Map<Integer, Integer> dict, List<Integer> list, int id)
 * {
 *     dict.put(id, id * 10);
 *     list.add(id);
 * }
 *
 * try (Manager manager = Manager.start())
 * {
 *     Map<Integer, Integer> dict = manager.dict();
 *     List<Integer> list = manager.list();
 *     List<Process> processes = new ArrayList<>();
 *     for (int i = 0; i < 4; i++)
 *     {
 *         Process p = Process.of(Demo::worker, dict, list, i);   // proxies travel as handles
 *         processes.add(p);
 *         p.start();
 *     }
 *     for (Process p : processes)
 *     {
 *         p.join();
 *     }
 *     System.out.println("Dict: " + dict + ", List: " + list);
 * }
 * }</pre>
 *
 * <p><b>Objects.</b> {@link #dict()} is a {@link Map}, {@link #list()} a {@link List}, {@link #namespace()} a
 * {@link Namespace}. The synchronisation objects, values, arrays and queues have the same interfaces as the
 * memory-mapped ones, so code written against {@link Lock}, {@link RLock}, {@link Semaphore},
 * {@link BoundedSemaphore}, {@link Event}, {@link Condition}, {@link Barrier}, {@link Value}, {@link Array},
 * {@link Queue} or {@link JoinableQueue} takes either: {@link #lock()}, {@link #rlock()}, {@link #semaphore}, {@link #boundedSemaphore},
 * {@link #event()}, {@link #condition()}, {@link #barrier}, {@link #value}, {@link #array}, {@link #queue()} and
 * {@link #joinableQueue}.
 * What cannot cross a process is handled here and said in each method's Javadoc: an idle strategy is ignored
 * (the waiting happens in the server), a barrier's action is given at creation and runs in the server, the
 * queue's byte methods copy, {@code close()} closes nothing (the object lives in the manager until
 * {@link #release} or shutdown). User types are registered with a factory and an interface
 * ({@link #register}) and made with {@link #create}; a proxy is a dynamic proxy of the interface whose
 * calls run in the server. Every method of a data object (dict, list, namespace, value, array, user type)
 * runs under that object's monitor in the server, so a method of a registered type is atomic: that is how
 * a compound update is made atomic, or else by holding a manager {@link #lock()} around it.
 *
 * <p><b>Values</b> travel by copy: arguments and results are sent with a compact encoding for
 * {@code null}, {@code String}, {@code Integer}, {@code Long}, {@code Double}, {@code Boolean} and
 * {@code byte[]}, and Java serialization for the rest, read through an {@link java.io.ObjectInputFilter}
 * (limits by default; the system property {@value ManagerWire#SERIAL_FILTER_PROPERTY} takes a full
 * {@code jdk.serialFilter} pattern). Mutating an object you got from a proxy (a list stored in the dict,
 * say) changes your copy only, as in Python. Iterating a collection proxy iterates a snapshot taken in one
 * call; {@code keySet()}, {@code values()} and {@code entrySet()} return copies. Lambdas are not sent:
 * {@code map.merge(k, 1, Integer::sum)} fails with a clear exception.
 *
 * <p><b>Proxies</b> are {@link java.io.Serializable}: passed to a {@link Process} (or a pool task) they
 * travel as a handle (address, authentication key, server pid, object id, interface) and connect on their
 * first call. Serialized any other way (stored in a manager object, put in a queue or pipe, sent to a
 * cluster) they leave the key out, as Python's proxies do: the receiving JVM uses the key it already holds
 * for that address (from {@code start}, {@link #connect}, or a proxy it received as a process argument or
 * pool task), else the first call throws {@link ManagerException} naming the address. Each thread has one connection per manager, so a call blocked in the server (a lock, a
 * queue's {@code take}) blocks only its own thread; a lock belongs to the thread that took it, and the
 * server releases the locks of a connection that ends (its process died).
 *
 * <p><b>Transport and security.</b> By default the server listens on a Unix domain socket in the runtime
 * directory of the context (directory 0700, socket 0600). {@link Builder#address} with an
 * {@link InetSocketAddress} listens on TCP instead (use 127.0.0.1 unless other hosts must connect; the
 * server listens on all interfaces only when given the wildcard address, and then warns on its standard
 * error). Every connection starts
 * with a mutual HMAC-SHA256 challenge-response on the authentication key (random unless given); the key
 * itself never travels. A client with a wrong key gets an {@link AuthenticationException}, and the server
 * logs the refusal on its standard error. Another JVM connects with {@link #connect} and finds objects
 * by the names they were {@link #bind bound} to.
 *
 * <p><b>Failure.</b> If the server JVM dies, the next call through any proxy, or one blocked in a call,
 * throws {@link ManagerDiedException} naming the server's pid and address; it never hangs. The server
 * is a daemon child of the JVM that started it, so it never outlives it.
 *
 * <p>Memory consistency effects: a call through a proxy is a request and a response on a socket, so
 * actions of the calling thread before the call happen-before the method's execution in the server, which
 * happens-before the call returns; calls on one data object are ordered by its monitor in the server.
 *
 * <p>A {@code Manager} is thread-safe; proxies are thread-safe. A thread's connections are closed when the
 * thread is gone (collected), and by {@link #close()} for the calling thread.
 */
public final class Manager implements AutoCloseable
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    private final String address;
    /** {@link ManagerWire#identity} of the address: what proxies of this manager are recognised by. */
    private final String identity;
    private final byte[] key;
    private final long pid;
    private final Process process;
    private final Path socketFile;
    private volatile boolean closed;

    private Manager(final String address, final byte[] key, final long pid, final Process process, final Path socketFile)
    {
        this.address = address;
        this.identity = ManagerWire.identity(address);
        this.key = key;
        this.pid = pid;
        this.process = process;
        this.socketFile = socketFile;
    }

    /**
     * Start a manager with the defaults: a Unix domain socket in the global context's runtime directory,
     * and a random authentication key.
     *
     * @return the running manager.
     */
    public static Manager start()
    {
        return builder().start();
    }

    /**
     * @return a builder to choose the address, key or context.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Connect to a manager started by another JVM (Python's {@code BaseManager(address, authkey).connect()}).
     * The returned manager does not own the server: {@link #close()} only closes this thread's connection,
     * which all of this thread's proxies of that manager share (so the server releases the manager locks
     * this thread holds through any of them). Connecting keeps the calling thread's open connection to that
     * address, and the locks it holds.
     *
     * @param address the manager's address ({@link InetSocketAddress} or {@link UnixDomainSocketAddress}).
     * @param authKey its authentication key.
     * @return a manager for it.
     * @throws AuthenticationException if the key is wrong.
     * @throws ManagerDiedException    if nothing answers there.
     */
    public static Manager connect(final SocketAddress address, final byte[] authKey)
    {
        final String text = ManagerWire.format(address);
        final byte[] key = authKey.clone();
        final long[] pid = new long[1];
        ManagerProxy.dropIfGone(ManagerWire.identity(text));
        final ManagerWire.Conn conn = ManagerProxy.open(text, key, 0, pid);
        conn.close();
        ManagerProxy.rememberKey(text, key);
        return new Manager(text, key, pid[0], null, null);
    }

    /**
     * Run a manager server in this JVM until a client shuts it down, which ends this JVM: Python's
     * {@code manager.get_server().serve_forever()}, for a program whose only job is to be the server that
     * other JVMs {@link #connect} to. Register types and bind objects from a client.
     *
     * @param address where to listen (an {@link InetSocketAddress}, 127.0.0.1 unless other hosts must
     *                connect, or a {@link UnixDomainSocketAddress}).
     * @param authKey the authentication key clients must hold.
     * @throws IOException if it cannot listen there.
     */
    public static void serveForever(final SocketAddress address, final byte[] authKey) throws IOException
    {
        if (authKey.length == 0)
        {
            throw new IllegalArgumentException("an empty authentication key protects nothing");
        }
        ManagerServer.serve(new ManagerServer.Config(ManagerWire.format(address), authKey.clone(), null));
    }

    /** Chooses how a {@link Manager} is started. */
    public static final class Builder
    {
        private SocketAddress address;
        private byte[] authKey;
        private Context context;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;

        private Builder()
        {
        }

        /**
         * Listen here instead of a Unix domain socket in the runtime directory: an {@link InetSocketAddress}
         * for TCP (port 0 picks a free port, see {@link Manager#address()}) or a
         * {@link UnixDomainSocketAddress}.
         *
         * @param address where the server listens.
         * @return this builder.
         */
        public Builder address(final SocketAddress address)
        {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param authKey the authentication key (Python's {@code authkey}); random 32 bytes if not given.
         * @return this builder.
         */
        public Builder authKey(final byte[] authKey)
        {
            if (authKey.length == 0)
            {
                throw new IllegalArgumentException("an empty authentication key protects nothing");
            }
            this.authKey = authKey.clone();
            return this;
        }

        /**
         * @param context where the server JVM and its socket come from; the global context if not given.
         * @return this builder.
         */
        public Builder context(final Context context)
        {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * @param timeout how long {@link #start()} waits for the server to listen.
         * @return this builder.
         */
        public Builder startTimeout(final Duration timeout)
        {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Start the server JVM and wait until it listens.
         *
         * @return the running manager.
         * @throws IllegalStateException if the server died or did not listen within the start timeout.
         */
        public Manager start()
        {
            final Context ctx = context != null ? context : Context.global();
            final RuntimeDirectory dir = ctx.directory();
            final String token = Long.toHexString(RANDOM.nextLong() >>> 24);
            final Path socketFile = address == null ? dir.resolve("manager-" + token + ".sock") : null;
            final String requested = address == null ? "unix:" + socketFile : ManagerWire.format(address);
            final byte[] key = authKey != null ? authKey : ManagerWire.newKey();
            final Path ready = dir.resolve("manager-" + token + ".ready");
            final Process server = Process.of(ManagerServer::serve, new ManagerServer.Config(requested, key, ready.toString()))
                .daemon(true).context(ctx).name("Manager-" + token);
            server.start();
            warmUpClient();
            final String bound = awaitReady(server, ready, startTimeout);
            ManagerProxy.rememberKey(bound, key);
            return new Manager(bound, key, server.pid(), server,
                address instanceof UnixDomainSocketAddress ? ((UnixDomainSocketAddress)address).getPath() : socketFile);
        }

        /**
         * While the server's JVM starts, pay this JVM's first-connection costs (the handshake's cryptography,
         * mapping a mailbox, Agrona's buffers) on a daemon thread: not on the caller's, where they delayed
         * {@code start()} by up to 200 ms with a long class path (the JCA providers are looked up in every jar).
         */
        private static void warmUpClient()
        {
            final Thread warm = new Thread(ManagerWire::warmUpConnection, "mp4j-manager-client-warm-up");
            warm.setDaemon(true);
            warm.start();
        }

        /** Uninterruptible: the interrupt status is set again on return (with it set, the parks would spin). */
        private static String awaitReady(final Process server, final Path ready, final Duration timeout)
        {
            final boolean keptInterrupt = Thread.interrupted();
            try
            {
                return awaitReadyFile(server, ready, timeout);
            }
            finally
            {
                if (keptInterrupt)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static String awaitReadyFile(final Process server, final Path ready, final Duration timeout)
        {
            final long deadline = System.nanoTime() + io.mp4j.shm.IdleStrategies.toNanos(timeout);
            long pause = 100_000;
            while (true)
            {
                try
                {
                    final String bound = Files.readString(ready, StandardCharsets.UTF_8);
                    Files.deleteIfExists(ready);
                    return bound;
                }
                catch (final NoSuchFileException ex)
                {
                    // not ready yet
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException("cannot read " + ready + ": " + ex, ex);
                }
                if (!server.isAlive())
                {
                    throw new IllegalStateException("the manager server (pid " + server.pid() + ") exited with code " +
                        server.exitCode().orElse(-1) + " before listening: " + String.join("\n", server.stderrTail()));
                }
                if (System.nanoTime() - deadline > 0)
                {
                    server.kill();
                    throw new IllegalStateException("the manager server (pid " + server.pid() + ") did not listen within " + timeout);
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, 10_000_000);
            }
        }
    }

    /**
     * @return where the server listens (with the actual port if port 0 was asked for).
     */
    public SocketAddress address()
    {
        return ManagerWire.parse(address);
    }

    /**
     * @return the server JVM's pid.
     */
    public long pid()
    {
        return pid;
    }

    /**
     * @return a copy of the authentication key, to give to {@link #connect} in another JVM.
     */
    public byte[] authKey()
    {
        return key.clone();
    }

    /**
     * @return whether this JVM started the server (and {@link #close()} stops it).
     */
    public boolean isOwner()
    {
        return process != null;
    }

    // ---- built-in objects

    /**
     * @param <K> the key type.
     * @param <V> the value type.
     * @return a new shared map (insertion-ordered, as a Python dict).
     */
    public <K, V> Map<K, V> dict()
    {
        return make("dict", Map.class);
    }

    /**
     * @param initial the initial entries, copied (Python's {@code manager.dict(mapping)}).
     * @param <K>     the key type.
     * @param <V>     the value type.
     * @return a new shared map.
     */
    public <K, V> Map<K, V> dict(final Map<? extends K, ? extends V> initial)
    {
        return make("dict", Map.class, new java.util.LinkedHashMap<>(initial));
    }

    /**
     * @param <E> the element type.
     * @return a new shared list.
     */
    public <E> List<E> list()
    {
        return make("list", List.class);
    }

    /**
     * @param initial the initial elements, copied (Python's {@code manager.list(sequence)}).
     * @param <E>     the element type.
     * @return a new shared list.
     */
    public <E> List<E> list(final java.util.Collection<? extends E> initial)
    {
        return make("list", List.class, new java.util.ArrayList<>(initial));
    }

    /**
     * @return a new namespace (named attributes).
     */
    public Namespace namespace()
    {
        return make("namespace", Namespace.class);
    }

    /**
     * Python's {@code manager.Value(typecode, value)}, with the {@link Value} interface of a memory-mapped
     * value: typed accessors and atomic operations, each one call run atomically in the server, and
     * {@link Value#getLock()} a manager {@link RLock} made with it to guard compound updates.
     *
     * @param typecode {@code "i"}, {@code "l"}, {@code "d"} or {@code "?"} (see {@link ElementType#fromTypecode}).
     * @param initial  a {@link Number} or {@link Boolean} that fits the type.
     * @return a new shared value.
     * @throws IllegalArgumentException if the typecode is not one of those or the initial value does not fit.
     */
    public Value value(final String typecode, final Object initial)
    {
        final ElementType type = ElementType.fromTypecode(typecode);
        final ManagedRLock lock = new ManagedRLock(make("rlock", ManagerHosted.LockWire.class));
        try
        {
            return new ManagedValue(make("value", ManagerHosted.ValueWire.class, typecode, initial, idOf(lock.remote)), lock, type);
        }
        catch (final RuntimeException ex)
        {
            release(lock);
            throw ex;
        }
    }

    /**
     * Python's {@code manager.Array(typecode, size)}: zeros, with the {@link Array} interface of a
     * memory-mapped array and a manager {@link RLock} as {@link Array#getLock()}.
     *
     * @param typecode {@code "i"}, {@code "l"}, {@code "d"} or {@code "b"}.
     * @param length   the number of elements, at least 0.
     * @return a new shared array.
     */
    public Array array(final String typecode, final int length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("array length must be >= 0, not " + length);
        }
        return newArray(typecode, length, length);
    }

    /**
     * Python's {@code manager.Array(typecode, sequence)}: a copy of {@code values}.
     *
     * @param typecode {@code "i"}, {@code "l"}, {@code "d"} or {@code "b"}.
     * @param values   an {@code int[]}, {@code long[]}, {@code double[]} or {@code byte[]} matching the typecode.
     * @return a new shared array.
     * @throws IllegalArgumentException if {@code values} is not a Java array of the typecode's type.
     */
    public Array array(final String typecode, final Object values)
    {
        final ElementType type = ElementType.fromTypecode(typecode);
        if (type == ElementType.BOOLEAN || values == null || values.getClass().getComponentType() != ManagerHosted.HostedArray.javaType(type))
        {
            throw new IllegalArgumentException("an Array of '" + typecode + "' is made from " +
                (type == ElementType.BOOLEAN ? "nothing: arrays hold int, long, double or byte" :
                    "a " + ManagerHosted.HostedArray.javaType(type).getName() + "[], not " + (values == null ? "null" : values.getClass().getSimpleName())));
        }
        return newArray(typecode, values, java.lang.reflect.Array.getLength(values));
    }

    private Array newArray(final String typecode, final Object initial, final int length)
    {
        final ElementType type = ElementType.fromTypecode(typecode);
        final ManagedRLock lock = new ManagedRLock(make("rlock", ManagerHosted.LockWire.class));
        try
        {
            return new ManagedArray(make("array", ManagerHosted.ArrayWire.class, typecode, initial, idOf(lock.remote)), lock, type, length);
        }
        catch (final RuntimeException ex)
        {
            release(lock);
            throw ex;
        }
    }

    /**
     * Python's {@code manager.Lock()}: not reentrant; {@code release()} by any thread of any process,
     * {@code unlock()} by the holder. A holding whose connection ends (the holder's process died) is released
     * by the server, and the next holder sees {@link SharedLock#previousOwnerDied()} true.
     *
     * @return a new lock.
     */
    public Lock lock()
    {
        return new ManagedLock(make("lock", ManagerHosted.LockWire.class));
    }

    /**
     * Python's {@code manager.RLock()}: reentrant, owned by the thread that takes it.
     *
     * @return a new reentrant lock.
     */
    public RLock rlock()
    {
        return new ManagedRLock(make("rlock", ManagerHosted.LockWire.class));
    }

    /**
     * Python's {@code manager.Semaphore(value)}.
     *
     * @param value the initial permits, at least 0.
     * @return a new semaphore.
     */
    public Semaphore semaphore(final long value)
    {
        return new ManagedSemaphore(make("semaphore", ManagerHosted.SemaphoreWire.class, value));
    }

    /**
     * Python's {@code manager.BoundedSemaphore(value)}: releasing above {@code value} throws
     * {@link IllegalStateException}.
     *
     * @param value the initial and largest number of permits, at least 0.
     * @return a new bounded semaphore.
     */
    public BoundedSemaphore boundedSemaphore(final long value)
    {
        return new ManagedBoundedSemaphore(make("boundedSemaphore", ManagerHosted.SemaphoreWire.class, value));
    }

    /**
     * Python's {@code manager.Event()}.
     *
     * @return a new event, initially clear.
     */
    public Event event()
    {
        return new ManagedEvent(make("event", ManagerHosted.EventWire.class));
    }

    /**
     * Python's {@code manager.Condition()}: with a new manager {@link RLock}, which
     * {@link Condition#getLock()} returns.
     *
     * @return a new condition.
     */
    public Condition condition()
    {
        return condition(rlock());
    }

    /**
     * Python's {@code manager.Condition(lock)}.
     *
     * @param lock a {@link Lock} or {@link RLock} of this manager.
     * @return a new condition bound to it.
     * @throws IllegalArgumentException if the lock is not one of this manager's.
     */
    public Condition condition(final SharedLock lock)
    {
        if (!(lock instanceof ManagedSharedLock) || !ManagerProxy.handlerOf(((ManagedSharedLock)lock).remote).identity().equals(identity))
        {
            throw new IllegalArgumentException("a manager Condition needs a lock of the same manager (" + address + "), not " + lock);
        }
        final ManagedSharedLock managed = (ManagedSharedLock)lock;
        return new ManagedCondition(make("condition", ManagerHosted.ConditionWire.class, idOf(managed.remote)), managed);
    }

    /**
     * Python's {@code manager.Barrier(parties)}.
     *
     * @param parties how many must arrive, at least 1.
     * @return a new cyclic barrier.
     */
    public Barrier barrier(final int parties)
    {
        return barrier(parties, null, null);
    }

    /**
     * Python's {@code manager.Barrier(parties, action, timeout)}. The action is sent to the server and run
     * there by the last arrival of each generation, as Python's manager runs it; if it throws, the barrier
     * breaks and the last arrival gets the exception (a checked one wrapped in an {@link IllegalStateException}).
     *
     * @param parties how many must arrive, at least 1.
     * @param action  run in the server on each trip, or null.
     * @param timeout the default timeout of {@link Barrier#await()}, or null for none.
     * @return a new cyclic barrier.
     */
    public Barrier barrier(final int parties, final SerializableRunnable action, final Duration timeout)
    {
        if (parties < 1)
        {
            throw new IllegalArgumentException("a barrier needs at least 1 party, not " + parties);
        }
        final long nanos = ManagerHosted.nanos(timeout);
        return new ManagedBarrier(make("barrier", ManagerHosted.BarrierWire.class, parties, action, nanos), parties, nanos);
    }

    /**
     * Python's {@code manager.Queue()}: unbounded.
     *
     * @param <E> the element type.
     * @return a new queue.
     */
    public <E> Queue<E> queue()
    {
        return queue(0);
    }

    /**
     * Python's {@code manager.Queue(maxsize)}, with the {@link Queue} interface; sizes count elements.
     *
     * @param capacity the most elements it holds ({@code put} waits, {@code offer} returns false beyond);
     *                 0 for unbounded, as Python's {@code maxsize}.
     * @param <E>      the element type.
     * @return a new queue.
     */
    public <E> Queue<E> queue(final int capacity)
    {
        if (capacity < 0)
        {
            throw new IllegalArgumentException("queue capacity must be >= 0 (0: unbounded), not " + capacity);
        }
        final BlockingQueue<E> remote = make("queue", BlockingQueue.class, capacity);
        return new ManagedQueue<>(remote, capacity == 0 ? Integer.MAX_VALUE : capacity);
    }

    /**
     * Python's {@code manager.JoinableQueue(maxsize)}, with the {@link JoinableQueue} interface: a
     * {@link #queue(int)} that also counts the tasks not yet marked done.
     *
     * @param capacity the most elements it holds; 0 for unbounded.
     * @param <E>      the element type.
     * @return a new joinable queue.
     */
    public <E> JoinableQueue<E> joinableQueue(final int capacity)
    {
        if (capacity < 0)
        {
            throw new IllegalArgumentException("queue capacity must be >= 0 (0: unbounded), not " + capacity);
        }
        final ManagerHosted.JoinableQueueWire<E> remote = make("joinableQueue", ManagerHosted.JoinableQueueWire.class, capacity);
        return new ManagedJoinableQueue<>(remote, capacity == 0 ? Integer.MAX_VALUE : capacity);
    }

    private static long idOf(final Object proxy)
    {
        return ManagerProxy.handlerOf(proxy).objectId;
    }

    /** The manager proxy behind an object this manager handed out. */
    private static Object unwrap(final Object object)
    {
        return object instanceof ManagerAdapter ? ((ManagerAdapter<?>)object).remote() : object;
    }

    /** Dress a proxy of an internal interface (from {@link #lookup}) in its public adapter. */
    private Object wrap(final Object proxy)
    {
        if (proxy instanceof ManagerHosted.LockWire)
        {
            final ManagerHosted.LockWire lock = (ManagerHosted.LockWire)proxy;
            return lock.reentrant() ? new ManagedRLock(lock) : new ManagedLock(lock);
        }
        if (proxy instanceof ManagerHosted.ValueWire)
        {
            final ManagerHosted.ValueWire value = (ManagerHosted.ValueWire)proxy;
            return new ManagedValue(value, (ManagedRLock)wrap(sibling(value.lockId(), ManagerHosted.LockWire.class)), value.type());
        }
        if (proxy instanceof ManagerHosted.ArrayWire)
        {
            final ManagerHosted.ArrayWire array = (ManagerHosted.ArrayWire)proxy;
            return new ManagedArray(array, (ManagedRLock)wrap(sibling(array.lockId(), ManagerHosted.LockWire.class)), array.type(), array.length());
        }
        if (proxy instanceof ManagerHosted.ConditionWire)
        {
            final ManagerHosted.ConditionWire condition = (ManagerHosted.ConditionWire)proxy;
            return new ManagedCondition(condition, (ManagedSharedLock)wrap(sibling(condition.lockId(), ManagerHosted.LockWire.class)));
        }
        if (proxy instanceof ManagerHosted.SemaphoreWire)
        {
            final ManagerHosted.SemaphoreWire semaphore = (ManagerHosted.SemaphoreWire)proxy;
            return semaphore.bound() == Long.MAX_VALUE ? new ManagedSemaphore(semaphore) : new ManagedBoundedSemaphore(semaphore);
        }
        if (proxy instanceof ManagerHosted.EventWire)
        {
            return new ManagedEvent((ManagerHosted.EventWire)proxy);
        }
        if (proxy instanceof ManagerHosted.BarrierWire)
        {
            final ManagerHosted.BarrierWire barrier = (ManagerHosted.BarrierWire)proxy;
            return new ManagedBarrier(barrier, barrier.parties(), barrier.timeoutNanos());
        }
        if (proxy instanceof ManagerHosted.JoinableQueueWire)
        {
            final ManagerHosted.JoinableQueueWire<?> queue = (ManagerHosted.JoinableQueueWire<?>)proxy;
            return new ManagedJoinableQueue<>(queue, queue.remainingCapacity() + queue.size());
        }
        if (proxy instanceof BlockingQueue)
        {
            final BlockingQueue<?> queue = (BlockingQueue<?>)proxy;
            // remaining + size is the capacity (Integer.MAX_VALUE unbounded), if no one puts or takes between
            return new ManagedQueue<>(queue, queue.remainingCapacity() + queue.size());
        }
        return proxy;
    }

    private Object sibling(final long id, final Class<?> type)
    {
        return ManagerProxy.newProxy(address, key, pid, id, type);
    }

    // ---- user types

    /**
     * Register a user type: Python's {@code BaseManager.register(typeid, callable)}. The factory is sent to
     * the server (its class must be on the server's class path, which is this JVM's) and run there by each
     * {@link #create}. Every method of the object runs atomically (under its monitor) in the server.
     *
     * <pre>{@code
     * manager.register("Counter", Counter::new, CounterApi.class);
     * CounterApi counter = manager.create("Counter", CounterApi.class);
     * counter.increment();   // runs in the server
     * }</pre>
     *
     * @param typeid    the name to create it by.
     * @param factory   makes a new object in the server.
     * @param api       the interface the proxies implement; the object must implement it.
     * @param <I>       the interface type.
     * @throws IllegalArgumentException if {@code api} is not an interface or the factory cannot be sent.
     */
    public <I> void register(final String typeid, final SerializableSupplier<? extends I> factory, final Class<I> api)
    {
        if (!api.isInterface())
        {
            throw new IllegalArgumentException(api.getName() + " is not an interface: proxies need one");
        }
        request(ManagerWire.OP_REGISTER, typeid, factory, api.getName());
    }

    /**
     * Make a new object of a registered type in the server.
     *
     * @param typeid the name it was registered by.
     * @param api    the interface it was registered with.
     * @param <I>    the interface type.
     * @return a proxy.
     * @throws IllegalArgumentException if no such type is registered.
     */
    public <I> I create(final String typeid, final Class<I> api)
    {
        return make(typeid, api);
    }

    /**
     * Give an object of this manager a name that other JVMs can {@link #lookup} (Python's registered
     * {@code get_queue} callables, for remote managers).
     *
     * @param name  the name.
     * @param proxy a proxy of this manager.
     */
    public void bind(final String name, final Object proxy)
    {
        final ManagerProxy handler = ManagerProxy.handlerOf(unwrap(proxy));
        if (!handler.identity().equals(identity))
        {
            throw new IllegalArgumentException("the proxy belongs to the manager at " + handler.address + ", not " + address);
        }
        request(ManagerWire.OP_BIND, name, handler.objectId);
    }

    /**
     * @param name a name given with {@link #bind}.
     * @param <T>  the proxy's interface type.
     * @return a proxy of the object bound to it.
     * @throws java.util.NoSuchElementException if nothing is bound to it.
     */
    @SuppressWarnings("unchecked")
    public <T> T lookup(final String name)
    {
        final String answer = (String)request(ManagerWire.OP_LOOKUP, name);
        final int space = answer.indexOf(' ');
        final long id = Long.parseLong(answer.substring(0, space));
        final String type = answer.substring(space + 1);
        try
        {
            final ClassLoader loader = Thread.currentThread().getContextClassLoader();
            return (T)wrap(ManagerProxy.newProxy(address, key, pid, id, Class.forName(type, false,
                loader != null ? loader : Manager.class.getClassLoader())));
        }
        catch (final ClassNotFoundException ex)
        {
            throw new ManagerException("the interface " + type + " of '" + name + "' is not on this class path", ex);
        }
    }

    /**
     * Drop an object from the server (Python does it when the last proxy is collected; mp4j does not count
     * references, so a long-running manager that makes many objects releases them). Every proxy of it,
     * in any process, then fails with a {@link ManagerException}; names bound to it are unbound.
     *
     * @param proxy a proxy of this manager.
     * @return whether the object was still held.
     */
    public boolean release(final Object proxy)
    {
        final ManagerProxy handler = ManagerProxy.handlerOf(unwrap(proxy));
        if (!handler.identity().equals(identity))
        {
            throw new IllegalArgumentException("the proxy belongs to the manager at " + handler.address + ", not " + address);
        }
        return (Boolean)request(ManagerWire.OP_RELEASE, handler.objectId);
    }

    @SuppressWarnings("unchecked")
    private <T> T make(final String typeid, final Class<?> api, final Object... args)
    {
        final Object[] values = new Object[args.length + 1];
        values[0] = typeid;
        System.arraycopy(args, 0, values, 1, args.length);
        final long id = (Long)request(ManagerWire.OP_CREATE, values);
        return (T)ManagerProxy.newProxy(address, key, pid, id, api);
    }

    private Object request(final byte op, final Object... values)
    {
        if (closed && isOwner())
        {
            throw new ManagerDiedException("the manager (server pid " + pid + ") at " + address + " has been shut down", null);
        }
        final ManagerWire.Conn conn = ManagerProxy.connection(identity, address, key, pid);
        conn.begin().putByte(op).putByte((byte)values.length);
        for (final Object v : values)
        {
            try
            {
                conn.putValue(v);
            }
            catch (final ObjectStreamException ex)
            {
                throw new IllegalArgumentException("cannot send " + v + " to the manager: " + ex, ex);
            }
            catch (final IOException ex)
            {
                throw new ManagerException("cannot encode " + v + ": " + ex, ex);
            }
        }
        final ByteBuffer response = ManagerProxy.roundTrip(conn, address, pid);
        try
        {
            return ManagerProxy.result(response, null, address, pid);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new ManagerException("the manager failed: " + ex, ex);
        }
    }

    /**
     * Python's {@code shutdown()}: as {@link #close()}.
     */
    public void shutdown()
    {
        close();
    }

    /**
     * Stop the server JVM (if this JVM started it) and wait for it to exit; its objects are gone, and
     * their proxies throw {@link ManagerDiedException}. For a manager from {@link #connect}, close this
     * thread's connection only: the one all this thread's proxies of that manager use, so the server
     * releases the manager locks this thread holds through any of them (release them first), and the
     * next call reconnects. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (process == null)
        {
            ManagerProxy.drop(identity);
            return;
        }
        try
        {
            if (process.isAlive())
            {
                final ManagerWire.Conn conn = ManagerProxy.connection(identity, address, key, pid);
                conn.begin().putByte(ManagerWire.OP_SHUTDOWN).putByte((byte)0);
                ManagerProxy.roundTrip(conn, address, pid);
            }
        }
        catch (final ManagerException ex)
        {
            // already dead: nothing to ask
        }
        finally
        {
            ManagerProxy.drop(identity);
            ManagerProxy.forgetKey(address);
        }
        try
        {
            if (!process.join(Duration.ofSeconds(10)))
            {
                process.kill();
                process.join(Duration.ofSeconds(10));
            }
        }
        catch (final InterruptedException ex)
        {
            process.kill();
            Thread.currentThread().interrupt();
        }
        if (socketFile != null)
        {
            try
            {
                Files.deleteIfExists(socketFile);
            }
            catch (final IOException ignore)
            {
                // the runtime directory goes with its owner anyway
            }
        }
    }

    @Override
    public String toString()
    {
        return "Manager{" + address + ", server pid " + pid + (isOwner() ? "" : ", connected") + (closed ? ", closed" : "") + '}';
    }

    static long waitPause(final long pause)
    {
        return Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(10));
    }
}

package io.mp4j.cluster;

import io.mp4j.Backend;
import io.mp4j.Pool;
import io.mp4j.ProcessPoolExecutor;
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
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Value;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.configuration.CollectionConfiguration;
import org.apache.ignite.internal.IgniteNodeAttributes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The cluster backend: mp4j's shared objects on an Apache Ignite 2.18 cluster, behind the same interfaces
 * as the memory-mapped ones. A program changes one line:
 * <pre>{@code
 * try (Context ctx = Context.create(ClusterBackend.join(ClusterConfig.builder().seeds("10.0.0.5:47500").localAddress("10.0.0.7")
 *         .secret(ClusterConfig.readSecretFile(Path.of("/etc/myapp/cluster.secret"))).build())))
 * {
 *     Lock lock = ctx.lock("counter-lock");
 *     Value counter = ctx.value("counter", ElementType.LONG, 0L);
 *     ...
 * }
 * }</pre>
 * {@link #join} starts an Ignite <em>client</em> node in this JVM (it holds no data and runs no tasks, so
 * the program may exit at any time); the members are JVMs started with {@code ./mp4j cluster-node}
 * ({@link ClusterNode}). This JVM needs {@link ClusterJvmFlags#required()} on its command line.
 *
 * <table>
 * <caption>What each factory gives</caption>
 * <tr><th>factory</th><th>on the cluster</th></tr>
 * <tr><td>value</td><td>{@link ClusterValue}: an Ignite atomic long (int, long, double, boolean)</td></tr>
 * <tr><td>lock, rlock</td><td>{@link ClusterLock}, {@link ClusterRLock}: an owner word (atomic long); a dead holder's
 *     node is detected from the topology and the next holder sees {@code previousOwnerDied()}</td></tr>
 * <tr><td>semaphore, boundedSemaphore</td><td>{@link ClusterSemaphore}: Ignite's fail-over-safe semaphore</td></tr>
 * <tr><td>event</td><td>{@link ClusterEvent}: an atomic long flag, waiters poll</td></tr>
 * <tr><td>queue, joinableQueue</td><td>{@link ClusterQueue}: Ignite's queue (+ an atomic long of unfinished tasks)</td></tr>
 * <tr><td>pool, executor</td><td>{@link ClusterPool}, {@link ClusterExecutor}: tasks run on the members</td></tr>
 * <tr><td>dict, list</td><td>{@link ClusterDict}, {@link ClusterList}: Ignite caches</td></tr>
 * <tr><td>barrier</td><td>{@link ClusterBarrier}: atomic longs; a party whose node leaves breaks it</td></tr>
 * <tr><td>condition</td><td>{@link UnsupportedOperationException}: see {@link #NO_CONDITION}</td></tr>
 * <tr><td>array</td><td>{@link UnsupportedOperationException} for now (not built yet)</td></tr>
 * </table>
 *
 * <p>Every object is get-or-create by name, cluster-wide, and the same instance is returned for a name within
 * one JVM, except queues: a new instance each time, so that closing one does not close the others. Objects are serializable: sent to a cluster task or a {@code Process}, they are reattached by name
 * through the node of the receiving JVM ({@link #current()}). Names follow {@link Backend}'s rule.
 *
 * <p><b>Names.</b> As in a runtime directory on one host, a name is one object: a name opened as one kind
 * (say a {@code Lock}) and then as another (an {@code RLock}, a {@code Value}), from any JVM of the cluster,
 * is refused with an {@link IllegalStateException} saying what it already is. Dicts and lists are named apart
 * from the rest and from each other, as a {@code Manager}'s are. Each object claims its name in an Ignite
 * atomic long {@code mp4j.kind~<name>} holding its kind's code (once per name and JVM, when first opened).
 * Its parts are Ignite objects named {@code mp4j.<kind>~<name>[~<part>]} ({@link #igniteName}): '~' is
 * outside the alphabet of names, so no user name reaches another object's parts (a lock's recovery counter,
 * a value's lock, a list's lock and length).
 */
public final class ClusterBackend implements Backend
{
    /** Why there is no cluster Condition. */
    public static final String NO_CONDITION = "the cluster locks are owner words on Ignite atomics, not IgniteLocks, so " +
        "Ignite's IgniteCondition (tied to an IgniteLock) cannot serve them, and the single-host guarantee (a signal " +
        "a dead waiter did not take is handed on) would need a wait-queue protocol of mp4j's own; use an Event, a " +
        "Queue or a Semaphore";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Object CURRENT_LOCK = new Object();
    /** The open backends of this JVM, in the order they started: the first is {@link #current()}. */
    private static final List<ClusterBackend> OPEN = new ArrayList<>();

    private final IgniteNode node;
    private final ClusterConfig config;
    private final Map<String, Object> objects = new ConcurrentHashMap<>();
    private final CollectionConfiguration collections;
    private volatile boolean closed;

    private ClusterBackend(final IgniteNode node, final ClusterConfig config)
    {
        this.node = node;
        this.config = config;
        this.collections = new CollectionConfiguration();
        collections.setBackups(config.backups());
        collections.setCacheMode(CacheMode.PARTITIONED);
        collections.setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL);
    }

    /**
     * Join the cluster as a client node: this JVM holds no data and runs no tasks. Blocks until joined; fails
     * (never hangs) when no seed answers within the join timeout.
     *
     * @param config seeds, addresses, ports, and a secret or {@link ClusterConfig.Builder#noSecret}.
     * @return the backend; give it to {@code Context.create(backend)}.
     * @throws IllegalStateException if the configuration has neither a secret nor {@code noSecret}, or the cluster
     *                               refused this node's secret proof.
     */
    public static ClusterBackend join(final ClusterConfig config)
    {
        config.requireSecretOrNoSecret();
        return register(new ClusterBackend(IgniteNode.start(config, true), config));
    }

    /**
     * Start a member in this JVM (what {@link ClusterNode} does).
     *
     * @param config seeds, addresses, ports, and a secret or {@link ClusterConfig.Builder#noSecret}.
     * @return the backend.
     * @throws IllegalStateException if the configuration has neither a secret nor {@code noSecret}.
     */
    public static ClusterBackend startMember(final ClusterConfig config)
    {
        config.requireSecretOrNoSecret();
        if (!config.hasSecret())
        {
            // one line, so that whoever starts a member learns that the cluster is open (README, "Who can join")
            System.err.println("mp4j cluster member: no secret, so any process that can reach " + config.localAddress() +
                (config.tls() ? " (and holds a key its TLS key store trusts)" : "") +
                " discovery ports " + config.discoveryPort() + ".." + (config.discoveryPort() + config.discoveryPortRange()) +
                " or communication ports " + config.communicationPort() + ".." + (config.communicationPort() +
                config.communicationPortRange()) + " can join and read or change every object; give every node the same " +
                "secret: --secret-file PATH (mode 0600) or ClusterConfig.Builder.secret");
        }
        return register(new ClusterBackend(IgniteNode.start(config, false), config));
    }

    private static ClusterBackend register(final ClusterBackend backend)
    {
        synchronized (CURRENT_LOCK)
        {
            OPEN.add(backend);
        }
        return backend;
    }

    /**
     * @return the backend of the cluster node running in this JVM: the first one started that is still open.
     * @throws IllegalStateException if none runs here.
     */
    public static ClusterBackend current()
    {
        synchronized (CURRENT_LOCK)
        {
            if (OPEN.isEmpty())
            {
                throw new IllegalStateException("no cluster node runs in this JVM: call ClusterBackend.join(config) first " +
                    "(a cluster object sent here is reattached through this JVM's own node)");
            }
            return OPEN.get(0);
        }
    }

    @Override
    public String name()
    {
        return "cluster";
    }

    /**
     * @return the Ignite node behind this backend, for what mp4j does not wrap.
     */
    public Ignite ignite()
    {
        return node.ignite();
    }

    /**
     * @return the configuration this backend was started with.
     */
    public ClusterConfig config()
    {
        return config;
    }

    /**
     * @return this node's order now: read on every call, never cached, because a client that reconnects
     * (Ignite's default after a disconnect) rejoins with a new order, and an owner word or barrier arrival
     * written with the old one would look like a dead node's to every other node. {@code localNode()} is a
     * field read behind Ignite's busy guard, nothing next to the round trip each caller then makes.
     */
    long nodeOrder()
    {
        return node.ignite().cluster().localNode().order();
    }

    boolean isNodeAlive(final long order)
    {
        // the version first: a node that joins between the two reads is then in the nodes, never taken for dead
        final long version = ignite().cluster().topologyVersion();
        return OwnerWord.isAlive(version, ignite().cluster().nodes(), order);
    }

    long pidOfNode(final long order)
    {
        for (final ClusterNode n : ignite().cluster().nodes())
        {
            if (n.order() == order)
            {
                final Object pid = n.attribute(IgniteNodeAttributes.ATTR_JVM_PID);
                return pid instanceof Number ? ((Number)pid).longValue() : -1;
            }
        }
        return -1;
    }

    /**
     * @return the Ignite name of an mp4j object's part: {@code mp4j.<kind>~<name>~<part>}, or without
     * {@code ~<part>} for the object itself. A user's name has no '~', so two different (kind, name, part)
     * never meet.
     */
    static String igniteName(final String kind, final String name, final String part)
    {
        return "mp4j." + kind + "~" + name + (part == null ? "" : "~" + part);
    }

    private static String igniteName(final String kind, final String name)
    {
        return igniteName(kind, name, null);
    }

    /**
     * Claim {@code name} for an object of {@code kind}, cluster-wide: the first claim stays, any other kind
     * is refused, as a region of another type is on one host.
     */
    private void claim(final String name, final ClusterHandle.Kind kind)
    {
        final IgniteAtomicLong claim = atomic(igniteName("kind", name), kind.code());
        if (!claim.compareAndSet(kind.code(), kind.code()))
        {
            final long code = claim.get();
            final ClusterHandle.Kind[] kinds = ClusterHandle.Kind.values();
            final String found = code >= 1 && code <= kinds.length ? kinds[(int)code - 1].type : "kind code " + code + " (another mp4j version?)";
            throw new IllegalStateException("cluster object '" + name + "' already exists as a " + found +
                "; it cannot also be opened as a " + kind.type + " (one name, one object, as on one host)");
        }
    }

    private static String checkName(final String name)
    {
        if (name == null || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("bad name '" + name + "': use 1-128 letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        return name;
    }

    private void open()
    {
        if (closed)
        {
            throw new IllegalStateException("the cluster backend is closed");
        }
    }

    private IgniteAtomicLong atomic(final String name, final long initial)
    {
        final IgniteAtomicLong atomic = ignite().atomicLong(name, initial, true);
        if (atomic == null)
        {
            throw new IllegalStateException("Ignite did not create the atomic long " + name);
        }
        return atomic;
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(final String key, final java.util.function.Supplier<T> make)
    {
        open();
        return (T)objects.computeIfAbsent(key, k -> make.get());
    }

    @Override
    public Value value(final String name, final ElementType type, final Object initial)
    {
        checkName(name);
        final long bits = ClusterValue.encode(type, initial);
        final Value value = cached("value:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.VALUE);
            // the element type is the creator's, cluster-wide: the word's bits mean nothing under another
            final long created = atomic(igniteName("value", name, "type"), type.ordinal()).get();
            final ElementType existing = ElementType.values()[(int)created];
            if (existing != type)
            {
                throw new IllegalStateException(name + " exists as a " + existing + " value, asked for " + type);
            }
            return new ClusterValue(this, name, type, atomic(igniteName("value", name), bits));
        });
        if (value.type() != type)
        {
            throw new IllegalStateException(name + " exists as a " + value.type() + " value, asked for " + type);
        }
        return value;
    }

    /**
     * Not supported yet: a cluster {@code Array} is not built.
     *
     * @throws UnsupportedOperationException always.
     */
    @Override
    public Array array(final String name, final ElementType type, final int length)
    {
        throw new UnsupportedOperationException("Array on the cluster backend is not implemented yet; use a dict or list");
    }

    @Override
    public Lock lock(final String name)
    {
        checkName(name);
        return cached("lock:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.LOCK);
            return new ClusterLock(this, name, ClusterHandle.Kind.LOCK, atomic(igniteName("lock", name), 0),
                atomic(igniteName("lock", name, "recoveries"), 0));
        });
    }

    @Override
    public RLock rlock(final String name)
    {
        checkName(name);
        return cached("rlock:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.RLOCK);
            return new ClusterRLock(this, name, ClusterHandle.Kind.RLOCK, atomic(igniteName("rlock", name), 0),
                atomic(igniteName("rlock", name, "recoveries"), 0));
        });
    }

    /** The lock of the value {@code name} ({@link ClusterValue#getLock()}): a part of the value, named after it. */
    ClusterRLock valueLock(final String name)
    {
        return cached("value-lock:" + name, () -> new ClusterRLock(this, name, ClusterHandle.Kind.VALUE_LOCK,
            atomic(igniteName("value", name, "lock"), 0), atomic(igniteName("value", name, "lock-recoveries"), 0)));
    }

    /** The lock of the list {@code name}: a part of the list, named after it. */
    private ClusterLock listLock(final String name)
    {
        return cached("list-lock:" + name, () -> new ClusterLock(this, name, ClusterHandle.Kind.LIST_LOCK,
            atomic(igniteName("list", name, "lock"), 0), atomic(igniteName("list", name, "lock-recoveries"), 0)));
    }

    @Override
    public Semaphore semaphore(final String name, final int permits)
    {
        checkName(name);
        checkPermits(permits);
        return cached("semaphore:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.SEMAPHORE);
            return new ClusterSemaphore(name, atomic(igniteName("semaphore", name), permits));
        });
    }

    @Override
    public BoundedSemaphore boundedSemaphore(final String name, final int permits)
    {
        checkName(name);
        checkPermits(permits);
        return cached("bsemaphore:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.BOUNDED_SEMAPHORE);
            return new ClusterSemaphore.Bounded(name, permits, ignite().semaphore(igniteName("bsemaphore", name), permits, true, true));
        });
    }

    private static void checkPermits(final int permits)
    {
        if (permits < 0)
        {
            throw new IllegalArgumentException("permits=" + permits + " must not be negative");
        }
    }

    @Override
    public Event event(final String name)
    {
        checkName(name);
        return cached("event:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.EVENT);
            return new ClusterEvent(name, atomic(igniteName("event", name), 0));
        });
    }

    /**
     * Not supported: see {@link #NO_CONDITION}.
     *
     * @throws UnsupportedOperationException always.
     */
    @Override
    public Condition condition(final String name)
    {
        throw new UnsupportedOperationException("Condition on the cluster backend: " + NO_CONDITION);
    }

    @Override
    public Barrier barrier(final String name, final int parties)
    {
        checkName(name);
        if (parties < 1)
        {
            throw new IllegalArgumentException("parties=" + parties + " must be at least 1");
        }
        final Barrier barrier = cached("barrier:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.BARRIER);
            final int fixed = (int)atomic(igniteName("barrier", name, "parties"), parties).get();
            return new ClusterBarrier(this, name, fixed, atomic(igniteName("barrier", name, "arrivals"), 0),
                atomic(igniteName("barrier", name, "released"), 0), atomic(igniteName("barrier", name, "broken"), 0),
                ignite().getOrCreateCache(this.<Long, Long>cacheConfig(igniteName("barrier", name))));
        });
        if (barrier.parties() != parties)
        {
            throw new IllegalStateException(name + " exists as a barrier of " + barrier.parties() + " parties, asked for " + parties);
        }
        return barrier;
    }

    @Override
    public <T> Queue<T> queue(final String name)
    {
        checkName(name);
        // a new instance each time, closed on its own, over the Ignite queue cached per name
        return this.<ClusterQueue<T>>cached("queue:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.QUEUE);
            return new ClusterQueue<T>(name, ignite().queue(igniteName("queue", name), 0, collections), null);
        }).another();
    }

    @Override
    public <T> JoinableQueue<T> joinableQueue(final String name)
    {
        checkName(name);
        return this.<ClusterQueue.Joinable<T>>cached("jqueue:" + name, () ->
        {
            claim(name, ClusterHandle.Kind.JOINABLE_QUEUE);
            return new ClusterQueue.Joinable<T>(name, ignite().queue(igniteName("jqueue", name), 0, collections),
                atomic(igniteName("jqueue", name, "unfinished"), 0));
        }).another();
    }

    @Override
    public Pool pool(final int processes)
    {
        open();
        if (processes < 1)
        {
            throw new IllegalArgumentException("processes=" + processes + " must be at least 1");
        }
        return new ClusterPool(this, processes);
    }

    @Override
    public ProcessPoolExecutor executor(final int workers)
    {
        open();
        return new ClusterExecutor(ignite(), workers);
    }

    private <K, V> CacheConfiguration<K, V> cacheConfig(final String cacheName)
    {
        final CacheConfiguration<K, V> cfg = new CacheConfiguration<>(cacheName);
        cfg.setCacheMode(CacheMode.PARTITIONED);
        cfg.setAtomicityMode(CacheAtomicityMode.ATOMIC);
        cfg.setBackups(config.backups());
        return cfg;
    }

    @Override
    public <K, V> Map<K, V> dict(final String name)
    {
        checkName(name);
        return cached("dict:" + name, () -> new ClusterDict<K, V>(name, ignite().getOrCreateCache(this.<K, V>cacheConfig(igniteName("dict", name)))));
    }

    @Override
    public <E> List<E> list(final String name)
    {
        checkName(name);
        final ClusterLock lock = listLock(name);   // not inside the list's computeIfAbsent: no recursive update of the map
        return cached("list:" + name, () -> new ClusterList<E>(name, ignite().getOrCreateCache(this.<Integer, Object>cacheConfig(igniteName("list", name))),
            atomic(igniteName("list", name, "length"), 0), lock));
    }

    @Override
    public String toString()
    {
        String order;
        try
        {
            order = Long.toString(nodeOrder());
        }
        catch (final RuntimeException ex)
        {
            order = "unknown: " + ex.getMessage();   // disconnected or closed
        }
        return "cluster backend (" + (node.isClient() ? "client" : "member") + " node order " + order + ")";
    }

    Object resolve(final ClusterHandle handle)
    {
        switch (handle.kind)
        {
            case VALUE:
                return value(handle.name, ElementType.fromTypecode(handle.type), handle.type.equals("d") ? (Object)0.0 :
                    handle.type.equals("?") ? (Object)Boolean.FALSE : (Object)0L);
            case LOCK:
                return lock(handle.name);
            case RLOCK:
                return rlock(handle.name);
            case VALUE_LOCK:
                return valueLock(handle.name);
            case LIST_LOCK:
                return listLock(handle.name);
            case SEMAPHORE:
                return semaphore(handle.name, 0);
            case BOUNDED_SEMAPHORE:
                return boundedSemaphore(handle.name, (int)handle.parameter);
            case EVENT:
                return event(handle.name);
            case BARRIER:
                return barrier(handle.name, (int)handle.parameter);
            case QUEUE:
                return queue(handle.name);
            case JOINABLE_QUEUE:
                return joinableQueue(handle.name);
            case DICT:
                return dict(handle.name);
            case LIST:
                return list(handle.name);
            default:
                throw new IllegalStateException("cannot reattach " + handle);
        }
    }

    /**
     * Leave the cluster (a member hands its data to the others first) and remove the private work directory.
     * Idempotent.
     */
    @Override
    public void close()
    {
        synchronized (CURRENT_LOCK)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            OPEN.remove(this);   // the next open one, if any, becomes current()
        }
        node.close();
    }
}

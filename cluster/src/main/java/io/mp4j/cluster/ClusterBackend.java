package io.mp4j.cluster;

import org.apache.ignite.Ignite;

/**
 * The cluster backend: mp4j's shared objects on an Apache Ignite cluster.
 */
public final class ClusterBackend implements AutoCloseable
{
    private static final Object CURRENT_LOCK = new Object();
    private static ClusterBackend current;

    private final IgniteNode node;
    private final ClusterConfig config;

    private ClusterBackend(final IgniteNode node, final ClusterConfig config)
    {
        this.node = node;
        this.config = config;
    }

    /**
     * Join the cluster as a client node: this JVM holds no data and runs no tasks.
     *
     * @param config seeds, addresses, ports.
     * @return the backend.
     */
    public static ClusterBackend join(final ClusterConfig config)
    {
        return register(new ClusterBackend(IgniteNode.start(config, true), config));
    }

    /**
     * Start a member in this JVM (what {@link ClusterNode} does).
     *
     * @param config seeds, addresses, ports.
     * @return the backend.
     */
    public static ClusterBackend startMember(final ClusterConfig config)
    {
        return register(new ClusterBackend(IgniteNode.start(config, false), config));
    }

    private static ClusterBackend register(final ClusterBackend backend)
    {
        synchronized (CURRENT_LOCK)
        {
            if (current == null)
            {
                current = backend;
            }
        }
        return backend;
    }

    /**
     * @return the backend of the cluster node running in this JVM.
     * @throws IllegalStateException if none runs here.
     */
    public static ClusterBackend current()
    {
        synchronized (CURRENT_LOCK)
        {
            if (current == null)
            {
                throw new IllegalStateException("no cluster node runs in this JVM: call ClusterBackend.join(config) first " +
                    "(cluster objects are reattached through the JVM's own node)");
            }
            return current;
        }
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

    @Override
    public void close()
    {
        synchronized (CURRENT_LOCK)
        {
            if (current == this)
            {
                current = null;
            }
        }
        node.close();
    }
}

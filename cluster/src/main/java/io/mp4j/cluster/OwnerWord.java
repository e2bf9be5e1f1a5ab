package io.mp4j.cluster;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.cluster.ClusterNode;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster's owner word: who holds a lock, as one Ignite atomic long, and how a waiter takes it over
 * from an owner whose node has left the cluster. The same protocol as the memory-mapped locks' owner word,
 * with "the owner's node is in the topology" in place of "the owner's pid is alive".
 *
 * <pre>
 *   63                                32 31                                 0
 *  +--------------------------------------+------------------------------------+
 *  | owner node's order (Ignite, &gt;= 1)     | thread slot in that JVM (&gt;= 1)      |   0 = free
 *  +--------------------------------------+------------------------------------+
 * </pre>
 *
 * <p>A node's order is unique for the life of the cluster and grows with every join, so the word names one
 * thread of one node forever (a restarted JVM joins with a new order). A node's order is the topology version
 * of its join, so a waiter sees the owner as dead when its order is at most the waiter's topology version and
 * it is not among the nodes of that topology; an order above it belongs to a node that joined since, which is
 * alive. A node leaves the view when
 * Ignite's failure detection drops it (its sockets closing on a SIGKILL is usually noticed at once, a silent
 * host after the failure-detection timeout).
 */
final class OwnerWord
{
    private static final AtomicInteger SLOTS = new AtomicInteger();
    private static final ThreadLocal<int[]> SLOT = ThreadLocal.withInitial(() -> new int[]{ SLOTS.incrementAndGet() });

    /** How long a waiter parks between polls at most: every poll is a round trip to the word's primary. */
    static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final ClusterBackend backend;
    private final IgniteAtomicLong word;

    OwnerWord(final ClusterBackend backend, final IgniteAtomicLong word)
    {
        this.backend = backend;
        this.word = word;
    }

    static IdleStrategy idle()
    {
        return new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(100), MAX_PARK_NANOS);
    }

    /** @return the calling thread's owner value. */
    long me()
    {
        return backend.nodeOrder() << 32 | SLOT.get()[0];
    }

    long get()
    {
        return word.get();
    }

    boolean compareAndSet(final long expected, final long update)
    {
        return word.compareAndSet(expected, update);
    }

    /**
     * One attempt: take the free word, or take it over from a dead owner.
     *
     * @param me the caller's owner value.
     * @return 0 if not taken, 1 if taken, 2 if taken over from a dead owner.
     */
    int tryTake(final long me)
    {
        if (word.compareAndSet(0, me))
        {
            return 1;
        }
        final long owner = word.get();
        if (owner == 0)
        {
            return word.compareAndSet(0, me) ? 1 : 0;
        }
        if (!backend.isNodeAlive(owner >>> 32) && word.compareAndSet(owner, me))
        {
            return 2;
        }
        return 0;
    }

    /**
     * @param version the topology version read before {@code nodes}.
     * @param nodes   the nodes in the topology.
     * @param order   an owner's node order.
     * @return whether that node is alive: in the topology, or joined after {@code version} (a node's order is
     * the topology version of its join, so an order at most {@code version} missing from the nodes has left).
     */
    static boolean isAlive(final long version, final Iterable<ClusterNode> nodes, final long order)
    {
        if (order > version)
        {
            return true;
        }
        for (final ClusterNode node : nodes)
        {
            if (node.order() == order)
            {
                return true;
            }
        }
        return false;
    }
}

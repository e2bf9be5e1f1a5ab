package io.mp4j.cluster;

import java.io.ObjectStreamException;
import java.io.Serializable;

/**
 * What a cluster object becomes when it is serialized (sent to a cluster task, a {@code Process}, a queue):
 * its kind, its name and the parameters it was made with. On the other side it is reattached by name
 * through the cluster node of that JVM ({@link ClusterBackend#current()}).
 */
final class ClusterHandle implements Serializable
{
    private static final long serialVersionUID = 1L;

    /**
     * The kinds of cluster object. The ordinal + 1 is the kind's code in the cluster-wide name claims
     * ({@link ClusterBackend}): append new kinds at the end, or two versions of mp4j read each other's
     * claims as other kinds.
     */
    enum Kind
    {
        VALUE("Value"), LOCK("Lock"), RLOCK("RLock"), SEMAPHORE("Semaphore"), BOUNDED_SEMAPHORE("BoundedSemaphore"),
        EVENT("Event"), BARRIER("Barrier"), QUEUE("Queue"), JOINABLE_QUEUE("JoinableQueue"), DICT("dict"), LIST("list"),
        /** The lock of the {@code Value} of that name ({@code getLock()}), not reachable by a user's name. */
        VALUE_LOCK("the lock of Value"),
        /** The lock guarding the list of that name, not reachable by a user's name. */
        LIST_LOCK("the lock of list");

        /** The mp4j type, as a user knows it. */
        final String type;

        Kind(final String type)
        {
            this.type = type;
        }

        long code()
        {
            return ordinal() + 1L;
        }
    }

    final Kind kind;
    final String name;
    final String type;
    final long parameter;

    ClusterHandle(final Kind kind, final String name, final String type, final long parameter)
    {
        this.kind = kind;
        this.name = name;
        this.type = type;
        this.parameter = parameter;
    }

    private Object readResolve() throws ObjectStreamException
    {
        return ClusterBackend.current().resolve(this);
    }

    @Override
    public String toString()
    {
        return describe(kind, name);
    }

    /** How messages name a cluster object: "cluster lock 'x'", "cluster the lock of Value 'v'". */
    static String describe(final Kind kind, final String name)
    {
        return "cluster " + (kind == Kind.VALUE_LOCK || kind == Kind.LIST_LOCK ? kind.type : kind.name().toLowerCase(java.util.Locale.ROOT)) +
            " '" + name + "'";
    }
}

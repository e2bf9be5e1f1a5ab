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

    /** The kinds of cluster object. */
    enum Kind
    {
        VALUE, LOCK, RLOCK, SEMAPHORE, BOUNDED_SEMAPHORE, EVENT, BARRIER, QUEUE, JOINABLE_QUEUE, DICT, LIST
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
        return "cluster " + kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "'";
    }
}

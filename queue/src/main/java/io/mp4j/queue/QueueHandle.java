package io.mp4j.queue;

import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.file.Paths;

/**
 * What a {@link Queue}, {@link SimpleQueue}, {@link JoinableQueue} or {@link Connection} becomes when
 * it is serialized, e.g. as an argument of a child process: the kind, the file and, for a connection,
 * which end. Deserializing it attaches the file again in the receiving JVM.
 */
final class QueueHandle implements Serializable
{
    private static final long serialVersionUID = 1L;

    static final int KIND_CONNECTION = 100;

    private final int kind;
    private final String path;
    private final int end;

    QueueHandle(final int kind, final String path, final int end)
    {
        this.kind = kind;
        this.path = path;
        this.end = end;
    }

    private Object readResolve() throws ObjectStreamException
    {
        switch (kind)
        {
            case QueueDescriptor.KIND_QUEUE:
                return Queue.attach(Paths.get(path));
            case QueueDescriptor.KIND_SIMPLE:
                return SimpleQueue.attach(Paths.get(path));
            case QueueDescriptor.KIND_JOINABLE:
                return JoinableQueue.attach(Paths.get(path));
            case KIND_CONNECTION:
                return Connection.attachHandedOff(Paths.get(path), end);
            default:
                throw new java.io.InvalidObjectException("unknown queue kind " + kind + " for " + path);
        }
    }

    @Override
    public String toString()
    {
        return "QueueHandle{kind=" + kind + ", path=" + path + (end >= 0 ? ", end=" + end : "") + '}';
    }
}

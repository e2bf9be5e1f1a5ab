package io.mp4j.queue;

import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.file.Paths;

/**
 * What a {@link Queue}, {@link SimpleQueue}, {@link JoinableQueue} or {@link Connection} becomes when
 * it is serialized, e.g. as an argument of a child process: the kind, the file, for a connection which
 * end, and the codec it was given (null for the default, which the receiving JVM makes itself).
 * Deserializing it attaches the file again in the receiving JVM with that codec.
 */
final class QueueHandle implements Serializable
{
    private static final long serialVersionUID = 1L;

    static final int KIND_CONNECTION = 100;

    private final int kind;
    private final String path;
    private final int end;
    private final ObjectCodec codec;

    /**
     * @param codec the codec the instance was given, null for the default.
     * @throws NotSerializableException naming the codec's class if it is not Serializable: the other
     *                                  process must decode what this one encodes, so it cannot go without.
     */
    QueueHandle(final int kind, final String path, final int end, final ObjectCodec codec, final Object owner)
        throws NotSerializableException
    {
        this.kind = kind;
        this.path = path;
        this.end = end;
        this.codec = portable(codec, owner);
    }

    /**
     * @param codec the codec an instance was given, null for the default.
     * @param owner the instance, for the message.
     * @return the codec to carry to another JVM.
     * @throws NotSerializableException naming the codec's class if it is not Serializable.
     */
    static ObjectCodec portable(final ObjectCodec codec, final Object owner) throws NotSerializableException
    {
        if (codec != null && !(codec instanceof Serializable))
        {
            throw new NotSerializableException(owner + " cannot be passed to another process: its codec " +
                codec.getClass().getName() + " is not java.io.Serializable, and the other side must decode what " +
                "this one encodes; make the codec Serializable, or attach the file by path with the same codec there");
        }
        return codec;
    }

    private Object readResolve() throws ObjectStreamException
    {
        switch (kind)
        {
            case QueueDescriptor.KIND_QUEUE:
                return Queue.attach(Paths.get(path), codec);
            case QueueDescriptor.KIND_SIMPLE:
                return SimpleQueue.attach(Paths.get(path), codec);
            case QueueDescriptor.KIND_JOINABLE:
                return JoinableQueue.attach(Paths.get(path), codec);
            case KIND_CONNECTION:
                return Connection.attachHandedOff(Paths.get(path), end, codec);
            default:
                throw new java.io.InvalidObjectException("unknown queue kind " + kind + " for " + path);
        }
    }

    @Override
    public String toString()
    {
        return "QueueHandle{kind=" + kind + ", path=" + path + (end >= 0 ? ", end=" + end : "") +
            (codec != null ? ", codec=" + codec.getClass().getName() : "") + '}';
    }
}

package io.mp4j;

import io.mp4j.queue.JavaSerializationCodec;
import io.mp4j.queue.StreamFilter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * What a parent sends a child JVM on its standard input: who the child is and what it runs.
 */
final class ChildSpec implements Serializable
{
    private static final long serialVersionUID = 1L;

    /** Bounds on what a child accepts from its parent; the stream is private, the bounds stop accidents. */
    private static final ObjectInputFilter LIMITS = ObjectInputFilter.Config.createFilter(
        "maxdepth=2000;maxrefs=50000000;maxarray=2147483647");

    final String name;
    final String identity;
    final boolean daemon;
    final long parentPid;
    final long parentStartTime;
    final String parentName;
    final Object target;
    final Object[] args;

    ChildSpec(
        final String name,
        final String identity,
        final boolean daemon,
        final long parentPid,
        final long parentStartTime,
        final String parentName,
        final Object target,
        final Object[] args)
    {
        this.name = name;
        this.identity = identity;
        this.daemon = daemon;
        this.parentPid = parentPid;
        this.parentStartTime = parentStartTime;
        this.parentName = parentName;
        this.target = target;
        this.args = args;
    }

    /**
     * Serialize, or explain which object cannot be.
     *
     * @return the bytes.
     * @throws IllegalArgumentException naming the class that is not serializable.
     */
    byte[] toBytes()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        // the child's standard input is private to the two: its proxies carry their keys
        try (ObjectOutputStream out = ManagerProxy.keyCarrying(bytes))
        {
            out.writeObject(this);
        }
        catch (final NotSerializableException ex)
        {
            throw new IllegalArgumentException("the target or an argument of process " + name +
                " is not serializable: " + ex.getMessage() + " (implement java.io.Serializable, or pass a handle)", ex);
        }
        catch (final InvalidClassException ex)
        {
            throw new IllegalArgumentException("the target or an argument of process " + name +
                " cannot be serialized: " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("the target or arguments of process " + name +
                " cannot be serialized: " + ex, ex);
        }
        return bytes.toByteArray();
    }

    static ChildSpec fromBytes(final byte[] bytes) throws IOException, ClassNotFoundException
    {
        StreamFilter filter = null;
        // the parent wrote this for us: codecs of the queues it passes keep the patterns it gave them
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes));
             JavaSerializationCodec.TrustedSenders trusted = JavaSerializationCodec.trustingSenders())
        {
            filter = StreamFilter.on(in, LIMITS);
            return (ChildSpec)in.readObject();
        }
        catch (final InvalidClassException ex)
        {
            throw filter == null ? ex : filter.explain(ex);
        }
    }

    @SuppressWarnings("unchecked")
    void run() throws Exception
    {
        if (target instanceof SerializableRunnable)
        {
            ((SerializableRunnable)target).run();
        }
        else if (target instanceof SerializableConsumer)
        {
            ((SerializableConsumer<Object>)target).accept(args[0]);
        }
        else if (target instanceof SerializableBiConsumer)
        {
            ((SerializableBiConsumer<Object, Object>)target).accept(args[0], args[1]);
        }
        else if (target instanceof SerializableTriConsumer)
        {
            ((SerializableTriConsumer<Object, Object, Object>)target).accept(args[0], args[1], args[2]);
        }
        else if (target instanceof SerializableCallable)
        {
            ((SerializableCallable<?>)target).call();
        }
        else if (target instanceof SerializableFunction)
        {
            ((SerializableFunction<Object, ?>)target).apply(args[0]);
        }
        else if (target instanceof SerializableBiFunction)
        {
            ((SerializableBiFunction<Object, Object, ?>)target).apply(args[0], args[1]);
        }
        else
        {
            throw new IllegalStateException("unknown target type " + target.getClass().getName());
        }
    }
}

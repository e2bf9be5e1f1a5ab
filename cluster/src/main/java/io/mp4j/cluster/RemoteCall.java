package io.mp4j.cluster;

import io.mp4j.queue.JavaSerializationCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ignite.lang.IgniteCallable;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task on its way to a member: the caller's {@code Callable} as Java-serialized bytes, decoded on the
 * member through mp4j's {@link JavaSerializationCodec} (its {@code ObjectInputFilter} allow-list, extended
 * with {@code -Dmp4j.serial.allow=...}), so Ignite itself only ever unmarshals this class and byte arrays.
 * The outcome travels back the same way: a value, or the task's exception with its stack trace.
 */
final class RemoteCall implements IgniteCallable<byte[]>
{
    private static final long serialVersionUID = 1L;

    private final byte[] task;

    RemoteCall(final byte[] task)
    {
        this.task = task;
    }

    static JavaSerializationCodec codec()
    {
        return Codec.INSTANCE;
    }

    /**
     * Made on first use: the codec reads its allow-list property then. Besides mp4j's defaults it allows a
     * serialized lambda's carrier and the exceptions of {@code java.io}, which tasks commonly throw.
     */
    private static final class Codec
    {
        static final JavaSerializationCodec INSTANCE = new JavaSerializationCodec(ALLOWED);
    }

    /** Allowed on top of {@link JavaSerializationCodec#DEFAULT_PATTERNS} and {@code -Dmp4j.serial.allow}. */
    static final String ALLOWED = "java.lang.invoke.SerializedLambda;java.io.*Exception;java.io.*Error";

    /**
     * @param task a serializable task.
     * @return the call to send.
     * @throws IllegalArgumentException naming the task's class if it cannot be serialized.
     */
    static RemoteCall of(final Callable<?> task)
    {
        if (!(task instanceof Serializable))
        {
            throw new IllegalArgumentException("a cluster task must be serializable (a SerializableCallable, or a lambda cast " +
                "to one): " + task.getClass().getName());
        }
        try
        {
            return new RemoteCall(codec().encode(task));
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("cannot serialize the task " + task.getClass().getName() + ": " + ex.getMessage(), ex);
        }
    }

    static Object decode(final byte[] bytes)
    {
        return codec().decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Override
    public byte[] call()
    {
        Outcome outcome;
        try
        {
            final Callable<?> callable = (Callable<?>)decode(task);
            outcome = new Outcome(callable.call(), null);
        }
        catch (final Throwable failure)
        {
            outcome = new Outcome(null, failure);
        }
        outcome.pid = ProcessHandle.current().pid();
        try
        {
            return codec().encode(outcome);
        }
        catch (final RuntimeException unserializable)
        {
            final RuntimeException standIn = new RuntimeException(outcome.failure != null ?
                outcome.failure.getClass().getName() + ": " + outcome.failure.getMessage() :
                "the task's result cannot be serialized: " + unserializable.getMessage());
            standIn.setStackTrace(outcome.failure != null ? outcome.failure.getStackTrace() : new StackTraceElement[0]);
            final Outcome fallback = new Outcome(null, standIn);
            fallback.pid = outcome.pid;
            return codec().encode(fallback);
        }
    }

    /**
     * A task's result or exception, and the pid of the member that ran it.
     */
    static final class Outcome implements Serializable
    {
        private static final long serialVersionUID = 1L;

        final Object value;
        final Throwable failure;
        long pid;

        Outcome(final Object value, final Throwable failure)
        {
            this.value = value;
            this.failure = failure;
        }
    }
}

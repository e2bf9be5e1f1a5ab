package io.mp4j.cluster;

import org.apache.ignite.Ignition;
import org.apache.ignite.compute.ComputeJobFailoverException;
import io.mp4j.SerializableCallable;
import io.mp4j.queue.JavaSerializationCodec;
import io.mp4j.queue.MessageDecodingException;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ignite.lang.IgniteCallable;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A task on its way to a member: the caller's {@code Callable} itself, marshalled by Ignite as Ignite's own
 * executor marshals its tasks, and read on the member through Ignite's class filter (its deny-list, or the
 * allow-list of {@link IgniteAllowList} when {@link ClusterConfig.Builder#allowList} is on).
 * The outcome travels back as a kind byte and the member's pid, then, for a null, boolean, Integer, Long,
 * Double or String result, the value itself; any other result, and a failure, as the Java-serialized
 * {@link Outcome} (all integers big-endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Kind      |            Member pid (64 bits) ...
 *  +-+-+-+-+-+-+-+-+                                               +
 *  |                                               |  Value ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Value: none (null, true, false) | int32 | int64 | IEEE 754 64 bits | UTF-8 bytes to the end
 *          | the Java-serialized Outcome to the end (kind OBJECT)
 * </pre>
 * Why so little Java serialization: a JVM runs few tasks compared with the messages Ignite marshals, so
 * mp4j's own serialization code stays interpreted for hundreds of calls. When tasks were Java-serialized
 * into bytes too (and decoded on the member through mp4j's filter), four such passes a call (task out and
 * in, outcome out and in) cost a cold cluster about a millisecond a call; simple results then dropped two
 * of them, and the task, now marshalled by Ignite alone, the other two (the round trip went from
 * 1.14-1.38x Ignite's own executor to about 1.0x). mp4j's filter on tasks had kept little out: a node reads
 * every other message with Ignite's filter.
 */
final class RemoteCall implements IgniteCallable<byte[]>
{
    private static final long serialVersionUID = 1L;

    private final Callable<?> task;

    private RemoteCall(final Callable<?> task)
    {
        this.task = task;
    }

    static JavaSerializationCodec codec()
    {
        return Codec.INSTANCE;
    }

    /**
     * Made on first use: the codec reads its allow-list property then. Besides mp4j's defaults it allows a
     * serialized lambda's carrier and the classes of {@code java.io} and {@code java.util.concurrent}, whose
     * exceptions ({@code IOException}, {@code UncheckedIOException}, {@code TimeoutException}, ...) tasks
     * commonly throw.
     */
    private static final class Codec
    {
        static final JavaSerializationCodec INSTANCE = new JavaSerializationCodec(ALLOWED);
    }

    /** Allowed on top of {@link JavaSerializationCodec#DEFAULT_PATTERNS} and {@code -Dmp4j.serial.allow}. */
    static final String ALLOWED = "java.lang.invoke.SerializedLambda;java.io.*;java.util.concurrent.*";

    /**
     * @param task a serializable task.
     * @return the call to send.
     * @throws IllegalArgumentException naming the task's class if it is not serializable.
     */
    static RemoteCall of(final Callable<?> task)
    {
        if (!(task instanceof Serializable))
        {
            throw new IllegalArgumentException("a cluster task must be serializable (a SerializableCallable, or a lambda cast " +
                "to one): " + task.getClass().getName());
        }
        return new RemoteCall(task);
    }

    @Override
    public byte[] call()
    {
        Outcome outcome;
        try
        {
            outcome = new Outcome(task.call(), null);
        }
        catch (final Throwable failure)
        {
            if (onAStoppingMember())
            {
                // the member's stop interrupted the task: Ignite runs it again on another member, as when a
                // member dies, instead of reporting the interrupt as the task's own failure
                throw new ComputeJobFailoverException("cluster member pid " + ProcessHandle.current().pid() +
                    " is stopping: the task runs again on another member (" + failure + ")");
            }
            outcome = new Outcome(null, failure);
        }
        outcome.pid = ProcessHandle.current().pid();
        if (outcome.failure == null)
        {
            final byte[] simple = encodeSimple(outcome.value, outcome.pid);
            if (simple != null)
            {
                return simple;
            }
        }
        try
        {
            return withKind(codec().encode(outcome), outcome.pid);
        }
        catch (final RuntimeException unserializable)
        {
            final RuntimeException standIn = new RuntimeException(outcome.failure != null ?
                outcome.failure.getClass().getName() + ": " + outcome.failure.getMessage() :
                "the task's result cannot be serialized: " + unserializable.getMessage());
            standIn.setStackTrace(outcome.failure != null ? outcome.failure.getStackTrace() : new StackTraceElement[0]);
            final Outcome fallback = new Outcome(null, standIn);
            fallback.pid = outcome.pid;
            return withKind(codec().encode(fallback), outcome.pid);
        }
    }

    /** @return whether this call runs as a job of a member of this JVM that is being stopped. */
    private static boolean onAStoppingMember()
    {
        try
        {
            return IgniteNode.isStopping(Ignition.localIgnite().name());
        }
        catch (final RuntimeException notAJob)
        {
            return false;   // a warm-up call, on a thread of no node
        }
    }

    /**
     * System property: how many synthetic tasks a JVM runs through the task path, once, in the background:
     * a member once it is ready, a caller when it makes its first executor or pool (0: none).
     */
    static final String WARM_UP_PROPERTY = "mp4j.cluster.warmUpCalls";

    /**
     * Start {@link #warmUp} on a daemon thread, once per JVM (the holder class's initialisation is the once),
     * so neither a member's start-up nor a caller's first executor waits for it.
     */
    static void warmUpInBackground()
    {
        BackgroundWarmUp.touch();
    }

    private static final class BackgroundWarmUp
    {
        static
        {
            final int calls = Integer.getInteger(WARM_UP_PROPERTY, 2_000);
            if (calls > 0)
            {
                final Thread warm = new Thread(() -> warmUp(calls), "mp4j-cluster-warm-up");
                warm.setDaemon(true);
                warm.start();
            }
        }

        static void touch()
        {
        }
    }

    /**
     * Run synthetic tasks (a method reference returning a string, and a lambda returning a list of a captured
     * value) through mp4j's part of a task's path, member and caller: run, encode the outcome (compact, or
     * Java-serialized for the list), decode it through the filter. A cold JVM otherwise runs its first few
     * hundred outcomes' Java serialization interpreted (when tasks were Java-serialized too: about a
     * millisecond a task on a member, 0.25 ms a task to encode in a caller).
     *
     * @param calls how many.
     */
    static void warmUp(final int calls)
    {
        try
        {
            for (int i = 0; i < calls; i++)
            {
                final int captured = i;
                final SerializableCallable<Object> task = (i & 1) == 0 ? RemoteCall::warmUpTask : () -> List.of(captured);
                decodeOutcome(of(task).call());
            }
        }
        catch (final RuntimeException ex)
        {
            // a warm-up that fails leaves the member as cold as it was, and correct
        }
    }

    private static Object warmUpTask()
    {
        return "warm-up";
    }

    private static final byte KIND_OBJECT = 0;
    private static final byte KIND_NULL = 1;
    private static final byte KIND_TRUE = 2;
    private static final byte KIND_FALSE = 3;
    private static final byte KIND_INT = 4;
    private static final byte KIND_LONG = 5;
    private static final byte KIND_DOUBLE = 6;
    private static final byte KIND_STRING = 7;
    private static final int HEADER_LENGTH = 1 + Long.BYTES;

    /**
     * @return the outcome of a task that returned {@code value}, or null if the value is not of a simple kind.
     */
    static byte[] encodeSimple(final Object value, final long pid)
    {
        final ByteBuffer out;
        if (value == null)
        {
            out = header(KIND_NULL, pid, 0);
        }
        else if (value instanceof Boolean)
        {
            out = header((Boolean)value ? KIND_TRUE : KIND_FALSE, pid, 0);
        }
        else if (value instanceof Integer)
        {
            out = header(KIND_INT, pid, Integer.BYTES).putInt((Integer)value);
        }
        else if (value instanceof Long)
        {
            out = header(KIND_LONG, pid, Long.BYTES).putLong((Long)value);
        }
        else if (value instanceof Double)
        {
            out = header(KIND_DOUBLE, pid, Double.BYTES).putDouble((Double)value);
        }
        else if (value instanceof String)
        {
            final byte[] utf8 = ((String)value).getBytes(StandardCharsets.UTF_8);
            out = header(KIND_STRING, pid, utf8.length).put(utf8);
        }
        else
        {
            return null;
        }
        return out.array();
    }

    private static ByteBuffer header(final byte kind, final long pid, final int valueLength)
    {
        return ByteBuffer.allocate(HEADER_LENGTH + valueLength).put(kind).putLong(pid);
    }

    private static byte[] withKind(final byte[] serializedOutcome, final long pid)
    {
        return header(KIND_OBJECT, pid, serializedOutcome.length).put(serializedOutcome).array();
    }

    /**
     * @param bytes what {@link #call()} returned.
     * @return the task's outcome.
     * @throws IllegalStateException     if the bytes are not an outcome (naming the kind).
     * @throws MessageDecodingException if a Java-serialized outcome cannot be read here (a class the filter
     *                                   refuses, or one not on the class path), naming the member's pid.
     */
    static Outcome decodeOutcome(final byte[] bytes)
    {
        if (bytes.length < HEADER_LENGTH)
        {
            throw new IllegalStateException("a task outcome of " + bytes.length + " bytes is shorter than its header");
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final byte kind = in.get();
        final long pid = in.getLong();
        final Object value;
        switch (kind)
        {
            case KIND_OBJECT:
                try
                {
                    return (Outcome)codec().decode(new UnsafeBuffer(bytes), HEADER_LENGTH, bytes.length - HEADER_LENGTH);
                }
                catch (final MessageDecodingException ex)
                {
                    throw new MessageDecodingException("the outcome (result or exception) of a task run on cluster member pid " +
                        pid + " cannot be read here: " + ex.getMessage(), ex);
                }
            case KIND_NULL:
                value = null;
                break;
            case KIND_TRUE:
                value = Boolean.TRUE;
                break;
            case KIND_FALSE:
                value = Boolean.FALSE;
                break;
            case KIND_INT:
                value = in.getInt();
                break;
            case KIND_LONG:
                value = in.getLong();
                break;
            case KIND_DOUBLE:
                value = in.getDouble();
                break;
            case KIND_STRING:
                value = new String(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, StandardCharsets.UTF_8);
                break;
            default:
                throw new IllegalStateException("unknown task outcome kind " + kind);
        }
        final Outcome outcome = new Outcome(value, null);
        outcome.pid = pid;
        return outcome;
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

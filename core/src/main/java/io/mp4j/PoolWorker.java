package io.mp4j;

import io.mp4j.shm.TimedBackoffIdleStrategy;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.nio.file.Path;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.concurrent.TimeUnit;

/**
 * The loop a pool worker JVM runs (as the target of an mp4j {@link Process}): attach to its
 * {@link WorkerChannel}, run the initializer, say ready, then run task chunks until told to stop.
 *
 * <p>A task that throws fails its chunk: the exception (or a {@link RemoteError} standing in for it)
 * goes back to the pool and the worker carries on, a {@link StackOverflowError} included. Another
 * {@link VirtualMachineError} (out of memory, an internal error) ends the worker with status {@link #VM_ERROR_STATUS}: its heap is no longer to
 * be trusted; the pool sees the death and replaces it.
 */
final class PoolWorker implements MessageHandler
{
    /** Task modes (the MSG_TASK mode field). */
    static final int MODE_FUNCTION = 0;
    static final int MODE_BIFUNCTION = 1;
    static final int MODE_CALLABLE = 2;
    /** The task body is a Java-serialized {@link SerializableCallable}, sent once and not cached. */
    static final int MODE_INLINE = 3;

    /** Exit status of a worker after a {@link VirtualMachineError}: what {@code -XX:+ExitOnOutOfMemoryError} gives. */
    static final int VM_ERROR_STATUS = 3;

    private final WorkerChannel channel;
    private final OneToOneRingBuffer results;
    private final Int2ObjectHashMap<Registered> functions = new Int2ObjectHashMap<>();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(64 * 1024);
    private final IdleStrategy idle;
    private Object[] argsA = new Object[64];
    private Object[] argsB = new Object[64];
    private boolean stop;
    /** The task of the current chunk being run, for the error report. */
    private int taskIndex;
    /** See {@link #applyDirect}. */
    private Object pendingResult;
    private int argPos;
    private int directLength;

    private PoolWorker(final WorkerChannel channel, final long spinNanos)
    {
        this.channel = channel;
        this.results = channel.results();
        this.idle = idleStrategy(spinNanos);
    }

    /**
     * The target of a worker {@link Process}. Made here, not in {@link Pool}, so that deserializing it in
     * the worker loads (and verifies) this small class instead of the pool's classes: start-up time.
     */
    static SerializableConsumer<WorkerSpec> target()
    {
        return new Target();
    }

    /**
     * A plain class, not a method reference: a serialized lambda costs a cold worker its reflective
     * {@code $deserializeLambda$} and a lambda class spun at run time, tens of milliseconds before its
     * first task.
     */
    static final class Target implements SerializableConsumer<WorkerSpec>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public void accept(final WorkerSpec spec) throws Exception
        {
            run(spec);
        }
    }

    /** How long an idle worker or dispatcher spins by default ({@link Pool.Builder#spinTime}). */
    static final long DEFAULT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(400);

    /**
     * How often the pool's spinners yield: so that on a machine with more runnable threads than cores a
     * spinner hands its core to the thread it waits for instead of holding it for a time slice. Not more
     * often: a yield costs about 50 µs here whenever another thread is runnable on the core; yielding every
     * 5 µs made a round trip's p50 24 µs on a quiet machine (2 µs yielding every 100 µs), while at load 4-5
     * it had helped the round trip (p50 25 µs, against 300 µs never yielding). Where the JVM may use one
     * processor ({@link io.mp4j.shm.IdleStrategies#MULTIPROCESSOR}), whenever it reads the clock (every 64
     * spins, about every 2 µs): the thread waited for needs this core, and a yield hands it over (workers
     * and caller pinned to one core: a round trip's p50 127 µs yielding every 100 µs, 17 µs yielding about
     * every 2 µs; {@code map} with chunksize 1, warm, 565 k against 1.4 M tasks/s).
     */
    static final long YIELD_EVERY_NANOS = io.mp4j.shm.IdleStrategies.MULTIPROCESSOR ?
        TimeUnit.MICROSECONDS.toNanos(TimedBackoffIdleStrategy.YIELD_EVERY_MICROS) : 1;

    /** Park cap while a wait is young. Linux's default timer slack adds about 50 µs to any park. */
    static final long YOUNG_PARK_CAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    /** How long a wait is young. */
    static final long YOUNG_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /**
     * How the pool's threads wait for work (its workers, its dispatcher thread): spin, then park with a cap of
     * {@link #YOUNG_PARK_CAP_NANOS} for the first {@link #YOUNG_NANOS} of parking, then of 1 ms.
     *
     * <p>Why not a 1 ms cap from the start: a round trip that missed the spin phase (the worker lost its core
     * for a moment) then waited for a park of up to 1 ms, which set the p99 of a round trip and, per chunk,
     * the spread of a map's passes. Why not a low cap for ever: an idle pool would wake its threads tens of
     * thousands of times a second. There is no yield phase: the spin phase yields already. A parked thread
     * uses no CPU, whatever its park length.
     *
     * @param spinNanos how long to spin before the first park.
     */
    static IdleStrategy idleStrategy(final long spinNanos)
    {
        return new TimedBackoffIdleStrategy(spinNanos, YIELD_EVERY_NANOS, 0, TimeUnit.MICROSECONDS.toNanos(1),
            YOUNG_PARK_CAP_NANOS, YOUNG_NANOS, TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * The worker's main loop.
     *
     * @param spec where the region is and what to initialise.
     * @throws Exception if the initializer throws (the worker then exits with status 1 and the pool sees it).
     */
    @SuppressWarnings("unchecked")
    static void run(final WorkerSpec spec) throws Exception
    {
        try (WorkerChannel channel = WorkerChannel.attach(Path.of(spec.regionPath)))
        {
            if (spec.initializer instanceof SerializableRunnable)
            {
                ((SerializableRunnable)spec.initializer).run();
            }
            else if (spec.initializer instanceof SerializableConsumer)
            {
                ((SerializableConsumer<Object>)spec.initializer).accept(spec.initArg);
            }
            final PoolWorker worker = new PoolWorker(channel, spec.spinNanos);
            worker.out.putLong(0, ProcessHandle.current().pid());
            worker.send(WorkerChannel.MSG_READY, 8);
            worker.loop();
        }
        System.out.flush();
    }

    private void loop()
    {
        final MessageHandler handler = channel.unblobbing(this);
        final OneToOneRingBuffer tasks = channel.tasks();
        while (!stop)
        {
            // a task may leave its interrupt set (catch InterruptedException, interrupt() again): as in a
            // ThreadPoolExecutor it is the task's, not the next one's, and while idle it would make every
            // park return at once; so it is cleared here and before each task of a chunk
            Thread.interrupted();
            idle.idle(tasks.read(handler, 1));
        }
    }

    @Override
    public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (type)
        {
            case WorkerChannel.MSG_TASK:
                channel.taskStarted();
                runChunk(buffer, index, length);
                break;
            case WorkerChannel.MSG_FUNCTION:
                final byte[] bytes = new byte[length - 4];
                buffer.getBytes(index + 4, bytes);
                Object fn;
                try
                {
                    fn = TaskCodec.deserialize(bytes);
                }
                catch (final RuntimeException | LinkageError ex)
                {
                    // the tasks that use it fail, not the worker: a worker that died here would have its
                    // chunk (not started) sent to its replacement, which would die the same way, for ever
                    fn = new UnreadableFunction(ex);
                }
                functions.put(buffer.getInt(index), new Registered(fn, UnboxedFunction.of(fn)));
                break;
            case WorkerChannel.MSG_FORGET:
                functions.remove(buffer.getInt(index));
                break;
            case WorkerChannel.MSG_STOP:
                stop = true;
                break;
            default:
                throw new IllegalStateException("pool worker: unknown message type " + type);
        }
    }

    @SuppressWarnings("unchecked")
    private void runChunk(final DirectBuffer buffer, final int index, final int length)
    {
        final long chunkId = buffer.getLong(index + WorkerChannel.CHUNK_ID_OFFSET);
        final int fnId = buffer.getInt(index + WorkerChannel.TASK_FN_ID_OFFSET);
        final int mode = buffer.getInt(index + WorkerChannel.TASK_MODE_OFFSET);
        final int argsOffset = index + WorkerChannel.TASK_ARGS_OFFSET;
        taskIndex = 0;
        try
        {
            final Object fn;
            final Object op;
            final int count;
            if (mode == MODE_INLINE)
            {
                final byte[] bytes = new byte[length - WorkerChannel.TASK_ARGS_OFFSET];
                buffer.getBytes(argsOffset, bytes);
                fn = TaskCodec.deserialize(bytes);
                op = null;
                count = 1;
            }
            else
            {
                final Registered registered = functions.get(fnId);
                if (registered == null)
                {
                    throw new IllegalStateException("pool worker: no function with id " + fnId);
                }
                fn = registered.fn;
                op = registered.unboxed;
                if (fn instanceof UnreadableFunction)
                {
                    final Throwable why = ((UnreadableFunction)fn).cause;
                    throw new IllegalStateException("pool worker: cannot deserialize the task's function: " + why, why);
                }
                count = mode == MODE_CALLABLE ? buffer.getInt(argsOffset) : TaskCodec.count(buffer, argsOffset);
            }
            if (argsA.length < count)
            {
                argsA = new Object[count];
                argsB = new Object[count];
            }
            final Object[] a = argsA;
            out.putLong(WorkerChannel.CHUNK_ID_OFFSET, chunkId);
            if (mode == MODE_FUNCTION)
            {
                final SerializableFunction<Object, Object> f = (SerializableFunction<Object, Object>)fn;
                final int argKind = buffer.getInt(argsOffset + TaskCodec.KIND_OFFSET);
                if (op != null && applyUnboxed(op, buffer, argsOffset, argKind, count))
                {
                    send(WorkerChannel.MSG_RESULT, WorkerChannel.RESULT_VALUES_OFFSET + directLength);
                    return;
                }
                if (argKind != TaskCodec.KIND_OBJECT)
                {
                    final int done = applyDirect(f, buffer, argsOffset, argKind, count);
                    if (done == count)
                    {
                        send(WorkerChannel.MSG_RESULT, WorkerChannel.RESULT_VALUES_OFFSET + directLength);
                        return;
                    }
                    // a result of another kind: carry on through an Object[]
                    if (done > 0)
                    {
                        TaskCodec.decode(out, WorkerChannel.RESULT_VALUES_OFFSET, a, 0);
                    }
                    a[done] = pendingResult;
                    pendingResult = null;
                    for (int i = done + 1; i < count; i++)
                    {
                        taskIndex = i;
                        Thread.interrupted(); // see loop()
                        a[i] = f.apply(readArg(buffer, argKind));
                    }
                }
                else
                {
                    TaskCodec.decode(buffer, argsOffset, a, 0);
                    for (int i = 0; i < count; i++)
                    {
                        taskIndex = i;
                        Thread.interrupted(); // see loop()
                        a[i] = f.apply(a[i]);
                    }
                }
            }
            else if (mode == MODE_BIFUNCTION)
            {
                final Object[] b = argsB;
                final int next = TaskCodec.decode(buffer, argsOffset, a, 0);
                TaskCodec.decode(buffer, next, b, 0);
                final SerializableBiFunction<Object, Object, Object> f = (SerializableBiFunction<Object, Object, Object>)fn;
                for (int i = 0; i < count; i++)
                {
                    taskIndex = i;
                    Thread.interrupted(); // see loop()
                    a[i] = f.apply(a[i], b[i]);
                    b[i] = null;
                }
            }
            else
            {
                final SerializableCallable<Object> f = (SerializableCallable<Object>)fn;
                for (int i = 0; i < count; i++)
                {
                    taskIndex = i;
                    Thread.interrupted(); // see loop()
                    a[i] = f.call();
                }
            }
            final int len = TaskCodec.encode(k -> a[k], count, out, WorkerChannel.RESULT_VALUES_OFFSET);
            java.util.Arrays.fill(a, 0, count, null);
            send(WorkerChannel.MSG_RESULT, WorkerChannel.RESULT_VALUES_OFFSET + len);
        }
        catch (final StackOverflowError ex)
        {
            // the stack has unwound: an ordinary task failure
            java.util.Arrays.fill(argsA, null);
            java.util.Arrays.fill(argsB, null);
            pendingResult = null;
            sendError(chunkId, taskIndex, ex);
        }
        catch (final VirtualMachineError ex)
        {
            try
            {
                System.err.println("mp4j pool worker " + ProcessHandle.current().pid() + ": " + ex + "; exiting");
                System.err.flush();
            }
            finally
            {
                Runtime.getRuntime().halt(VM_ERROR_STATUS);
            }
        }
        catch (final Throwable ex)
        {
            java.util.Arrays.fill(argsA, null);
            java.util.Arrays.fill(argsB, null);
            pendingResult = null;
            sendError(chunkId, taskIndex, ex);
        }
    }

    /**
     * Run a function over a column of Integer, Long, Double or String arguments, writing each result
     * straight into the outgoing message while the results are all of the first one's kind. No Object[]
     * lies between: an argument's box lives only across the call (C2 removes it once the function is
     * inlined), where a long-lived array of fresh boxes costs a card mark per store and a scan per young GC.
     *
     * @return how many tasks ran and were encoded (their kind and count are in {@link #out}; the message body
     * is {@link #directLength} bytes when all {@code count} were). When fewer, the next task has run too:
     * its result is {@link #pendingResult} and {@link #argPos} is just after its argument.
     */
    private int applyDirect(
        final SerializableFunction<Object, Object> f, final DirectBuffer buffer, final int argsOffset, final int argKind, final int count)
        throws Exception
    {
        final MutableDirectBuffer o = out;
        final int at = WorkerChannel.RESULT_VALUES_OFFSET;
        int inPos = argsOffset + TaskCodec.BODY_OFFSET;
        int outPos = at + TaskCodec.BODY_OFFSET;
        int resultKind = TaskCodec.KIND_INT;
        for (int i = 0; i < count; i++)
        {
            taskIndex = i;
            Thread.interrupted(); // see loop()
            final Object arg;
            switch (argKind)
            {
                case TaskCodec.KIND_INT:
                    arg = buffer.getInt(inPos);
                    inPos += 4;
                    break;
                case TaskCodec.KIND_LONG:
                    arg = buffer.getLong(inPos);
                    inPos += 8;
                    break;
                case TaskCodec.KIND_DOUBLE:
                    arg = buffer.getDouble(inPos);
                    inPos += 8;
                    break;
                default:
                    final int len = buffer.getInt(inPos);
                    arg = buffer.getStringUtf8(inPos, len);
                    inPos += 4 + len;
            }
            final Object r = f.apply(arg);
            final int k = TaskCodec.kindOfValue(r);
            if (i == 0)
            {
                resultKind = k;
            }
            if (k != resultKind || k == TaskCodec.KIND_OBJECT)
            {
                o.putInt(at + TaskCodec.KIND_OFFSET, resultKind);
                o.putInt(at + TaskCodec.COUNT_OFFSET, i);
                pendingResult = r;
                argPos = inPos;
                return i;
            }
            switch (k)
            {
                case TaskCodec.KIND_INT:
                    o.putInt(outPos, (Integer)r);
                    outPos += 4;
                    break;
                case TaskCodec.KIND_LONG:
                    o.putLong(outPos, (Long)r);
                    outPos += 8;
                    break;
                case TaskCodec.KIND_DOUBLE:
                    o.putDouble(outPos, (Double)r);
                    outPos += 8;
                    break;
                default:
                    outPos += o.putStringUtf8(outPos, (String)r);
            }
        }
        o.putInt(at + TaskCodec.KIND_OFFSET, resultKind);
        o.putInt(at + TaskCodec.COUNT_OFFSET, count);
        directLength = outPos - at;
        return count;
    }

    /**
     * Run an {@link UnboxedFunction} over a column of arguments of its primitive type, straight from the
     * task message into the result message.
     *
     * @return false if the column is not of the operator's type (nothing was run).
     */
    private boolean applyUnboxed(final Object op, final DirectBuffer buffer, final int argsOffset, final int argKind, final int count)
    {
        final MutableDirectBuffer o = out;
        final int at = WorkerChannel.RESULT_VALUES_OFFSET;
        int inPos = argsOffset + TaskCodec.BODY_OFFSET;
        int outPos = at + TaskCodec.BODY_OFFSET;
        if (argKind == TaskCodec.KIND_LONG && op instanceof LongUnaryOperator)
        {
            final LongUnaryOperator f = (LongUnaryOperator)op;
            for (int i = 0; i < count; i++, inPos += 8, outPos += 8)
            {
                taskIndex = i;
                Thread.interrupted(); // see loop()
                o.putLong(outPos, f.applyAsLong(buffer.getLong(inPos)));
            }
        }
        else if (argKind == TaskCodec.KIND_INT && op instanceof IntUnaryOperator)
        {
            final IntUnaryOperator f = (IntUnaryOperator)op;
            for (int i = 0; i < count; i++, inPos += 4, outPos += 4)
            {
                taskIndex = i;
                Thread.interrupted(); // see loop()
                o.putInt(outPos, f.applyAsInt(buffer.getInt(inPos)));
            }
        }
        else if (argKind == TaskCodec.KIND_DOUBLE && op instanceof DoubleUnaryOperator)
        {
            final DoubleUnaryOperator f = (DoubleUnaryOperator)op;
            for (int i = 0; i < count; i++, inPos += 8, outPos += 8)
            {
                taskIndex = i;
                Thread.interrupted(); // see loop()
                o.putDouble(outPos, f.applyAsDouble(buffer.getDouble(inPos)));
            }
        }
        else
        {
            return false;
        }
        o.putInt(at + TaskCodec.KIND_OFFSET, argKind);
        o.putInt(at + TaskCodec.COUNT_OFFSET, count);
        directLength = outPos - at;
        return true;
    }

    /**
     * The argument at {@link #argPos}, of a primitive or String column; moves {@link #argPos} past it.
     */
    private Object readArg(final DirectBuffer buffer, final int kind)
    {
        final int pos = argPos;
        switch (kind)
        {
            case TaskCodec.KIND_INT:
                argPos = pos + 4;
                return buffer.getInt(pos);
            case TaskCodec.KIND_LONG:
                argPos = pos + 8;
                return buffer.getLong(pos);
            case TaskCodec.KIND_DOUBLE:
                argPos = pos + 8;
                return buffer.getDouble(pos);
            default:
                final int len = buffer.getInt(pos);
                argPos = pos + 4 + len;
                return buffer.getStringUtf8(pos, len);
        }
    }

    /** A function sent once and used by id, with its {@link UnboxedFunction} if it has one. */
    private static final class Registered
    {
        final Object fn;
        final Object unboxed;

        Registered(final Object fn, final Object unboxed)
        {
            this.fn = fn;
            this.unboxed = unboxed;
        }
    }

    /** A function that could not be deserialized in this worker, and why. */
    private static final class UnreadableFunction
    {
        final Throwable cause;

        UnreadableFunction(final Throwable cause)
        {
            this.cause = cause;
        }
    }

    private void sendError(final long chunkId, final int index, final Throwable ex)
    {
        byte[] bytes;
        try
        {
            bytes = TaskCodec.serialize(ex, "exception");
        }
        catch (final RuntimeException notSerializable)
        {
            bytes = TaskCodec.serialize(new RemoteError(ex), "exception");
        }
        out.putLong(WorkerChannel.CHUNK_ID_OFFSET, chunkId);
        out.putInt(WorkerChannel.ERROR_INDEX_OFFSET, index);
        out.putBytes(WorkerChannel.ERROR_THROWABLE_OFFSET, bytes);
        send(WorkerChannel.MSG_ERROR, WorkerChannel.ERROR_THROWABLE_OFFSET + bytes.length);
    }

    private void send(final int type, final int length)
    {
        idle.reset();
        while (!channel.offer(results, type, out, 0, length))
        {
            idle.idle();
        }
        idle.reset();
    }
}

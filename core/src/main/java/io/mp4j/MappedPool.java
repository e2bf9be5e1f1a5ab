package io.mp4j;

import io.mp4j.PoolJob.Chunk;
import io.mp4j.PoolJob.FunctionRef;
import io.mp4j.PoolJob.IterJob;
import io.mp4j.PoolJob.ListJob;
import io.mp4j.PoolJob.SingleJob;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * The memory-mapped implementation of {@link Pool}.
 */
final class MappedPool implements Pool
{
    private static final int RUNNING = 0;

    private static final int SHUTDOWN = 1;

    private static final int TERMINATING = 2;

    private static final int TERMINATED = 3;

    /** A call's chunks are handed to the dispatcher in batches of about this many bytes... */
    static final int SUBMIT_BATCH_BYTES = 64 * 1024;

    /** ...or this many chunks. */
    static final int SUBMIT_BATCH_CHUNKS = 256;

    /**
     * How long after a caller last helped the dispatcher thread leaves the work to callers. A caller that
     * stops helping wakes the dispatcher thread if work is left ({@link #stopHelping}), so the lease only
     * bounds how long a helper that stalls (descheduled) holds up the results of other calls. Why not
     * shorter: the dispatcher thread then woke every lease (it was 250 µs) while sequential calls ran, and
     * each wake-up can take the core of a spinning caller or worker (the round trip's tails were the same
     * within this machine's noise either way).
     */
    static final long HELPER_LEASE_NANOS = TimeUnit.MICROSECONDS.toNanos(5000);

    /** Chunks queued per worker by default (no {@link Pool.Builder#prefetch(int)})... */
    static final int DEFAULT_PREFETCH = 16;

    /**
     * ...or, while a worker's chunks are short, as many as it runs in this long (by the average time between
     * its results while it had more queued), up to {@link #MAX_PREFETCH}: with chunks of one tiny task, 16
     * in flight per worker capped a map at 16 per worker per round trip of the dispatcher.
     */
    static final long PREFETCH_WORK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    /** The most chunks queued on one worker by default. */
    static final int MAX_PREFETCH = 256;

    /** Functions each worker keeps cached; the oldest is forgotten beyond this. */
    static final int FUNCTION_CACHE = 128;

    /** Consecutive workers that may die before they are ready before the pool declares itself broken. */
    static final int MAX_START_FAILURES = 3;

    private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

    private final int processes;

    private final Object initializer;

    private final Object initArg;

    private final int maxTasksPerChild;

    private final boolean retryOnWorkerDeath;

    private final int prefetch;

    private final long spinNanos;

    private final int ringCapacity;

    private final Context context;

    private final String name;

    private final Object submitLock = new Object();

    private final ReentrantLock dispatchLock = new ReentrantLock();

    /** Until when (System.nanoTime) a helping caller is taken to be doing the dispatcher's work. */
    private volatile long helperActiveUntil = System.nanoTime();

    /** Whether, after the last round of dispatching, chunks were still queued or running. */
    private volatile boolean outstanding;

    /** Whether, after a helping caller's last round, a worker had been sent chunks it had not started. */
    private volatile boolean workerBehind;

    private volatile int state = RUNNING;

    /** Whether {@link #workersToStart} is above zero: read by the dispatcher thread before it takes the lock. */
    private volatile boolean workersWanted;

    private volatile RuntimeException broken;

    /** Batches of chunks submitted, not yet moved to {@link #pending} (one queue node per batch, not per chunk). */
    private final ConcurrentLinkedQueue<List<Chunk>> submissions = new ConcurrentLinkedQueue<>();

    private final Map<Object, FunctionRef> functionIds = new WeakHashMap<>();

    private final AtomicInteger nextFunctionId = new AtomicInteger();

    private final AtomicLong nextChunkId = new AtomicLong();

    private final Set<Long> readyPids = ConcurrentHashMap.newKeySet();

    private final List<Chunk> neverStarted = new ArrayList<>();

    private final Thread dispatcher;

// guarded by dispatchLock: the dispatcher thread, or a waiting caller helping it (helpDispatch)

    private final List<Slot> slots = new ArrayList<>();

    private final ArrayDeque<Chunk> pending = new ArrayDeque<>();

    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64 * 1024);

    private int workerCounter;

    private int startFailures;

    /**
     * Workers to start (replacements of dead or retiring ones), left to the dispatcher thread: a caller
     * helping it may have been interrupted, and a worker started on its thread would have its channel's
     * {@code FileChannel} closed by that interrupt.
     */
    private int workersToStart;

    private Slot current;

    private final MessageHandler resultHandler = this::onResult;

    MappedPool(final Pool.Builder b)
    {
        this.processes = b.processes > 0 ? b.processes : Process.cpuCount();
        this.initializer = b.initializer;
        this.initArg = b.initArg;
        this.maxTasksPerChild = b.maxTasksPerChild;
        this.retryOnWorkerDeath = b.retryOnWorkerDeath;
        this.prefetch = b.prefetch; // 0: adaptive, see limit()
        this.spinNanos = b.spinNanos;
        this.ringCapacity = b.ringCapacity;
        this.context = b.context != null ? b.context : Context.global();
        this.name = "Pool-" + ProcessHandle.current().pid() + "-" + POOL_COUNTER.incrementAndGet();
        if (initializer != null)
        {
            TaskCodec.serialize(initializer, "the initializer of " + name);
            TaskCodec.serialize(initArg, "the initializer argument of " + name);
        }
        // the caller's interrupt is not for the workers' channels (interruptible FileChannels): kept for it
        final boolean interrupted = Thread.interrupted();
        try
        {
            for (int i = 0; i < processes; i++)
            {
                slots.add(startWorker());
            }
        }
        catch (final RuntimeException ex)
        {
            abandonWorkers();
            throw ex;
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        this.dispatcher = new Thread(this::dispatchLoop, "mp4j-" + name);
        dispatcher.setDaemon(true);
        dispatcher.start();
    }




// ------------------------------------------------------------------------------------------------

// Public API

// ------------------------------------------------------------------------------------------------

    @Override
    public int processes()
    {
        return processes;
    }

    @Override
    public Set<Long> workerPids()
    {
        return Set.copyOf(readyPids);
    }

    @Override
    public boolean awaitReady(final Duration timeout) throws InterruptedException
    {
        // a negative timeout has passed already; clamped so that the deadline cannot wrap around
        final long deadline = System.nanoTime() + Math.max(0, io.mp4j.shm.IdleStrategies.toNanos(timeout));
        while (readyPids.size() < processes)
        {
            if (System.nanoTime() - deadline > 0 || state != RUNNING)
            {
                return false;
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    @Override
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return await(mapAsync(fn, items));
    }

    @Override
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return await(mapAsync(fn, items, chunksize));
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        final List<? extends T> list = toList(items);
        return mapAsync(fn, list, defaultChunksize(list.size()));
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        final List<? extends T> list = toList(items);
        final ListJob<R> job = new ListJob<>(list.size());
        submit(job, functionRef(fn), PoolWorker.MODE_FUNCTION, list::get, null, list.size(), chunksize);
        return new AsyncResult<>(job.future, this);
    }

    @Override
    public <A, B, R> List<R> starmap(
        final SerializableBiFunction<A, B, R> fn, final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs)
    {
        return await(starmapAsync(fn, pairs));
    }

    @Override
    public <A, B, R> List<R> starmap(
        final SerializableBiFunction<A, B, R> fn,
        final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs,
        final int chunksize)
    {
        return await(starmapAsync(fn, pairs, chunksize));
    }

    @Override
    public <A, B, R> AsyncResult<List<R>> starmapAsync(
        final SerializableBiFunction<A, B, R> fn, final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs)
    {
        final List<? extends Map.Entry<? extends A, ? extends B>> list = toList(pairs);
        return starmapAsync(fn, list, defaultChunksize(list.size()));
    }

    @Override
    public <A, B, R> AsyncResult<List<R>> starmapAsync(
        final SerializableBiFunction<A, B, R> fn,
        final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs,
        final int chunksize)
    {
        final List<? extends Map.Entry<? extends A, ? extends B>> list = toList(pairs);
        final ListJob<R> job = new ListJob<>(list.size());
        submit(job, functionRef(fn), PoolWorker.MODE_BIFUNCTION, i -> list.get(i).getKey(), i -> list.get(i).getValue(),
            list.size(), chunksize);
        return new AsyncResult<>(job.future, this);
    }

    @Override
    public <T, R> R apply(final SerializableFunction<T, R> fn, final T arg)
    {
        return await(applyAsync(fn, arg));
    }

    @Override
    public <A, B, R> R apply(final SerializableBiFunction<A, B, R> fn, final A a, final B b)
    {
        return await(applyAsync(fn, a, b));
    }

    @Override
    public <R> R apply(final SerializableCallable<R> fn)
    {
        return await(applyAsync(fn));
    }

    @Override
    public <T, R> AsyncResult<R> applyAsync(final SerializableFunction<T, R> fn, final T arg)
    {
        final SingleJob<R> job = new SingleJob<>(new CompletableFuture<>());
        submit(job, functionRef(fn), PoolWorker.MODE_FUNCTION, i -> arg, null, 1, 1);
        return new AsyncResult<>(job.future, this);
    }

    @Override
    public <A, B, R> AsyncResult<R> applyAsync(final SerializableBiFunction<A, B, R> fn, final A a, final B b)
    {
        final SingleJob<R> job = new SingleJob<>(new CompletableFuture<>());
        submit(job, functionRef(fn), PoolWorker.MODE_BIFUNCTION, i -> a, i -> b, 1, 1);
        return new AsyncResult<>(job.future, this);
    }

    @Override
    public <R> AsyncResult<R> applyAsync(final SerializableCallable<R> fn)
    {
        final SingleJob<R> job = new SingleJob<>(new CompletableFuture<>());
        submit(job, functionRef(fn), PoolWorker.MODE_CALLABLE, null, null, 1, 1);
        return new AsyncResult<>(job.future, this);
    }

    @Override
    public <T, R> ResultIterator<R> imap(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return imap(fn, items, 1, true);
    }

    @Override
    public <T, R> ResultIterator<R> imap(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return imap(fn, items, chunksize, true);
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return imap(fn, items, 1, false);
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return imap(fn, items, chunksize, false);
    }

    private <T, R> ResultIterator<R> imap(
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize, final boolean ordered)
    {
        final List<? extends T> list = toList(items);
        checkChunksize(chunksize);
        final int chunks = (list.size() + chunksize - 1) / chunksize;
        final ResultIterator<R> it = new ResultIterator<>(ordered, list.size(), chunks);
        submit(new IterJob(it), functionRef(fn), PoolWorker.MODE_FUNCTION, list::get, null, list.size(), chunksize);
        return it;
    }

    @Override
    public void shutdown()
    {
        synchronized (submitLock)
        {
            if (state == RUNNING)
            {
                state = SHUTDOWN;
            }
        }
        LockSupport.unpark(dispatcher);
    }

    @Override
    public void terminate()
    {
        synchronized (submitLock)
        {
            if (state < TERMINATING)
            {
                state = TERMINATING;
            }
        }
        LockSupport.unpark(dispatcher);
    }

    @Override
    public void join() throws InterruptedException
    {
        if (state == RUNNING)
        {
            throw new IllegalStateException(name + " is still running: call shutdown() or terminate() before join()");
        }
        if (inCallback())
        {
            throw new IllegalStateException(name + ": join() from a callback would wait for itself");
        }
        dispatcher.join();
    }

    /**
     * @return whether this thread is doing the dispatcher's work, so is running a callback if it asks:
     * the dispatcher thread, or a waiting caller that holds {@link #dispatchLock} (which the dispatcher
     * needs to terminate the pool).
     */
    boolean inCallback()
    {
        return Thread.currentThread() == dispatcher || dispatchLock.isHeldByCurrentThread();
    }

    @Override
    public boolean awaitTermination(final Duration timeout) throws InterruptedException
    {
        if (inCallback())
        {
            return !dispatcher.isAlive(); // it cannot end while this callback runs
        }
        final long nanos = io.mp4j.shm.IdleStrategies.toNanos(timeout);
        if (nanos > 0)
        {
            dispatcher.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos))); // join(0) would wait forever
        }
        return !dispatcher.isAlive();
    }

    @Override
    public boolean isTerminated()
    {
        return !dispatcher.isAlive();
    }

    @Override
    public boolean isShutdown()
    {
        return state != RUNNING || broken != null;
    }

    @Override
    public void close()
    {
        terminate();
        if (inCallback())
        {
            return; // from a callback: the dispatcher terminates the pool once the callback returns
        }
        boolean interrupted = false;
        while (true)
        {
            try
            {
                dispatcher.join();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        final String[] names = {"running", "shutdown", "terminating", "terminated"};
        return "<" + name + " processes=" + processes + " state=" + names[state] + " ready=" + readyPids.size() + ">";
    }

// ------------------------------------------------------------------------------------------------

// Submission (caller threads)

// ------------------------------------------------------------------------------------------------

    int defaultChunksize(final int n)
    {
        return Math.max(1, (n + 4 * processes - 1) / (4 * processes));
    }

    private static void checkChunksize(final int chunksize)
    {
        if (chunksize < 1)
        {
            throw new IllegalArgumentException("chunksize=" + chunksize + " must be at least 1");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<? extends T> toList(final Iterable<? extends T> items)
    {
        Objects.requireNonNull(items, "items");
        // a List without random access (a LinkedList) is copied: chunks read their items by index
        if (items instanceof List && items instanceof java.util.RandomAccess)
        {
            return (List<? extends T>)items;
        }
        final List<T> list = items instanceof Collection ? new ArrayList<>(((Collection<? extends T>)items).size()) : new ArrayList<>();
        for (final T item : items)
        {
            list.add(item);
        }
        return list;
    }

    private static <R> R await(final AsyncResult<R> result)
    {
        try
        {
            return result.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            result.cancel(false);
            throw new CancellationException("interrupted while waiting for the pool");
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RemoteTaskException)
            {
                // a fresh exception, so the caller's stack shows where the call was made
                final RemoteTaskException remote = (RemoteTaskException)cause;
                throw new RemoteTaskException(remote.getMessage(), remote.workerPid(), remote.getCause());
            }
            if (cause instanceof WorkerDiedException)
            {
                final WorkerDiedException died = (WorkerDiedException)cause;
                throw new WorkerDiedException(died.getMessage(), died.workerPid(), died.exitCode());
            }
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            throw new IllegalStateException(cause);
        }
    }

    FunctionRef functionRef(final Object fn)
    {
        Objects.requireNonNull(fn, "function");
        synchronized (functionIds)
        {
            FunctionRef ref = functionIds.get(fn);
            if (ref == null)
            {
                ref = new FunctionRef(nextFunctionId.incrementAndGet(), TaskCodec.serialize(fn, "the function " + fn.getClass().getName()));
                functionIds.put(fn, ref);
            }
            return ref;
        }
    }

    private void submit(
        final PoolJob job,
        final FunctionRef fn,
        final int mode,
        final IntFunction<?> colA,
        final IntFunction<?> colB,
        final int n,
        final int chunksize)
    {
        checkChunksize(chunksize);
        final int chunks = (n + chunksize - 1) / chunksize;
        if (chunks == 0)
        {
            job.empty();
            return;
        }
        job.expect(chunks);
        // chunks go out in batches as they are encoded, so the workers start while the rest is encoded
        List<Chunk> batch = new ArrayList<>();
        int batchBytes = 0;
        int sent = 0;
        final ExpandableArrayBuffer buf = new ExpandableArrayBuffer(256);
        try
        {
            for (int c = 0; c < chunks; c++)
            {
                final int start = c * chunksize;
                final int count = Math.min(chunksize, n - start);
                int len;
                final int kindA = mode == PoolWorker.MODE_CALLABLE ? 0 : TaskCodec.columnKind(colA, start, count);
                final int kindB = colB == null ? 0 : TaskCodec.columnKind(colB, start, count);
                final boolean fixedWidth = TaskCodec.isFixedWidth(kindA) && (colB == null || TaskCodec.isFixedWidth(kindB));
                if (mode != PoolWorker.MODE_CALLABLE && fixedWidth)
                {
                    final Chunk chunk = new Chunk(job, c, start, count, fn, mode, null, colA, kindA, colB, kindB);
                    len = chunk.argsLength();
                    batch.add(chunk);
                }
                else
                {
                    if (mode == PoolWorker.MODE_CALLABLE)
                    {
                        buf.putInt(0, count);
                        len = 4;
                    }
                    else
                    {
                        len = TaskCodec.encode(kindA, colA, start, count, buf, 0);
                        if (colB != null)
                        {
                            len += TaskCodec.encode(kindB, colB, start, count, buf, len);
                        }
                    }
                    final byte[] args = new byte[len];
                    buf.getBytes(0, args);
                    batch.add(new Chunk(job, c, start, count, fn, mode, args));
                }
                batchBytes += len;
                if (batchBytes >= SUBMIT_BATCH_BYTES || batch.size() >= SUBMIT_BATCH_CHUNKS || c == chunks - 1)
                {
                    enqueue(batch);
                    sent = c + 1;
                    batch = new ArrayList<>();
                    batchBytes = 0;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            job.abandon(sent, chunks, chunksize, n, ex);
            throw ex;
        }
    }

    /**
     * Submit one serializable callable sent with its task, not cached (what {@link ProcessPoolExecutor}
     * uses, where every task is a new lambda).
     */
    void submitInline(final SerializableCallable<?> task, final CompletableFuture<?> future)
    {
        final byte[] body = TaskCodec.serialize(task, "the task " + task.getClass().getName());
        @SuppressWarnings({"unchecked", "rawtypes"}) final SingleJob<?> job = new SingleJob(future);
        job.owner = future;
        job.expect(1);
        enqueue(List.of(new Chunk(job, 0, 0, 1, null, PoolWorker.MODE_INLINE, body)));
    }

    private void enqueue(final List<Chunk> chunks)
    {
        synchronized (submitLock)
        {
            final RuntimeException why = broken;
            if (why != null)
            {
                throw new IllegalStateException(name + " is broken: " + why.getMessage(), why);
            }
            if (state != RUNNING)
            {
                throw new IllegalStateException(name + " is not running (shut down or terminated)");
            }
            for (final Chunk c : chunks)
            {
                c.id = nextChunkId.incrementAndGet();
            }
            submissions.add(chunks);
        }
        if (helpDispatch() < 0)
        {
            LockSupport.unpark(dispatcher);
        }
    }

    /**
     * Chunks that had not been handed to a worker when the pool was terminated (for
     * {@link ProcessPoolExecutor#shutdownNow()}); valid after the dispatcher has ended.
     */
    List<Object> neverStartedTasks()
    {
        final List<Object> owners = new ArrayList<>();
        synchronized (neverStarted)
        {
            neverStarted.sort((x, y) -> Long.compare(x.id, y.id)); // submission order
            for (final Chunk c : neverStarted)
            {
                owners.add(c.job.owner());
            }
        }
        return owners;
    }

// ------------------------------------------------------------------------------------------------

// The dispatcher thread

// ------------------------------------------------------------------------------------------------

    /**
     * The constructor failed: kill the workers it started, reap them and delete their channels' files, so
     * a pool that never existed leaves nothing behind.
     */
    private void abandonWorkers()
    {
        for (final Slot s : slots)
        {
            s.process.kill();
        }
        for (final Slot s : slots)
        {
            try
            {
                if (s.process.join(Duration.ofSeconds(10)))
                {
                    s.process.close();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final RuntimeException ignore)
            {
                // the worker's exit status is not what failed the constructor
            }
            s.channel.closeAndDelete();
        }
        slots.clear();
    }

    /**
     * Start the workers asked for by {@link #workersToStart}, on the dispatcher thread, while they are
     * needed: the pool is running, or work is left.
     *
     * @return the number started.
     */
    private int startWorkers()
    {
        int started = 0;
        while (workersToStart > 0)
        {
            workersToStart--;
            if (state == RUNNING || hasWork())
            {
                // an interrupt on this thread was left by code the pool ran for others (a callback, a
                // CompletableFuture stage); it would fail the channel's interruptible FileChannel
                Thread.interrupted();
                slots.add(startWorker());
                started++;
            }
        }
        if (workersWanted)
        {
            workersWanted = false;
        }
        return started;
    }

    /** Ask the dispatcher thread to start a worker (see {@link #workersToStart}); under dispatchLock. */
    private void requestWorker()
    {
        workersToStart++;
        workersWanted = true;
        if (Thread.currentThread() != dispatcher)
        {
            LockSupport.unpark(dispatcher);
        }
    }

    private Slot startWorker()
    {
        final int number = ++workerCounter;
        final String workerName = name + "-worker-" + number;
        final WorkerChannel channel = WorkerChannel.create(context.directory().resolve(workerName), ringCapacity);
        final Process process = Process.of(PoolWorker.target(), new WorkerSpec(channel.path().toString(), initializer, initArg, spinNanos))
            .daemon(true).context(context).name(workerName);
        try
        {
            process.start();
        }
        catch (final RuntimeException ex)
        {
            channel.closeAndDelete();
            throw ex;
        }
        return new Slot(process, channel);
    }

    private void dispatchLoop()
    {
        final IdleStrategy idle = PoolWorker.idleStrategy(spinNanos);
        try
        {
            while (true)
            {
                // nothing interrupts this thread to stop it (it reads the pool's state); an interrupt seen
                // here was left by a callback or a CompletableFuture stage run on it, and would make every
                // park return at once
                Thread.interrupted();
                // while a waiting caller is doing the work, stay out of its way (sleep instead of
                // spinning against it for the lock and the CPU); it wakes this thread when it stops
                final long lease = helperActiveUntil - System.nanoTime();
                if (lease > 0 && state == RUNNING && !workersWanted)
                {
                    LockSupport.parkNanos(lease);
                    idle.reset();
                    continue;
                }
                int work = 0;
                boolean finished = false;
                if (dispatchLock.tryLock())
                {
                    try
                    {
                        work = drainSubmissions();
                        work += pollWorkers();
                        final int s = state;
                        if (s == TERMINATING)
                        {
                            terminateNow();
                            finished = true;
                        }
                        else
                        {
                            work += startWorkers();
                            work += dispatch();
                            finished = s == SHUTDOWN && submissions.isEmpty() && pending.isEmpty() && allIdle() && stopAll();
                        }
                    }
                    finally
                    {
                        dispatchLock.unlock();
                    }
                }
                if (finished)
                {
                    break;
                }
                idle.idle(work);
            }
        }
        catch (final Throwable ex)
        {
            broken = new IllegalStateException(name + ": dispatcher failed: " + ex, ex);
            ex.printStackTrace();
            dispatchLock.lock();
            try
            {
                terminateNow();
            }
            finally
            {
                dispatchLock.unlock();
            }
        }
        finally
        {
            state = TERMINATED;
            readyPids.clear();
        }
    }

    /**
     * @return whether the calling thread is this pool's dispatcher thread.
     */
    boolean isDispatcherThread()
    {
        return Thread.currentThread() == dispatcher;
    }

    /**
     * One round of the dispatcher's work (send queued chunks, collect results, notice dead workers), done
     * by a thread that waits on this pool, if the dispatcher thread is not doing it right now: a caller
     * that spins for its result then collects it itself, with no hand-off between threads.
     *
     * @return the work done, or -1 if the dispatcher was busy.
     */
    int helpDispatch()
    {
        return helpDispatch(false);
    }

    /**
     * @param waiting true from a caller that spins for a result: the dispatcher thread then leaves the
     *                work to it (and sleeps) until it stops ({@link #stopHelping}) or for {@link #HELPER_LEASE_NANOS}.
     * @return the work done, or -1 if the dispatcher was busy.
     */
    int helpDispatch(final boolean waiting)
    {
        // not re-entrantly: a callback run while this thread reads a ring must not read it again
        if (state >= TERMINATING || dispatchLock.isHeldByCurrentThread() || !dispatchLock.tryLock())
        {
            return -1;
        }
        try
        {
            if (state >= TERMINATING)
            {
                return -1;
            }
            if (waiting)
            {
                helperActiveUntil = System.nanoTime() + HELPER_LEASE_NANOS;
            }
            final int work = drainSubmissions() + pollWorkers() + dispatch();
            outstanding = hasWork();
            if (waiting)
            {
                workerBehind = anyWorkerBehind();
            }
            return work;
        }
        catch (final Throwable ex)
        {
            broken = new IllegalStateException(name + ": dispatching failed: " + ex, ex);
            ex.printStackTrace();
            terminate();
            return -1;
        }
        finally
        {
            dispatchLock.unlock();
        }
    }

    /**
     * @return whether, at the end of a waiting caller's last round, a worker had been sent chunks it had
     * not started: it is busy with earlier ones, or it is not running (it lost its core, perhaps to the
     * caller itself).
     */
    boolean workerBehind()
    {
        return workerBehind;
    }

    private boolean anyWorkerBehind()
    {
        for (int i = 0; i < slots.size(); i++)
        {
            final Slot s = slots.get(i);
            if (s.sent > s.channel.tasksStarted())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A caller that stops helping hands the work back to the dispatcher thread, and wakes it if it is about
     * to block on a result the dispatcher thread must now collect, or if other calls' chunks are still
     * queued or running. One that got its result, with nothing else outstanding, does not: a wake-up per
     * call put a third thread on two cores next to the caller and the worker, each spinning.
     *
     * @param blocking whether the caller is about to block.
     */
    void stopHelping(final boolean blocking)
    {
        helperActiveUntil = System.nanoTime();
        if (blocking || outstanding)
        {
            LockSupport.unpark(dispatcher);
        }
    }

    private int drainSubmissions()
    {
        int n = 0;
        List<Chunk> batch;
        while ((batch = submissions.poll()) != null)
        {
            pending.addAll(batch);
            n += batch.size();
        }
        return n;
    }

    private int pollWorkers()
    {
        int work = 0;
        for (int i = 0; i < slots.size(); i++)
        {
            final Slot slot = slots.get(i);
            current = slot;
            work += slot.channel.results().read(slot.handler, 64);
            if (!slot.process.isAlive())
            {
                while (slot.channel.results().read(slot.handler) > 0)
                {
                    work++;
                }
                slots.remove(i--);
                workerExited(slot);
                work++;
            }
            else if (slot.retiring && !slot.stopSent && slot.inFlight.isEmpty())
            {
                stop(slot);
            }
        }
        return work;
    }

    private void onResult(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final Slot slot = current;
        switch (type)
        {
            case WorkerChannel.MSG_READY:
                slot.ready = true;
                slot.pid = buffer.getLong(index);
                readyPids.add(slot.pid);
                startFailures = 0;
                break;
            case WorkerChannel.MSG_RESULT:
            {
                final Chunk c = slot.inFlight.remove(buffer.getLong(index + WorkerChannel.CHUNK_ID_OFFSET));
                resultArrived(slot);
                if (c != null)
                {
                    try
                    {
                        c.job.chunkDone(c, buffer, index + WorkerChannel.RESULT_VALUES_OFFSET);
                    }
                    catch (final RuntimeException ex)
                    {
                        c.job.chunkFailed(c, new RemoteTaskException(
                            "cannot read the result of task " + c.start + " from worker pid " + slot.pid + ": " + ex, slot.pid, ex));
                    }
                }
                break;
            }
            case WorkerChannel.MSG_ERROR:
            {
                final Chunk c = slot.inFlight.remove(buffer.getLong(index + WorkerChannel.CHUNK_ID_OFFSET));
                if (c != null)
                {
                    final int taskIndex = c.start + buffer.getInt(index + WorkerChannel.ERROR_INDEX_OFFSET);
                    final byte[] bytes = new byte[length - WorkerChannel.ERROR_THROWABLE_OFFSET];
                    buffer.getBytes(index + WorkerChannel.ERROR_THROWABLE_OFFSET, bytes);
                    Throwable cause;
                    try
                    {
                        cause = (Throwable)TaskCodec.deserialize(bytes);
                    }
                    catch (final RuntimeException ex)
                    {
                        cause = ex;
                    }
                    c.job.chunkFailed(c, new RemoteTaskException(
                        "task " + taskIndex + " failed in worker pid " + slot.pid + ": " + cause, slot.pid, cause));
                }
                break;
            }
            default:
                throw new IllegalStateException("unknown message type " + type + " from worker pid " + slot.pid);
        }
    }

    private void workerExited(final Slot slot)
    {
        readyPids.remove(slot.pid);
        final int code = slot.process.exitCode().orElse(Integer.MIN_VALUE);
        final long pid = slot.process.pid();
        final boolean expected = slot.stopSent || state == TERMINATING;
        if (!expected)
        {
            // an unexpected death: let its last words on stderr arrive, for the exception message; a
            // helping caller's interrupt is its own, kept for it, and must not cut this wait short
            boolean interrupted = Thread.interrupted();
            try
            {
                slot.process.join(Duration.ofMillis(200));
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
            finally
            {
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (!slot.inFlight.isEmpty())
        {
            final String how = code == -9 ? " (SIGKILL)" : code == PoolWorker.VM_ERROR_STATUS ? " (out of memory or another VM error)" : "";
            final List<String> tail = slot.process.stderrTail();
            final String lastErr = tail.isEmpty() ? "" : "; last line on its stderr: " + tail.get(tail.size() - 1);
            final long started = slot.channel.tasksStarted();
            final List<Chunk> lost = new ArrayList<>(slot.inFlight.values());
            lost.sort((x, y) -> Long.compare(x.sequence, y.sequence));
            for (int i = lost.size() - 1; i >= 0; i--)
            {
                final Chunk c = lost.get(i);
                if (c.sequence > started && state < TERMINATING)
                {
                    c.attempts--;
                    pending.addFirst(c);
                }
                else if (retryOnWorkerDeath && c.attempts < 2 && state < TERMINATING)
                {
                    pending.addFirst(c);
                }
                else
                {
                    c.job.chunkFailed(c, new WorkerDiedException("worker " + slot.process.name() + " (pid " + pid + ") died with exit code " +
                        code + how + " while running task " + c.start + (c.count > 1 ? ".." + (c.start + c.count - 1) : "") +
                        "; it has been replaced" + lastErr, pid, code));
                }
            }
            slot.inFlight.clear();
        }
        if (!slot.ready && !expected)
        {
            startFailures++;
        }
        try
        {
            slot.process.close();
        }
        catch (final RuntimeException ignore)
        {
            // already closed
        }
        slot.channel.closeAndDelete();
        if (startFailures >= MAX_START_FAILURES)
        {
            final RuntimeException why = new IllegalStateException(name + ": " + startFailures +
                " workers in a row exited (last: exit code " + code + ") before they were ready: " + slot.process.stderrTail());
            broken = why;
            failAll(why);
            // no more workers: a broken pool shuts down, so that it ends once its other workers have stopped
            synchronized (submitLock)
            {
                if (state == RUNNING)
                {
                    state = SHUTDOWN;
                }
            }
            return;
        }
        if (!expected && !slot.retiring && (state == RUNNING || hasWork()))
        {
            requestWorker();
        }
    }

    private boolean hasWork()
    {
        if (!pending.isEmpty() || !submissions.isEmpty())
        {
            return true;
        }
        for (final Slot s : slots)
        {
            if (!s.inFlight.isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    private int dispatch()
    {
        int work = 0;
        while (!pending.isEmpty())
        {
            final Chunk c = pending.peekFirst();
            if (c.job.isDone())
            {
                pending.pollFirst();
                continue;
            }
            Slot target = null;
            boolean starting = workersToStart > 0;
            for (final Slot s : slots)
            {
                starting |= !s.ready && !s.retiring;
                if (s.ready && !s.retiring && s.inFlight.size() < limit(s) &&
                    (target == null || s.inFlight.size() < target.inFlight.size()))
                {
                    target = s;
                }
            }
            // while a worker is still starting, ready ones take one chunk at a time, so they do not hoard
            // work the starting worker could share
            if (target == null || (starting && !target.inFlight.isEmpty()) || !send(target, c))
            {
                break;
            }
            pending.pollFirst();
            work++;
        }
        return work;
    }

    /**
     * How many chunks may be queued on a worker: the builder's prefetch if set, else {@link #DEFAULT_PREFETCH},
     * or more while its chunks are short ({@link #PREFETCH_WORK_NANOS}).
     */
    private int limit(final Slot s)
    {
        if (prefetch > 0)
        {
            return prefetch;
        }
        final long avg = s.resultIntervalNanos;
        if (avg <= 0)
        {
            return DEFAULT_PREFETCH;
        }
        return (int)Math.max(DEFAULT_PREFETCH, Math.min(MAX_PREFETCH, PREFETCH_WORK_NANOS / avg));
    }

    /**
     * Track the average time between a worker's results while it had more chunks queued: about the time it
     * takes per chunk (shorter when results are collected in bursts, which only says the worker keeps up).
     */
    private static void resultArrived(final Slot slot)
    {
        final long now = System.nanoTime();
        if (slot.hadMoreQueued)
        {
            final long interval = Math.max(1, now - slot.lastResultNanos);
            slot.resultIntervalNanos = slot.resultIntervalNanos <= 0 ? interval :
                slot.resultIntervalNanos + (interval - slot.resultIntervalNanos) / 8;
        }
        slot.lastResultNanos = now;
        slot.hadMoreQueued = !slot.inFlight.isEmpty();
    }

    private boolean send(final Slot target, final Chunk c)
    {
        final WorkerChannel ch = target.channel;
        final FunctionRef fn = c.fn;
        if (fn != null && !target.knownFunctions.containsKey(fn.id))
        {
            scratch.putInt(0, fn.id);
            scratch.putBytes(4, fn.bytes);
            if (!ch.offer(ch.tasks(), WorkerChannel.MSG_FUNCTION, scratch, 0, 4 + fn.bytes.length))
            {
                return false;
            }
            target.knownFunctions.put(fn.id, Boolean.TRUE);
            if (target.knownFunctions.size() > FUNCTION_CACHE)
            {
                final Integer eldest = target.knownFunctions.keySet().iterator().next();
                scratch.putInt(0, eldest);
                if (ch.offer(ch.tasks(), WorkerChannel.MSG_FORGET, scratch, 0, 4))
                {
                    target.knownFunctions.remove(eldest);
                }
            }
        }
        final int length = WorkerChannel.TASK_ARGS_OFFSET + c.argsLength();
        final OneToOneRingBuffer ring = ch.tasks();
        final boolean inRing = length <= ring.maxMsgLength();
        if (!inRing && !ch.hasRoomForFileRecord(ring))
        {
            return false; // full: retried after the dispatcher's idle pause, without encoding the arguments each time
        }
        final int index = inRing ? ring.tryClaim(WorkerChannel.MSG_TASK, length) : 0;
        if (index < 0)
        {
            return false;
        }
        final MutableDirectBuffer b = inRing ? ring.buffer() : scratch;
        b.putLong(index + WorkerChannel.CHUNK_ID_OFFSET, c.id);
        b.putInt(index + WorkerChannel.TASK_FN_ID_OFFSET, fn == null ? 0 : fn.id);
        b.putInt(index + WorkerChannel.TASK_MODE_OFFSET, c.mode);
        try
        {
            c.writeArgs(b, index + WorkerChannel.TASK_ARGS_OFFSET);
        }
        catch (final RuntimeException ex)
        {
            if (inRing)
            {
                ring.abort(index);
            }
            c.job.chunkFailed(c, ex);
            return true;
        }
        if (inRing)
        {
            ring.commit(index);
        }
        else if (!ch.offer(ring, WorkerChannel.MSG_TASK, scratch, 0, length))
        {
            return false;
        }
        c.attempts++;
        c.sequence = ++target.sent;
        target.inFlight.put(c.id, c);
        target.assigned++;
        if (maxTasksPerChild > 0 && target.assigned >= maxTasksPerChild)
        {
            target.retiring = true;
            readyPids.remove(target.pid);
            requestWorker();
        }
        return true;
    }

    private boolean allIdle()
    {
        for (final Slot s : slots)
        {
            if (!s.inFlight.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Ask every worker to stop; true once all have exited.
     */
    private boolean stopAll()
    {
        for (final Slot s : slots)
        {
            if (!s.stopSent)
            {
                stop(s);
            }
        }
        return slots.isEmpty();
    }

    /**
     * Ask an idle worker to exit: MSG_STOP, and end-of-file on its standard input, which ends it at once
     * (a normal JVM exit would wait 300 ms for the thread blocked reading that input).
     */
    private void stop(final Slot slot)
    {
        slot.stopSent = slot.channel.offer(slot.channel.tasks(), WorkerChannel.MSG_STOP, scratch, 0, 0);
        if (slot.stopSent)
        {
            slot.process.releaseStdin();
        }
    }

    private void failAll(final RuntimeException why)
    {
        failAll(why, false);
    }

    /**
     * @param keepInFlight leave the failed chunks in their slots' {@code inFlight}, for
     *                     {@link #terminateNow} to tell, once their worker has exited, which it never started.
     */
    private void failAll(final RuntimeException why, final boolean keepInFlight)
    {
        drainSubmissions();
        Chunk c;
        while ((c = pending.poll()) != null)
        {
            if (why instanceof CancellationException)
            {
                synchronized (neverStarted)
                {
                    neverStarted.add(c);
                }
            }
            c.job.chunkFailed(c, why);
        }
        for (final Slot s : slots)
        {
            for (final Chunk f : s.inFlight.values())
            {
                f.job.chunkFailed(f, why);
            }
            if (!keepInFlight)
            {
                s.inFlight.clear();
            }
        }
    }

    private void terminateNow()
    {
        synchronized (submitLock)
        {
            state = TERMINATING;
        }
        failAll(new CancellationException(name + " was terminated"), true);
        // end-of-file on its standard input makes a daemon worker exit at once, as SIGTERM would (shutdown
        // hooks run), but without the JVM's 300 ms wait for the thread reading that input; SIGTERM after
        // a second, SIGKILL after five
        for (final Slot s : slots)
        {
            s.process.releaseStdin();
        }
        final long termAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        boolean termed = false;
        final long killAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean killed = false;
        for (final Slot s : slots)
        {
            try
            {
                while (s.process.isAlive())
                {
                    if (!termed && System.nanoTime() - termAt > 0)
                    {
                        for (final Slot k : slots)
                        {
                            if (k.process.isAlive())
                            {
                                k.process.terminate();
                            }
                        }
                        termed = true;
                    }
                    if (!killed && System.nanoTime() - killAt > 0)
                    {
                        for (final Slot k : slots)
                        {
                            if (k.process.isAlive())
                            {
                                k.process.kill();
                            }
                        }
                        killed = true;
                    }
                    s.process.join(Duration.ofMillis(10));
                }
                s.process.join(Duration.ofSeconds(1));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                s.process.kill();
            }
            catch (final RuntimeException ignore)
            {
                // closed already
            }
            // the worker has exited: the chunks sent to it after the last one it started never started
            final long started = s.channel.tasksStarted();
            synchronized (neverStarted)
            {
                for (final Chunk c : s.inFlight.values())
                {
                    if (c.sequence > started)
                    {
                        neverStarted.add(c);
                    }
                }
            }
            s.inFlight.clear();
            s.channel.closeAndDelete();
        }
        slots.clear();
    }

    private final class Slot
    {
        final Process process;
        final WorkerChannel channel;
        final Long2ObjectHashMap<Chunk> inFlight = new Long2ObjectHashMap<>();
        final LinkedHashMap<Integer, Boolean> knownFunctions = new LinkedHashMap<>();
        final MessageHandler handler;
        boolean ready;
        long pid;
        int assigned;
        long sent;
        /** See {@link #resultArrived}. */
        long lastResultNanos;
        long resultIntervalNanos;
        boolean hadMoreQueued;
        boolean retiring;
        boolean stopSent;

        Slot(final Process process, final WorkerChannel channel)
        {
            this.process = process;
            this.channel = channel;
            this.handler = channel.unblobbing(resultHandler);
            this.pid = process.pid();
        }
    }
}

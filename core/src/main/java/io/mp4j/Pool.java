package io.mp4j;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * A pool of worker JVMs that run tasks: Python's {@code multiprocessing.Pool}.
 *
 * <pre>{@code
 * try (Pool pool = Pool.create(4))
 * {
 *     List<Integer> squares = pool.map(Demo::square, List.of(1, 2, 3));          // [1, 4, 9]
 *     List<Integer> sums = pool.starmap(Demo::add, List.of(Map.entry(1, 2), Map.entry(3, 4)));
 *     AsyncResult<Integer> r = pool.applyAsync(Demo::square, 10);
 *     System.out.println(r.get());                                                 // 100
 *     pool.imapUnordered(Demo::square, List.of(1, 2, 3)).forEachRemaining(System.out::println);
 * }
 * }</pre>
 *
 * <p><b>Workers.</b> Each worker is a daemon mp4j {@link Process} (so it never outlives this JVM, however
 * this JVM dies) started through the pool's {@link Context} and reused for many tasks. All workers start
 * at once, in parallel; the constructor does not wait for them, and the pool hands out work as soon as
 * the first is ready (one chunk at a time per worker while others are still starting, then up to
 * {@link Builder#prefetch(int)} chunks queued per worker, by default 16, more when chunks are short). An initializer runs once in each worker before its first task; with
 * {@link Builder#maxTasksPerChild(int)} a worker is replaced after that many tasks (a chunk counts as one
 * task, as in Python), its replacement started while it finishes.
 *
 * <p><b>Transport.</b> Tasks travel in chunks over shared memory (see {@link WorkerChannel}): one region
 * per worker with two Agrona ring buffers. One dispatcher thread per pool writes chunks and reads
 * results; a thread waiting for a result (in {@link AsyncResult#get()}) does that work itself while the
 * dispatcher thread sleeps (spinning for up to 200 µs, then parking at most 50 µs at a time, for up to
 * 20 ms, then it blocks and leaves the work to the dispatcher thread), so a call needs no hand-off between
 * threads. Idle workers and the idle dispatcher spin ({@link Builder#spinTime(java.time.Duration)}, yielding every 100 µs, about every 2 µs where the JVM has one processor), then park, at most
 * 50 µs at a time for the first 20 ms, then at most 1 ms, so an idle pool burns no CPU. A function is serialized once per call and cached in each worker by id;
 * arguments and results that are all {@code Integer}, {@code Long}, {@code Double} or {@code String} travel
 * as primitive arrays, anything else by Java serialization read through an {@link java.io.ObjectInputFilter}.
 * A function or argument that cannot be serialized fails in the caller, naming its class.
 *
 * <p><b>Failures.</b> A task that throws makes its call fail with a {@link RemoteTaskException} whose cause
 * is the worker's exception with the worker's stack trace; the pool carries on. A worker that dies
 * (SIGKILL, {@code System.exit}, out of memory) never makes the pool hang: the tasks it was running fail
 * with a {@link WorkerDiedException} naming its pid and exit code (or run once more, with
 * {@link Builder#retryOnWorkerDeath(boolean)}), a replacement starts, and other tasks complete.
 *
 * <p><b>Ending.</b> {@link #shutdown()} is Python's {@code close()} (no new tasks; workers exit when the
 * queued ones are done), {@link #terminate()} stops the workers at once (tasks not finished fail with
 * {@link CancellationException}), {@link #join()} waits until the workers have exited. {@link #close()},
 * what try-with-resources calls, is {@code terminate()} then {@code join()}, exactly as leaving Python's
 * {@code with Pool() as pool:} block terminates the pool: get every result you need inside the block.
 * From a callback ({@link AsyncResult#onSuccess}, which runs on the dispatcher thread or on a caller
 * waiting on this pool), {@code close()} terminates the pool without waiting (the pool ends once the
 * callback returns), {@code join()} throws {@link IllegalStateException}, and {@code awaitTermination}
 * returns at once: waiting there would wait for itself.
 *
 * <p>Thread-safe: any thread may submit. Memory consistency effects: actions in a thread before it submits
 * a task happen-before the task runs in the worker, which happens-before the result is returned.
 */
public interface Pool extends AutoCloseable
{
    /**
     * @return a pool of {@link Process#cpuCount()} workers.
     */
    static Pool create()
    {
        return builder().build();
    }

    /**
     * @param processes how many worker JVMs.
     * @return a pool.
     */
    static Pool create(int processes)
    {
        return builder().processes(processes).build();
    }

    /**
     * @return a builder for a pool with options.
     */
    static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the number of workers the pool keeps.
     */
    int processes();

    /**
     * @return the pids of the workers that are ready now (they change as workers are replaced).
     */
    Set<Long> workerPids();

    /**
     * Wait until all {@link #processes()} workers are ready for tasks. Not needed before submitting (the
     * pool uses the first ready worker at once); for benchmarks and latency-sensitive programs.
     *
     * @param timeout how long to wait at most.
     * @return whether all workers were ready in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean awaitReady(Duration timeout) throws InterruptedException;

    /**
     * Python's {@code map}: apply the function to every item, in parallel, and return the results in
     * input order. Chunks of {@code ceil(n / (4 * processes()))} items, as Python.
     *
     * <p>If {@code items} is a random-access {@code List} ({@code ArrayList}, {@code List.of}), it is read as
     * the chunks are sent, as Python reads a sequence
     * (do not change it until the call returns: a changed element fails the call with a
     * {@link java.util.ConcurrentModificationException} where it is noticed). The returned list is
     * fixed-size and settable, like {@link java.util.Arrays#asList}; while all results are {@code Integer},
     * {@code Long} or {@code Double} of one kind it holds them in a primitive array and boxes an element
     * when it is read.
     *
     * @param fn    the function (a serializable lambda or method reference).
     * @param items the arguments.
     * @param <T>   the argument type.
     * @param <R>   the result type.
     * @return the results, in input order.
     * @throws RemoteTaskException if a task threw (the first failure; others are discarded).
     * @throws WorkerDiedException if a worker died while running a task.
     */
    <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items);

    /**
     * {@link #map(SerializableFunction, Iterable)} with an explicit chunk size.
     *
     * @param fn        the function.
     * @param items     the arguments.
     * @param chunksize tasks per chunk, at least 1.
     * @param <T>       the argument type.
     * @param <R>       the result type.
     * @return the results, in input order.
     */
    <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunksize);

    /**
     * Python's {@code map_async}.
     *
     * @param fn    the function.
     * @param items the arguments.
     * @param <T>   the argument type.
     * @param <R>   the result type.
     * @return the results, in input order, when ready.
     */
    <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<T, R> fn, Iterable<? extends T> items);

    /**
     * Python's {@code map_async} with an explicit chunk size.
     *
     * @param fn        the function.
     * @param items     the arguments.
     * @param chunksize tasks per chunk, at least 1.
     * @param <T>       the argument type.
     * @param <R>       the result type.
     * @return the results, in input order, when ready.
     */
    <T, R> AsyncResult<List<R>> mapAsync( SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunksize);

    /**
     * Python's {@code starmap} for two-argument functions: each pair's key and value are the arguments.
     *
     * <pre>{@code
     * List<Integer> sums = pool.starmap(Demo::add, List.of(Map.entry(1, 2), Map.entry(3, 4)));  // [3, 7]
     * }</pre>
     *
     * @param fn    the function.
     * @param pairs the argument pairs.
     * @param <A>   the first argument type.
     * @param <B>   the second argument type.
     * @param <R>   the result type.
     * @return the results, in input order.
     */
    <A, B, R> List<R> starmap( SerializableBiFunction<A, B, R> fn, Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs);

    /**
     * {@link #starmap(SerializableBiFunction, Iterable)} with an explicit chunk size.
     *
     * @param fn        the function.
     * @param pairs     the argument pairs.
     * @param chunksize tasks per chunk, at least 1.
     * @param <A>       the first argument type.
     * @param <B>       the second argument type.
     * @param <R>       the result type.
     * @return the results, in input order.
     * @throws IllegalArgumentException if {@code chunksize} is below 1.
     */
    <A, B, R> List<R> starmap(
        SerializableBiFunction<A, B, R> fn, Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, int chunksize);

    /**
     * Python's {@code starmap_async}, with the default chunk size.
     *
     * @param fn    the function.
     * @param pairs the argument pairs.
     * @param <A>   the first argument type.
     * @param <B>   the second argument type.
     * @param <R>   the result type.
     * @return the results, in input order, when ready.
     */
    <A, B, R> AsyncResult<List<R>> starmapAsync(
        SerializableBiFunction<A, B, R> fn, Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs);

    /**
     * Python's {@code starmap_async} with an explicit chunk size.
     *
     * @param fn        the function.
     * @param pairs     the argument pairs.
     * @param chunksize tasks per chunk, at least 1.
     * @param <A>       the first argument type.
     * @param <B>       the second argument type.
     * @param <R>       the result type.
     * @return the results, in input order, when ready.
     * @throws IllegalArgumentException if {@code chunksize} is below 1.
     */
    <A, B, R> AsyncResult<List<R>> starmapAsync( SerializableBiFunction<A, B, R> fn, Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, int chunksize);

    /**
     * Python's {@code apply}: run one call in a worker and wait for it.
     *
     * @param fn  the function.
     * @param arg its argument.
     * @param <T> the argument type.
     * @param <R> the result type.
     * @return the result.
     */
    <T, R> R apply(SerializableFunction<T, R> fn, T arg);

    /**
     * @param fn  the function.
     * @param a   its first argument.
     * @param b   its second argument.
     * @param <A> the first argument type.
     * @param <B> the second argument type.
     * @param <R> the result type.
     * @return the result.
     */
    <A, B, R> R apply(SerializableBiFunction<A, B, R> fn, A a, B b);

    /**
     * @param fn  the task.
     * @param <R> the result type.
     * @return the result.
     */
    <R> R apply(SerializableCallable<R> fn);

    /**
     * Python's {@code apply_async}.
     *
     * @param fn  the function.
     * @param arg its argument.
     * @param <T> the argument type.
     * @param <R> the result type.
     * @return the result, when ready.
     */
    <T, R> AsyncResult<R> applyAsync(SerializableFunction<T, R> fn, T arg);

    /**
     * @param fn  the function.
     * @param a   its first argument.
     * @param b   its second argument.
     * @param <A> the first argument type.
     * @param <B> the second argument type.
     * @param <R> the result type.
     * @return the result, when ready.
     */
    <A, B, R> AsyncResult<R> applyAsync(SerializableBiFunction<A, B, R> fn, A a, B b);

    /**
     * @param fn  the task.
     * @param <R> the result type.
     * @return the result, when ready.
     */
    <R> AsyncResult<R> applyAsync(SerializableCallable<R> fn);

    /**
     * Python's {@code imap}: results lazily, in input order, chunk size 1. The input is read at once
     * (as Python's task handler does); results are handed out as they arrive.
     *
     * @param fn    the function.
     * @param items the arguments.
     * @param <T>   the argument type.
     * @param <R>   the result type.
     * @return an iterator over the results.
     */
    <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, Iterable<? extends T> items);

    /**
     * Python's {@code imap} with a chunk size.
     *
     * @param fn        the function.
     * @param items     the arguments.
     * @param chunksize tasks per chunk.
     * @param <T>       the argument type.
     * @param <R>       the result type.
     * @return an iterator over the results, in input order.
     */
    <T, R> ResultIterator<R> imap(SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunksize);

    /**
     * Python's {@code imap_unordered}: results in the order they complete.
     *
     * @param fn    the function.
     * @param items the arguments.
     * @param <T>   the argument type.
     * @param <R>   the result type.
     * @return an iterator over the results, in completion order.
     */
    <T, R> ResultIterator<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<? extends T> items);

    /**
     * Python's {@code imap_unordered} with a chunk size.
     *
     * @param fn        the function.
     * @param items     the arguments.
     * @param chunksize tasks per chunk.
     * @param <T>       the argument type.
     * @param <R>       the result type.
     * @return an iterator over the results, in completion order.
     */
    <T, R> ResultIterator<R> imapUnordered( SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunksize);

    /**
     * Python's {@code close()} (named as {@link java.util.concurrent.ExecutorService#shutdown()}, because
     * {@link #close()} belongs to try-with-resources): accept no more tasks; the workers exit once the
     * tasks already submitted are done. Idempotent.
     */
    void shutdown();

    /**
     * Python's {@code terminate()}: stop the workers now. Each worker's standard input is closed, on which
     * it exits as it would on SIGTERM (status 143, shutdown hooks run) but without the JVM's 300 ms wait
     * for the thread reading that input; SIGTERM follows after 1 s, SIGKILL after 5 s. Tasks not
     * finished fail with {@link CancellationException}. Returns without waiting; {@link #join()} waits.
     */
    void terminate();

    /**
     * Wait until every worker has exited, after {@link #shutdown()} or {@link #terminate()}.
     *
     * @throws InterruptedException  if interrupted while waiting.
     * @throws IllegalStateException if the pool is still running, as Python raises {@code ValueError}.
     */
    void join() throws InterruptedException;

    /**
     * Wait at most {@code timeout} until every worker has exited.
     *
     * @param timeout how long at most; zero or negative: do not wait, only tell.
     * @return whether the pool has terminated.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * @return whether every worker has exited.
     */
    boolean isTerminated();

    /**
     * @return whether {@link #shutdown()} or {@link #terminate()} has been called, or the pool broke
     * (three workers in a row exited before they were ready): it then takes no more tasks.
     */
    boolean isShutdown();

    /**
     * {@link #terminate()} then {@link #join()}: leaving a try-with-resources block stops the pool, as
     * leaving Python's {@code with Pool() as pool:} does. Call {@link #shutdown()} and {@link #join()}
     * first to let queued tasks finish. If interrupted, the interrupt status is set again.
     */
    void close();

    /**
     * Options of a {@link Pool}; {@link #build()} starts it.
     *
     * <pre>{@code
     * Pool pool = Pool.builder().processes(2).initializer(Demo::init, "config").maxTasksPerChild(100).build();
     * }</pre>
     */
    final class Builder
    {
        int processes;
        Object initializer;
        Object initArg;
        int maxTasksPerChild;
        boolean retryOnWorkerDeath;
        /** 0: adaptive (see {@link #prefetch(int)}). */
        int prefetch;
        long spinNanos = PoolWorker.DEFAULT_SPIN_NANOS;
        int ringCapacity = WorkerChannel.DEFAULT_CAPACITY;
        Context context;

        private Builder()
        {
        }

        /**
         * @param processes how many worker JVMs (default {@link Process#cpuCount()}).
         * @return this.
         */
        public Builder processes(final int processes)
        {
            if (processes < 1)
            {
                throw new IllegalArgumentException("processes=" + processes + " must be at least 1");
            }
            this.processes = processes;
            return this;
        }

        /**
         * @param initializer run once in each worker before its first task.
         * @return this.
         */
        public Builder initializer(final SerializableRunnable initializer)
        {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            this.initArg = null;
            return this;
        }

        /**
         * Python's {@code initializer} with {@code initargs}.
         *
         * @param initializer run once in each worker before its first task, with the argument.
         * @param arg         its argument (serializable; an mp4j shared object travels as a handle).
         * @param <A>         the argument type.
         * @return this.
         */
        public <A> Builder initializer(final SerializableConsumer<A> initializer, final A arg)
        {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            this.initArg = arg;
            return this;
        }

        /**
         * @param tasks replace a worker after it has run this many tasks (chunks); 0, the default, never.
         * @return this.
         */
        public Builder maxTasksPerChild(final int tasks)
        {
            if (tasks < 0)
            {
                throw new IllegalArgumentException("maxTasksPerChild=" + tasks + " must not be negative");
            }
            this.maxTasksPerChild = tasks;
            return this;
        }

        /**
         * @param retry run a task whose worker died once more on another worker before failing it
         *              (default false: fail it with {@link WorkerDiedException}). Only for tasks that are
         *              safe to run twice.
         * @return this.
         */
        public Builder retryOnWorkerDeath(final boolean retry)
        {
            this.retryOnWorkerDeath = retry;
            return this;
        }

        /**
         * @param chunks how many chunks may be queued on one worker at a time. 1 balances long, uneven tasks
         *               best; more keeps workers busy when tasks are tiny. By default 16, or more (up to 256)
         *               while a worker's chunks are short: as many as it runs in about half a millisecond.
         * @return this.
         */
        public Builder prefetch(final int chunks)
        {
            if (chunks < 1)
            {
                throw new IllegalArgumentException("prefetch=" + chunks + " must be at least 1");
            }
            this.prefetch = chunks;
            return this;
        }

        /**
         * @param time how long an idle worker or dispatcher spins before it parks (default 400 µs; zero: it
         *             parks at once).
         * @return this.
         * @throws IllegalArgumentException if negative.
         */
        public Builder spinTime(final java.time.Duration time)
        {
            if (time.isNegative())
            {
                throw new IllegalArgumentException("spinTime=" + time + " must not be negative");
            }
            this.spinNanos = time.toNanos();
            return this;
        }

        /**
         * @param bytes capacity of each of a worker's two rings, a power of two (default 2 MiB); a message
         *              longer than an eighth of it travels through a file instead.
         * @return this.
         */
        public Builder ringCapacity(final int bytes)
        {
            WorkerChannel.checkCapacity(bytes);
            this.ringCapacity = bytes;
            return this;
        }

        /**
         * @param context where workers' JVMs and mapped files come from (default {@link Context#global()}).
         * @return this.
         */
        public Builder context(final Context context)
        {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * @return a started pool (its workers may still be starting).
         * @throws IllegalArgumentException if the initializer or its argument is not serializable.
         */
        public Pool build()
        {
            return new MappedPool(this);
        }

        MappedPool start()
        {
            return new MappedPool(this);
        }
    }
}

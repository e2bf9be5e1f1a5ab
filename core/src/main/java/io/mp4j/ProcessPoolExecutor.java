package io.mp4j;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * An {@link ExecutorService} whose tasks run in worker JVMs: Python's
 * {@code concurrent.futures.ProcessPoolExecutor}, on the same workers and transport as {@link Pool}.
 *
 * <pre>{@code
 * try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(4))
 * {
 *     List<CompletableFuture<Long>> futures = new ArrayList<>();
 *     for (int n : numbers)
 *     {
 *         futures.add(executor.submit(() -> compute(n)));     // serializable lambda, no cast
 *     }
 *     for (Future<Long> f : ProcessPoolExecutor.asCompleted(futures))
 *     {
 *         System.out.println("Result: " + f.get());
 *     }
 *     executor.map(Demo::compute, numbers).forEachRemaining(System.out::println);
 * }
 * }</pre>
 *
 * <p><b>Serializable tasks.</b> {@link #submit(SerializableCallable)} is picked by Java for a lambda, so the
 * lambda is compiled serializable. A task typed as a plain {@link Callable} or {@link Runnable} (a
 * variable, a list for {@link #invokeAll}) must be an object that is {@link Serializable}; otherwise
 * {@code submit} throws {@link IllegalArgumentException} saying so. Type such lists as
 * {@code List<SerializableCallable<T>>}.
 *
 * <p><b>Futures.</b> {@code submit} returns a {@link CompletableFuture}. A task that throws completes it
 * with an {@link ExecutionException} whose cause is a {@link RemoteTaskException} (carrying the worker's
 * exception and stack trace); a worker that dies fails its task with {@link WorkerDiedException} and is
 * replaced: a dead worker does not break the executor (unlike CPython's). Only if three workers in a row
 * exit before they are ready (a failing initializer, bad JVM options) does it break: its tasks fail,
 * {@link #isShutdown()} is true and {@code submit} throws {@link RejectedExecutionException} saying why. {@code cancel} prevents a task that has not
 * started; a running task runs to its end, its result discarded.
 *
 * <p><b>Completion order.</b> {@link #asCompleted(Collection)} is Python's {@code as_completed}; an
 * {@link java.util.concurrent.ExecutorCompletionService} over this executor works too (each of its
 * pending tasks then holds a waiting thread in this JVM, because that class needs a blocking
 * {@code run()}).
 *
 * <p><b>Ending.</b> {@link #shutdown()}: no new tasks, submitted ones finish. {@link #shutdownNow()}: the
 * workers are stopped at once; unfinished tasks fail with {@link CancellationException}; the tasks that
 * never started are returned, in submission order: those still queued in this JVM and those already
 * queued in a worker that it had not started. Unlike {@link java.util.concurrent.ThreadPoolExecutor}'s,
 * it waits for the workers to exit, because only then is it known which queued tasks a worker started:
 * normally milliseconds (a worker exits as soon as its standard input closes), at most about 6 s for a
 * worker that ignores that and SIGTERM (it is then killed). {@link #close()} (try-with-resources) is {@code shutdown()} then waiting for
 * termination, as leaving Python's {@code with ProcessPoolExecutor()} block waits (unlike {@link Pool}).
 * From a callback of one of its futures (which runs on the pool's dispatcher thread or a caller waiting
 * on it) neither waits: {@code close()} returns after {@code shutdown()}, and {@code shutdownNow()}
 * returns an empty list (the tasks that never started are cancelled all the same).
 *
 * <p>Memory consistency effects: actions in a thread before submitting a task happen-before the task runs,
 * which happens-before the result is retrieved with {@code Future.get()}.
 */
public interface ProcessPoolExecutor extends ExecutorService, AutoCloseable
{
    /**
     * An executor with {@link Process#cpuCount()} worker JVMs on this host.
     *
     * @return the executor; its workers are starting.
     */
    static ProcessPoolExecutor create()
    {
        return new MappedProcessPoolExecutor();
    }

    /**
     * An executor with {@code maxWorkers} worker JVMs on this host: Python's
     * {@code ProcessPoolExecutor(max_workers)}.
     *
     * @param maxWorkers how many worker JVMs.
     * @return the executor; its workers are starting.
     */
    static ProcessPoolExecutor create(final int maxWorkers)
    {
        return new MappedProcessPoolExecutor(maxWorkers);
    }

    /**
     * An executor whose workers have the given options.
     *
     * @param options the workers' options (processes, initializer, context, retry...), as for a {@link Pool}.
     * @return the executor; its workers are starting.
     */
    static ProcessPoolExecutor create(final Pool.Builder options)
    {
        return new MappedProcessPoolExecutor(options);
    }

    /**
     * Run a task in a worker; the task must be serializable.
     *
     * @param task the task.
     * @param <T>  the result type.
     * @return its future.
     * @throws IllegalArgumentException if the task cannot be serialized (naming the class).
     */
    @Override
    <T> CompletableFuture<T> submit(Callable<T> task);

    /**
     * Run a task in a worker; the task must be serializable.
     *
     * @param task the task.
     * @return its future, completed with null.
     * @throws IllegalArgumentException if the task cannot be serialized (naming the class).
     */
    @Override
    CompletableFuture<?> submit(Runnable task);

    /**
     * Run a task in a worker; the task must be serializable.
     *
     * @param task   the task.
     * @param result the future's value once the task has run.
     * @param <T>    the result type.
     * @return its future.
     * @throws IllegalArgumentException if the task cannot be serialized (naming the class).
     */
    @Override
    <T> CompletableFuture<T> submit(Runnable task, T result);

    /**
     * Wait until every worker is ready (see {@link Pool#awaitReady(Duration)}).
     *
     * @param timeout how long to wait at most.
     * @return whether all workers were ready in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean awaitReady(Duration timeout) throws InterruptedException;

    /**
     * Run a task in a worker.
     *
     * @param task the task (a lambda is compiled serializable).
     * @param <T>  the result type.
     * @return its future.
     * @throws RejectedExecutionException after shutdown.
     * @throws IllegalArgumentException   if the task cannot be serialized (naming the class).
     */
    <T> CompletableFuture<T> submit(SerializableCallable<T> task);

    /**
     * Python's {@code executor.map}: results in input order, lazily; a failed task throws when reached.
     *
     * @param fn    the function.
     * @param items the arguments.
     * @param <T>   the argument type.
     * @param <R>   the result type.
     * @return the results in input order.
     */
    <T, R> ResultIterator<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items);

    /**
     * Python's {@code executor.map} with a chunk size.
     *
     * @param fn        the function.
     * @param items     the arguments.
     * @param chunksize tasks per chunk.
     * @param <T>       the argument type.
     * @param <R>       the result type.
     * @return the results in input order.
     */
    <T, R> ResultIterator<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunksize);

    /**
     * Python's {@code as_completed}: the futures in the order they complete.
     *
     * @param futures futures from this executor (any {@link CompletableFuture} works).
     * @param <F>     the future type.
     * @return an iterable whose iterator blocks until the next future completes.
     */
    static <F extends Future<?>> Iterable<F> asCompleted(Collection<F> futures)
    {
        return MappedProcessPoolExecutor.asCompleted(futures);
    }

    /**
     * Run a task in a worker. Besides this executor's own tasks and serializable {@link Runnable}s, it
     * accepts the wrappers {@link java.util.concurrent.ExecutorCompletionService} (and {@code invokeAny})
     * make around a task of this executor's {@code newTaskFor}, executed right after it on the same thread:
     * such a wrapper runs here, on a thread that waits for the worker, and is accepted even after
     * {@link #shutdown()}, because its task was accepted (sent to the pool) when it was made. Any other
     * {@code FutureTask} is treated as a plain {@code Runnable}: it must be serializable, and runs in a worker.
     *
     * @param command the task.
     * @throws RejectedExecutionException after shutdown.
     * @throws IllegalArgumentException   if the task cannot be sent to a worker.
     */
    void execute(Runnable command);

    /**
     * {@link #shutdown()}, then wait until every submitted task has finished and the workers have exited,
     * as leaving Python's {@code with ProcessPoolExecutor() as executor:} block does. If interrupted, the
     * workers are stopped at once ({@link #shutdownNow()}) and the interrupt status is set again.
     */
    void close();
}

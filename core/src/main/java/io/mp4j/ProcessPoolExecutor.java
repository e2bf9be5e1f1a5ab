package io.mp4j;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link ExecutorService} whose tasks run in worker JVMs: Python's
 * {@code concurrent.futures.ProcessPoolExecutor}, on the same workers and transport as {@link Pool}.
 *
 * <pre>{@code
 * try (ProcessPoolExecutor executor = new ProcessPoolExecutor(4))
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
 * replaced: the executor is never broken (unlike CPython's). {@code cancel} prevents a task that has not
 * started; a running task runs to its end, its result discarded.
 *
 * <p><b>Completion order.</b> {@link #asCompleted(Collection)} is Python's {@code as_completed}; an
 * {@link java.util.concurrent.ExecutorCompletionService} over this executor works too (each of its
 * pending tasks then holds a waiting thread in this JVM, because that class needs a blocking
 * {@code run()}).
 *
 * <p><b>Ending.</b> {@link #shutdown()}: no new tasks, submitted ones finish. {@link #shutdownNow()}: the
 * workers are stopped at once; running tasks fail with {@link CancellationException}; the tasks that
 * never started are returned. {@link #close()} (try-with-resources) is {@code shutdown()} then waiting for
 * termination, as leaving Python's {@code with ProcessPoolExecutor()} block waits (unlike {@link Pool}).
 *
 * <p>Memory consistency effects: actions in a thread before submitting a task happen-before the task runs,
 * which happens-before the result is retrieved with {@code Future.get()}.
 */
public final class ProcessPoolExecutor extends AbstractExecutorService implements AutoCloseable
{
    private final Pool pool;
    private final ExecutorService waiters = Executors.newCachedThreadPool(r ->
    {
        final Thread t = new Thread(r, "mp4j-executor-waiter");
        t.setDaemon(true);
        return t;
    });

    /**
     * An executor with {@link Process#cpuCount()} workers.
     */
    public ProcessPoolExecutor()
    {
        this(Pool.builder());
    }

    /**
     * @param maxWorkers how many worker JVMs.
     */
    public ProcessPoolExecutor(final int maxWorkers)
    {
        this(Pool.builder().processes(maxWorkers));
    }

    /**
     * @param options the workers' options (processes, initializer, context, retry...), as for a {@link Pool}.
     */
    public ProcessPoolExecutor(final Pool.Builder options)
    {
        this.pool = options.build();
    }

    /**
     * Wait until every worker is ready (see {@link Pool#awaitReady(Duration)}).
     *
     * @param timeout how long to wait at most.
     * @return whether all workers were ready in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitReady(final Duration timeout) throws InterruptedException
    {
        return pool.awaitReady(timeout);
    }

    /**
     * Run a task in a worker.
     *
     * @param task the task (a lambda is compiled serializable).
     * @param <T>  the result type.
     * @return its future.
     * @throws RejectedExecutionException after shutdown.
     * @throws IllegalArgumentException   if the task cannot be serialized (naming the class).
     */
    public <T> CompletableFuture<T> submit(final SerializableCallable<T> task)
    {
        final PoolTask<T> f = new PoolTask<>(task);
        f.dispatch();
        return f;
    }

    @Override
    public <T> CompletableFuture<T> submit(final Callable<T> task)
    {
        final PoolTask<T> f = new PoolTask<>(serializable(task));
        f.dispatch();
        return f;
    }

    @Override
    public CompletableFuture<?> submit(final Runnable task)
    {
        return submit(task, null);
    }

    @Override
    public <T> CompletableFuture<T> submit(final Runnable task, final T result)
    {
        final SerializableRunnable r = serializable(task);
        final PoolTask<T> f = new PoolTask<>(() ->
        {
            r.run();
            return result;
        });
        f.dispatch();
        return f;
    }

    /**
     * Python's {@code executor.map}: results in input order, lazily; a failed task throws when reached.
     *
     * @param fn    the function.
     * @param items the arguments.
     * @param <T>   the argument type.
     * @param <R>   the result type.
     * @return the results in input order.
     */
    public <T, R> ResultIterator<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return map(fn, items, 1);
    }

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
    public <T, R> ResultIterator<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        try
        {
            return pool.imap(fn, items, chunksize);
        }
        catch (final IllegalStateException ex)
        {
            throw new RejectedExecutionException("executor is shut down", ex);
        }
    }

    /**
     * Python's {@code as_completed}: the futures in the order they complete.
     *
     * @param futures futures from this executor (any {@link CompletableFuture} works).
     * @param <F>     the future type.
     * @return an iterable whose iterator blocks until the next future completes.
     */
    public static <F extends Future<?>> Iterable<F> asCompleted(final Collection<F> futures)
    {
        final BlockingQueue<F> done = new LinkedBlockingQueue<>();
        final List<F> list = new ArrayList<>(futures);
        for (final F f : list)
        {
            if (f instanceof CompletableFuture)
            {
                ((CompletableFuture<?>)f).whenComplete((v, ex) -> done.add(f));
            }
            else
            {
                // a thread of its own: f.get() blocks, and the common pool may have a single worker
                final Thread waiter = new Thread(() ->
                {
                    try
                    {
                        f.get();
                    }
                    catch (final Exception ignore)
                    {
                        // completed anyway
                    }
                    done.add(f);
                }, "mp4j-as-completed");
                waiter.setDaemon(true);
                waiter.start();
            }
        }
        return () -> new Iterator<>()
        {
            private int taken;

            @Override
            public boolean hasNext()
            {
                return taken < list.size();
            }

            @Override
            public F next()
            {
                if (!hasNext())
                {
                    throw new NoSuchElementException();
                }
                try
                {
                    final F f = done.take();
                    taken++;
                    return f;
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for the next future");
                }
            }
        };
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Callable<T> callable)
    {
        return new PoolTask<>(serializable(callable));
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Runnable runnable, final T value)
    {
        final SerializableRunnable r = serializable(runnable);
        return new PoolTask<>(() ->
        {
            r.run();
            return value;
        });
    }

    /**
     * Run a task in a worker. Besides this executor's own tasks and serializable {@link Runnable}s, it
     * accepts the wrappers {@link java.util.concurrent.ExecutorCompletionService} makes (run here, on a
     * thread that waits for the worker).
     *
     * @param command the task.
     * @throws RejectedExecutionException after shutdown.
     * @throws IllegalArgumentException   if the task cannot be sent to a worker.
     */
    @Override
    public void execute(final Runnable command)
    {
        if (command instanceof PoolTask)
        {
            ((PoolTask<?>)command).dispatch();
        }
        else if (command instanceof FutureTask && command.getClass().getName().startsWith("java.util.concurrent."))
        {
            if (pool.isShutdown())
            {
                throw new RejectedExecutionException("executor is shut down");
            }
            waiters.execute(command);
        }
        else
        {
            submit(command);
        }
    }

    @Override
    public void shutdown()
    {
        pool.shutdown();
        waiters.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow()
    {
        pool.terminate();
        waiters.shutdownNow();
        try
        {
            pool.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final List<Runnable> never = new ArrayList<>();
        for (final Object o : pool.neverStartedTasks())
        {
            if (o instanceof Runnable)
            {
                never.add((Runnable)o);
            }
        }
        return never;
    }

    @Override
    public boolean isShutdown()
    {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated()
    {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return pool.awaitTermination(Duration.ofNanos(unit.toNanos(timeout)));
    }

    /**
     * {@link #shutdown()}, then wait until every submitted task has finished and the workers have exited,
     * as leaving Python's {@code with ProcessPoolExecutor() as executor:} block does. If interrupted, the
     * workers are stopped at once ({@link #shutdownNow()}) and the interrupt status is set again.
     */
    @Override
    public void close()
    {
        shutdown();
        try
        {
            pool.join();
        }
        catch (final InterruptedException ex)
        {
            shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "ProcessPoolExecutor" + pool;
    }

    private static <T> SerializableCallable<T> serializable(final Callable<T> task)
    {
        if (task instanceof SerializableCallable)
        {
            return (SerializableCallable<T>)task;
        }
        if (!(task instanceof Serializable))
        {
            throw new IllegalArgumentException("the task " + task.getClass().getName() +
                " is not serializable: a lambda typed as java.util.concurrent.Callable is not; type it as io.mp4j.SerializableCallable");
        }
        return task::call;
    }

    private static SerializableRunnable serializable(final Runnable task)
    {
        if (!(task instanceof Serializable))
        {
            throw new IllegalArgumentException("the task " + task.getClass().getName() +
                " is not serializable: a lambda typed as java.lang.Runnable is not; submit a SerializableCallable, " +
                "e.g. submit(() -> { work(); return null; })");
        }
        return task::run;
    }

    /**
     * A task of this executor: its future, and what {@link AbstractExecutorService} runs.
     */
    private final class PoolTask<T> extends CompletableFuture<T> implements RunnableFuture<T>
    {
        private final SerializableCallable<T> task;
        private final AtomicBoolean dispatched = new AtomicBoolean();

        PoolTask(final SerializableCallable<T> task)
        {
            this.task = task;
        }

        void dispatch()
        {
            if (dispatched.compareAndSet(false, true))
            {
                try
                {
                    pool.submitInline(task, this);
                }
                catch (final IllegalStateException ex)
                {
                    throw new RejectedExecutionException("executor is shut down", ex);
                }
            }
        }

        /**
         * Send the task if not yet sent, and wait for it (what a wrapping {@link FutureTask} needs).
         */
        @Override
        public void run()
        {
            dispatch();
            try
            {
                get();
            }
            catch (final InterruptedException ex)
            {
                cancel(false);
                Thread.currentThread().interrupt();
            }
            catch (final ExecutionException | CancellationException ignore)
            {
                // the outcome is in this future
            }
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture()
        {
            return new CompletableFuture<>();
        }
    }
}

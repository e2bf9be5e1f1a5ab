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
 * The memory-mapped implementation of {@link ProcessPoolExecutor}.
 */
final class MappedProcessPoolExecutor extends AbstractExecutorService implements ProcessPoolExecutor
{
    private final MappedPool pool;

    private final ExecutorService waiters = Executors.newCachedThreadPool(r ->
    {
        final Thread t = new Thread(r, "mp4j-executor-waiter");
        t.setDaemon(true);
        return t;
    });

    /**
     * An executor with {@link Process#cpuCount()} workers.
     */
    MappedProcessPoolExecutor()
    {
        this(Pool.builder());
    }

    /**
     * @param maxWorkers how many worker JVMs.
     */
    MappedProcessPoolExecutor(final int maxWorkers)
    {
        this(Pool.builder().processes(maxWorkers));
    }

    /**
     * @param options the workers' options (processes, initializer, context, retry...), as for a {@link Pool}.
     */
    MappedProcessPoolExecutor(final Pool.Builder options)
    {
        this.pool = options.start();
    }

    @Override
    public boolean awaitReady(final Duration timeout) throws InterruptedException
    {
        return pool.awaitReady(timeout);
    }

    @Override
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

    @Override
    public <T, R> ResultIterator<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return map(fn, items, 1);
    }

    @Override
    public <T, R> ResultIterator<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        try
        {
            return pool.imap(fn, items, chunksize);
        }
        catch (final IllegalStateException ex)
        {
            throw new RejectedExecutionException("the executor rejects the task: " + ex.getMessage(), ex);
        }
    }

    static <F extends Future<?>> Iterable<F> asCompleted(final Collection<F> futures)
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

    /**
     * The task {@link #newTaskFor} made last on this thread, until the next {@link #execute}: an
     * {@link java.util.concurrent.ExecutorCompletionService} (and {@code invokeAny}, which uses one) makes
     * its task with {@code newTaskFor}, then at once, on the same thread, executes a {@link FutureTask}
     * wrapping it (its {@code QueueingFuture}, recognised by its class). That wrapper is the one plain
     * {@code FutureTask} this executor runs on a thread of its own. Every {@code newTaskFor} of this class
     * is followed at once by an {@code execute} on the same thread (submit, invokeAll, invokeAny, the
     * completion service; the timed invokeAll is overridden and makes no entry), and every {@code execute}
     * clears the entry: so a wrapper executed with an entry set is the wrapper of that task, and an
     * unrelated {@code FutureTask} finds no entry and is refused as any non-serializable task is.
     */
    private static final ThreadLocal<PoolTask<?>> JUST_MADE = new ThreadLocal<>();

    /** The JDK class of the wrapper above: no other {@code FutureTask} waits for one of our tasks. */
    private static final String COMPLETION_WRAPPER = "java.util.concurrent.ExecutorCompletionService$QueueingFuture";

    /**
     * A task for {@link AbstractExecutorService}'s methods and {@link java.util.concurrent.ExecutorCompletionService}:
     * sent to the pool here, so that a task made before {@link #shutdown()} runs even if the wrapper that
     * waits for it is executed after.
     *
     * @throws RejectedExecutionException after shutdown.
     */
    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Callable<T> callable)
    {
        return made(new PoolTask<>(serializable(callable)));
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Runnable runnable, final T value)
    {
        final SerializableRunnable r = serializable(runnable);
        return made(new PoolTask<>(() ->
        {
            r.run();
            return value;
        }));
    }

    private static <T> PoolTask<T> made(final PoolTask<T> task)
    {
        task.dispatch();
        JUST_MADE.set(task);
        return task;
    }

    @Override
    public void execute(final Runnable command)
    {
        final PoolTask<?> justMade = JUST_MADE.get();
        if (justMade != null)
        {
            JUST_MADE.remove();
        }
        if (command instanceof PoolTask)
        {
            ((PoolTask<?>)command).dispatch();
        }
        else if (justMade != null && COMPLETION_WRAPPER.equals(command.getClass().getName()))
        {
            // the wrapper of a task already accepted (newTaskFor): it only waits for it, so it is accepted
            // after shutdown() too, or the task's completion would never be reported
            waiters.execute(command);
        }
        else
        {
            submit(command);
        }
    }

    /**
     * As {@link AbstractExecutorService}'s, except that a task is sent to the pool only when its turn comes
     * before the timeout: {@link #newTaskFor} sends a task as it makes it (see there), so the inherited
     * method, which makes them all before it looks at the clock, would send every task even after the
     * timeout had passed (and leave its last one as {@link #JUST_MADE}). Tasks not sent in time, or not
     * done in time, are cancelled.
     */
    @Override
    public <T> List<Future<T>> invokeAll(final Collection<? extends Callable<T>> tasks, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        // a negative timeout has passed already; clamped so that nanos - elapsed cannot wrap around
        final long nanos = Math.max(0, unit.toNanos(timeout));
        final long start = System.nanoTime();
        final List<Future<T>> futures = new ArrayList<>(tasks.size());
        try
        {
            for (final Callable<T> t : tasks)
            {
                futures.add(new PoolTask<>(serializable(java.util.Objects.requireNonNull(t, "task"))));
            }
            for (final Future<T> f : futures)
            {
                if (nanos - (System.nanoTime() - start) <= 0)
                {
                    return cancelAll(futures);
                }
                ((PoolTask<T>)f).dispatch();
            }
            for (final Future<T> f : futures)
            {
                if (!f.isDone())
                {
                    final long left = nanos - (System.nanoTime() - start);
                    if (left <= 0)
                    {
                        return cancelAll(futures);
                    }
                    try
                    {
                        f.get(left, TimeUnit.NANOSECONDS);
                    }
                    catch (final ExecutionException | CancellationException ignore)
                    {
                        // the outcome is in the future
                    }
                    catch (final java.util.concurrent.TimeoutException ex)
                    {
                        return cancelAll(futures);
                    }
                }
            }
            return futures;
        }
        catch (final Throwable ex)
        {
            cancelAll(futures);
            throw ex;
        }
    }

    private static <T> List<Future<T>> cancelAll(final List<Future<T>> futures)
    {
        for (final Future<T> f : futures)
        {
            f.cancel(true);
        }
        return futures;
    }

    @Override
    public void shutdown()
    {
        // the waiter threads stay: wrappers of tasks accepted before may still come (see execute)
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow()
    {
        pool.terminate();
        waiters.shutdownNow();
        if (pool.inCallback())
        {
            return new ArrayList<>(); // from a callback it cannot wait for the dispatcher, which knows which never started
        }
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

    @Override
    public void close()
    {
        shutdown();
        if (pool.inCallback())
        {
            return; // from a callback: waiting would wait for itself
        }
        try
        {
            pool.join();
            waiters.shutdown();
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
                    final RejectedExecutionException rejected = new RejectedExecutionException("the executor rejects the task: " +
                        ex.getMessage(), ex);
                    // complete it: a wrapper that reports this future's completion must not report one that never completes
                    completeExceptionally(rejected);
                    throw rejected;
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

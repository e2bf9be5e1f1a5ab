package io.mp4j.cluster;

import io.mp4j.ProcessPoolExecutor;
import io.mp4j.RemoteTaskException;
import io.mp4j.ResultIterator;
import io.mp4j.SerializableCallable;
import io.mp4j.SerializableFunction;
import io.mp4j.WorkerDiedException;
import io.mp4j.queue.JavaSerializationCodec;
import io.mp4j.queue.MessageDecodingException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCompute;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.lang.IgniteFuture;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ProcessPoolExecutor} whose tasks run on the cluster's members (Ignite's compute grid over the
 * server nodes, load-balanced round-robin), not on child JVMs of this host.
 *
 * <p><b>Classes.</b> A task is marshalled by Ignite, as Ignite's own executor marshals its tasks, and read on
 * the member through Ignite's class filter: its deny-list, or with {@link ClusterConfig.Builder#allowList}
 * on, an allow-list ({@link IgniteAllowList}). A class the member refuses fails the task with a
 * {@link MessageDecodingException} naming it. The result or exception comes back through mp4j's filtered
 * codec ({@link RemoteCall}). The task's class (and the classes it captures and returns) must be on every
 * member's class path: peer class loading is off by default (see {@link ClusterConfig}).
 *
 * <p><b>A member that dies</b> while running a task: Ignite fails the job over to another member (at most
 * five attempts), so the task runs again, at least once in all; when no member is left to take it the
 * future fails with a {@link WorkerDiedException}. Nothing waits for ever on a dead member.
 *
 * <p><b>Cancelling.</b> {@code cancel(true)} on a task's future, and {@link #shutdownNow()} for every task not
 * finished, cancel the task's Ignite job, and the future fails with
 * {@link java.util.concurrent.CancellationException} at once. A job that has not started on its member never
 * starts; a running one has its thread interrupted by Ignite once {@code computeJobWorkerInterruptTimeout}
 * has passed since the cancel (a cluster-wide property, by default the member's failure-detection timeout:
 * 10 s unless {@code --failure-detection-ms} says otherwise; Ignite's {@code control.sh --property set}
 * changes it). A task that ignores interrupts runs on to its end on the member, its result discarded: a
 * member's JVM cannot be stopped from here. {@code cancel(false)}
 * cancels the future only and leaves the job alone, as {@code Future}'s contract asks.
 *
 * <p>{@code workers} is kept for the interface: the cluster's concurrency is the sum of its members' task
 * pools ({@link ClusterConfig.Builder#threads}). {@link #map} is the cluster pool's {@code imap}.
 */
public final class ClusterExecutor extends AbstractExecutorService implements ProcessPoolExecutor
{
    private final Ignite ignite;
    private final IgniteCompute compute;
    private final int workers;
    private final AtomicInteger running = new AtomicInteger();
    /** The tasks sent and not finished, for {@link #shutdownNow()} to cancel. */
    private final java.util.Set<Sent<?>> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean shutdown;

    ClusterExecutor(final Ignite ignite, final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers=" + workers + " must be at least 1");
        }
        this.ignite = ignite;
        this.compute = ignite.compute(ignite.cluster().forServers());
        this.workers = workers;
        RemoteCall.warmUpInBackground();
    }

    /**
     * @return the workers asked for (the cluster's real concurrency is its members' task pools).
     */
    public int workers()
    {
        return workers;
    }

    <T> CompletableFuture<T> call(final Callable<T> task)
    {
        return call(task, new Sent<>());
    }

    private <T> Sent<T> call(final Callable<T> task, final Sent<T> result)
    {
        final RemoteCall call = RemoteCall.of(task);
        synchronized (this)
        {
            if (shutdown)
            {
                throw new RejectedExecutionException("the cluster executor is shut down");
            }
            running.incrementAndGet();
            inFlight.add(result);
        }
        final IgniteFuture<byte[]> future;
        try
        {
            future = compute.callAsync(call);
        }
        catch (final RuntimeException ex)
        {
            finished(result);
            throw ex;
        }
        result.remote(future);
        future.listen(done ->
        {
            try
            {
                complete(result, done);
            }
            finally
            {
                finished(result);
            }
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(final CompletableFuture<T> result, final IgniteFuture<byte[]> done)
    {
        final byte[] bytes;
        try
        {
            bytes = done.get();
        }
        catch (final ClusterTopologyException ex)
        {
            result.completeExceptionally(new WorkerDiedException(
                "no cluster member was left to run the task: " + ex.getMessage(), -1, -1));
            return;
        }
        catch (final RuntimeException ex)
        {
            final String refused = refusedClass(ex);
            result.completeExceptionally(refused == null ? ex : new MessageDecodingException("a cluster member refused to " +
                "deserialize class " + refused + " in the task: Ignite's deny-list has it, or, with --allow-list, mp4j's " +
                "allow-list (its defaults, java.io, java.util.concurrent, serialized lambdas) has not; allow it with -D" +
                JavaSerializationCodec.ALLOW_PROPERTY + "=<pattern> on every node", ex));
            return;
        }
        try
        {
            final RemoteCall.Outcome outcome = RemoteCall.decodeOutcome(bytes);
            if (outcome.failure != null)
            {
                result.completeExceptionally(new RemoteTaskException(
                    "the task failed on cluster member pid " + outcome.pid + ": " + outcome.failure, outcome.pid, outcome.failure));
            }
            else
            {
                result.complete((T)outcome.value);
            }
        }
        catch (final RuntimeException ex)
        {
            result.completeExceptionally(ex);
        }
    }

    /** Ignite's words when its class allow-list refuses a class (a {@code ClassNotFoundException}'s message). */
    private static final String REFUSED_PREFIX = "Deserialization of class ";
    private static final String REFUSED_SUFFIX = " is disallowed.";

    /**
     * @return the class Ignite's allow-list refused somewhere in the causes of {@code failure}, or null.
     */
    static String refusedClass(final Throwable failure)
    {
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause())
        {
            final String message = cause.getMessage();
            if (cause instanceof ClassNotFoundException && message != null && message.startsWith(REFUSED_PREFIX) &&
                message.endsWith(REFUSED_SUFFIX))
            {
                return message.substring(REFUSED_PREFIX.length(), message.length() - REFUSED_SUFFIX.length());
            }
        }
        return null;
    }

    private void finished(final Sent<?> task)
    {
        inFlight.remove(task);
        if (running.decrementAndGet() == 0 && shutdown)
        {
            terminated.complete(null);
        }
    }

    @Override
    public <T> CompletableFuture<T> submit(final Callable<T> task)
    {
        return call(task);
    }

    @Override
    public CompletableFuture<?> submit(final Runnable task)
    {
        return call(runnable(task, null));
    }

    @Override
    public <T> CompletableFuture<T> submit(final Runnable task, final T result)
    {
        return call(runnable(task, result));
    }

    @Override
    public <T> CompletableFuture<T> submit(final SerializableCallable<T> task)
    {
        return call(task);
    }

    private static <T> Callable<T> runnable(final Runnable task, final T result)
    {
        if (!(task instanceof Serializable))
        {
            throw new IllegalArgumentException("a cluster task must be serializable: " + task.getClass().getName());
        }
        return (SerializableCallable<T>)() ->
        {
            task.run();
            return result;
        };
    }

    /**
     * The task {@link #newTaskFor} made last on this thread, until the next {@link #execute}: an
     * {@link java.util.concurrent.ExecutorCompletionService} (and {@code invokeAny}, which uses one) makes its
     * task with {@code newTaskFor}, then executes a {@link FutureTask} wrapping it, which cannot be sent to a
     * member (it is not serializable) and need not be: it only reports the task's completion.
     */
    private static final ThreadLocal<Sent<?>> JUST_MADE = new ThreadLocal<>();

    /**
     * A task for {@link AbstractExecutorService}'s methods ({@code invokeAll} with a timeout, {@code invokeAny})
     * and {@link java.util.concurrent.ExecutorCompletionService}: sent to the cluster here, at once, so that
     * a task made before {@link #shutdown()} runs even if the wrapper that waits for it is executed after.
     *
     * @throws RejectedExecutionException after shutdown.
     * @throws IllegalArgumentException   if the task is not serializable.
     */
    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Callable<T> callable)
    {
        return made(call(callable, new Sent<>()));
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Runnable runnable, final T value)
    {
        return made(call(runnable(runnable, value), new Sent<>()));
    }

    private static <T> Sent<T> made(final Sent<T> task)
    {
        JUST_MADE.set(task);
        return task;
    }

    /**
     * Send a serializable task to the cluster; a task of {@link #newTaskFor} is already sent, and the
     * {@code java.util.concurrent} wrapper of the one just made runs here once that task completes (on the
     * thread that completes it), since all it does is report the completion.
     */
    @Override
    public void execute(final Runnable command)
    {
        final Sent<?> justMade = JUST_MADE.get();
        if (justMade != null)
        {
            JUST_MADE.remove();
        }
        if (command instanceof Sent)
        {
            return;
        }
        if (justMade != null && command instanceof FutureTask && command.getClass().getName().startsWith("java.util.concurrent."))
        {
            justMade.whenComplete((value, failure) -> command.run());
            return;
        }
        submit(command);
    }

    /**
     * A task sent to the cluster: its future, which {@code cancel(true)} passes on to the Ignite job; running
     * it waits for its completion (for {@link #newTaskFor}'s callers).
     */
    private static final class Sent<T> extends CompletableFuture<T> implements RunnableFuture<T>
    {
        private volatile IgniteFuture<?> remote;
        private volatile boolean interrupt;

        /** The job's Ignite future, once sent; cancelled at once if {@code cancel(true)} came first. */
        void remote(final IgniteFuture<?> future)
        {
            remote = future;
            if (interrupt)
            {
                cancelRemote();
            }
        }

        @Override
        public boolean cancel(final boolean mayInterruptIfRunning)
        {
            if (mayInterruptIfRunning)
            {
                interrupt = true;
            }
            final boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && mayInterruptIfRunning)
            {
                cancelRemote();
            }
            return cancelled;
        }

        private void cancelRemote()
        {
            final IgniteFuture<?> future = remote;
            if (future != null)
            {
                try
                {
                    future.cancel();   // idempotent: remote() and cancel() may both get here
                }
                catch (final RuntimeException ex)
                {
                    // the node is stopping or disconnected: the job goes with it, and this future is cancelled
                }
            }
        }

        @Override
        public void run()
        {
            try
            {
                join();
            }
            catch (final CancellationException | CompletionException ex)
            {
                // the outcome is this future's: whoever runs it (a wrapper) reads it from here
            }
        }
    }

    /**
     * Wait until the cluster has a member to run tasks, at most {@code timeout}.
     *
     * @return whether a member was there in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    @Override
    public boolean awaitReady(final Duration timeout) throws InterruptedException
    {
        return ClusterLockBase.pollUntil(this::hasMember, ClusterLockBase.deadline(timeout), OwnerWord::idle, "a cluster member");
    }

    private boolean hasMember()
    {
        try
        {
            return !ignite.cluster().forServers().nodes().isEmpty();
        }
        catch (final org.apache.ignite.IgniteClientDisconnectedException ex)
        {
            return false;   // the client is reconnecting: no member reachable yet
        }
    }

    @Override
    public <T, R> ResultIterator<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return map(fn, items, 1);
    }

    @Override
    public <T, R> ResultIterator<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return ClusterPool.iterator(this, fn, items, chunksize, true);
    }

    @Override
    public synchronized void shutdown()
    {
        shutdown = true;
        if (running.get() == 0)
        {
            terminated.complete(null);
        }
    }

    /**
     * Shut down and cancel every task not finished ({@code cancel(true)}: see the class comment); their
     * futures fail with {@link java.util.concurrent.CancellationException}. Returns without waiting.
     *
     * @return an empty list: nothing is queued in this JVM, and which jobs a member had not started is not
     * known here.
     */
    @Override
    public List<Runnable> shutdownNow()
    {
        shutdown();
        for (final Sent<?> task : inFlight)
        {
            task.cancel(true);
        }
        return List.of();
    }

    @Override
    public boolean isShutdown()
    {
        return shutdown;
    }

    @Override
    public boolean isTerminated()
    {
        return terminated.isDone();
    }

    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            terminated.get(timeout, unit);
            return true;
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            return false;
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            return true;
        }
    }

    /**
     * {@link #shutdown()}, then wait until every task sent has finished, as leaving Python's
     * {@code with ProcessPoolExecutor()} block waits; if interrupted, {@link #shutdownNow()} and the interrupt
     * status set again.
     */
    @Override
    public void close()
    {
        shutdown();
        try
        {
            awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public <T> List<java.util.concurrent.Future<T>> invokeAll(final java.util.Collection<? extends Callable<T>> tasks)
        throws InterruptedException
    {
        final List<java.util.concurrent.Future<T>> futures = new java.util.ArrayList<>();
        for (final Callable<T> task : tasks)
        {
            futures.add(call(task));
        }
        for (final java.util.concurrent.Future<T> future : futures)
        {
            try
            {
                future.get();
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException ignored)
            {
                // the caller reads each future's outcome
            }
        }
        return futures;
    }
}

package io.mp4j;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The result of {@link Pool#applyAsync} or {@link Pool#mapAsync}: Python's {@code AsyncResult} as a
 * {@link Future}.
 *
 * <pre>{@code
 * AsyncResult<Integer> r = pool.applyAsync(Demo::square, 10)
 *     .onSuccess(v -> System.out.println("done: " + v))
 *     .onError(e -> e.printStackTrace());
 * r.waitFor(Duration.ofSeconds(5));
 * if (r.ready() && r.successful())
 * {
 *     System.out.println(r.get());
 * }
 * }</pre>
 *
 * <p>{@link #get()} throws an {@link ExecutionException} whose cause is a {@link RemoteTaskException}
 * (the task threw; its cause carries the worker's stack trace) or a {@link WorkerDiedException}; it
 * throws {@link java.util.concurrent.CancellationException} if the pool was terminated first. Callbacks run on
 * the thread that collects the result: the pool's dispatcher thread (as Python's run on its result
 * handler thread) or a thread waiting on the same pool that was collecting at the time: keep them short,
 * and never wait on the pool from a callback (submitting is fine). They run after the result is
 * ready, as a {@link CompletableFuture}'s dependents do, so {@link #get()} may return while a callback is
 * still running (Python runs the callback first): to use what a callback did, wait for it. An exception a
 * callback throws does not reach the caller nor change the result: it is printed on standard error.
 * {@link #cancel(boolean)} stops a task that has not yet been handed to a worker; one already running
 * runs to its end, its result discarded.
 *
 * <p>Memory consistency effects: actions in the worker before the task returned, and actions in this JVM
 * before the task was submitted, happen-before a successful return from {@link #get()}.
 *
 * @param <T> the result type.
 */
public final class AsyncResult<T> implements Future<T>
{
    /**
     * How long {@link #get()} spins (collecting results itself while the pool's dispatcher thread sleeps)
     * before it parks: a round trip to a busy worker is a few microseconds, a wake-up from a park 55 to
     * 110 µs here, so a call that missed the spin phase by little would pay a wake-up (as the shm module's
     * {@code TimedBackoffIdleStrategy}, 200 µs).
     */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** While spinning it yields this often, as the pool's other threads do ({@link PoolWorker#YIELD_EVERY_NANOS}). */
    private static final long YIELD_EVERY_NANOS = PoolWorker.YIELD_EVERY_NANOS;
    /**
     * And this often while a worker has not even started a chunk sent to it ({@link MappedPool#workerBehind}).
     * A round trip takes 1-2 µs when the caller and the worker each have a core; a chunk still not started
     * after 10 µs most often means the worker waits for a core, perhaps the caller's (while the JIT's
     * compiler threads hold the other). Measured in alternating runs: the round trip's p90 went from
     * 215-218 µs to 129-185 µs; the p50 stayed 1.2 µs. (The same early yield in an idle worker whose last
     * result was unread made the p50 33 µs: a yield costs tens of microseconds whenever another thread is
     * runnable on the core.)
     */
    private static final long BEHIND_YIELD_EVERY_NANOS = Math.min(YIELD_EVERY_NANOS, TimeUnit.MICROSECONDS.toNanos(10));
    /**
     * Then it parks, at most {@link PoolWorker#YOUNG_PARK_CAP_NANOS} at a time, still collecting
     * results itself between parks, until this long has passed; then it blocks until the dispatcher thread
     * completes the call. Collecting itself saves two thread wake-ups (the dispatcher's, then its own) per
     * call, each up to a time slice on a busy machine.
     */
    private static final long HELP_NANOS = PoolWorker.YOUNG_NANOS;

    private final CompletableFuture<T> future;
    private final MappedPool pool;

    AsyncResult(final CompletableFuture<T> future, final MappedPool pool)
    {
        this.future = future;
        this.pool = pool;
    }

    /**
     * An asynchronous result over a future, for {@link Pool} implementations of other backends: it completes
     * as the future does, and its callbacks run as the future's dependents do.
     *
     * @param future the task's future.
     * @param <T>    the result type.
     * @return the result.
     */
    public static <T> AsyncResult<T> of(final CompletableFuture<T> future)
    {
        return new AsyncResult<>(java.util.Objects.requireNonNull(future, "future"), null);
    }

    /**
     * Wait, doing the pool's dispatching work, until the result is ready, {@code deadline} (System.nanoTime)
     * has passed, or the wait is old enough to be left to the dispatcher thread.
     */
    private void help(final long deadline) throws InterruptedException
    {
        if (pool == null || future.isDone())
        {
            return;
        }
        final long start = System.nanoTime();
        long lastYield = start;
        long parkNanos = 1_000;
        try
        {
            while (!future.isDone())
            {
                final int work = pool.helpDispatch(true);
                final long now = System.nanoTime();
                if (future.isDone() || now - deadline >= 0 || now - start >= HELP_NANOS)
                {
                    return;
                }
                if (work > 0 || now - start < SPIN_NANOS)
                {
                    if (now - lastYield >= (pool.workerBehind() ? BEHIND_YIELD_EVERY_NANOS : YIELD_EVERY_NANOS))
                    {
                        lastYield = now;
                        Thread.yield();
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
                    continue;
                }
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                LockSupport.parkNanos(this, Math.min(parkNanos, deadline - now));
                parkNanos = Math.min(parkNanos << 1, PoolWorker.YOUNG_PARK_CAP_NANOS);
            }
        }
        finally
        {
            pool.stopHelping(!future.isDone());
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException
    {
        help(System.nanoTime() + Long.MAX_VALUE); // no deadline: the difference with now stays negative
        return future.get();
    }

    @Override
    public T get(final long timeout, final TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException
    {
        // a negative timeout has passed already; clamped so that the deadline cannot wrap around
        final long nanos = Math.max(0, unit.toNanos(timeout));
        final long deadline = System.nanoTime() + nanos;
        help(deadline);
        try
        {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            // CompletableFuture's has no message
            throw new TimeoutException("not ready within " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
        }
    }

    /**
     * Python's {@code get(timeout)}.
     *
     * @param timeout how long to wait at most.
     * @return the result.
     * @throws InterruptedException if interrupted while waiting.
     * @throws ExecutionException   if the task failed (see the class comment for the causes).
     * @throws TimeoutException     if the result is not ready in time.
     */
    public T get(final Duration timeout) throws InterruptedException, ExecutionException, TimeoutException
    {
        return get(io.mp4j.shm.IdleStrategies.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * @return whether the call has completed (Python's {@code ready()}).
     */
    public boolean ready()
    {
        return future.isDone();
    }

    /**
     * @return whether the call completed without an exception (Python's {@code successful()}).
     * @throws IllegalStateException if it is not ready yet, as Python raises {@code ValueError}.
     */
    public boolean successful()
    {
        if (!future.isDone())
        {
            throw new IllegalStateException("result is not ready");
        }
        return !future.isCompletedExceptionally();
    }

    /**
     * Wait until the result is ready (Python's {@code wait()}; {@code wait} is taken by {@link Object}).
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void waitFor() throws InterruptedException
    {
        try
        {
            get();
        }
        catch (final ExecutionException | java.util.concurrent.CancellationException ignore)
        {
            // ready, unsuccessfully
        }
    }

    /**
     * Wait at most {@code timeout} until the result is ready.
     *
     * @param timeout how long to wait at most.
     * @return whether it is ready.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean waitFor(final Duration timeout) throws InterruptedException
    {
        try
        {
            get(timeout);
        }
        catch (final ExecutionException | java.util.concurrent.CancellationException ignore)
        {
            // ready, unsuccessfully
        }
        catch (final TimeoutException ex)
        {
            return false;
        }
        return true;
    }

    /**
     * Python's {@code callback}: called with the result once it is ready, if the call succeeds.
     *
     * @param callback what to call.
     * @return this.
     */
    public AsyncResult<T> onSuccess(final Consumer<? super T> callback)
    {
        future.whenComplete((v, ex) ->
        {
            if (ex == null)
            {
                run(callback, v);
            }
        });
        return this;
    }

    /**
     * Python's {@code error_callback}: called with the exception if the call fails.
     *
     * @param callback what to call with the {@link RemoteTaskException}, {@link WorkerDiedException} or
     *                 cancellation.
     * @return this.
     */
    public AsyncResult<T> onError(final Consumer<? super Throwable> callback)
    {
        future.whenComplete((v, ex) ->
        {
            if (ex != null)
            {
                run(callback, ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null ? ex.getCause() : ex);
            }
        });
        return this;
    }

    /**
     * Run a callback; what it throws has nowhere to go (the thread that runs it is collecting results for
     * others), so it is printed on standard error rather than lost. On the pool's dispatcher thread, an
     * interrupt the callback leaves set is cleared: it is addressed to no one there, and would turn the
     * dispatcher's parking into spinning and make the next worker's channel fail to be created.
     */
    private <V> void run(final Consumer<? super V> callback, final V value)
    {
        try
        {
            callback.accept(value);
        }
        catch (final Throwable ex)
        {
            System.err.println("mp4j: an AsyncResult callback threw (ignored; the result is unaffected): " + ex);
            ex.printStackTrace();
        }
        finally
        {
            if (pool != null && pool.isDispatcherThread())
            {
                Thread.interrupted();
            }
        }
    }

    /**
     * @return a {@link CompletableFuture} that completes as this result does (completing it does not
     * affect this result).
     */
    public CompletableFuture<T> toCompletableFuture()
    {
        return future.copy();
    }

    @Override
    public boolean cancel(final boolean mayInterruptIfRunning)
    {
        return future.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled()
    {
        return future.isCancelled();
    }

    @Override
    public boolean isDone()
    {
        return future.isDone();
    }

    @Override
    public String toString()
    {
        return "AsyncResult" + (future.isDone() ? (future.isCompletedExceptionally() ? "[failed]" : "[ready]") : "[pending]");
    }
}

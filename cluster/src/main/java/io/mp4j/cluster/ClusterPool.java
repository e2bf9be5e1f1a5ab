package io.mp4j.cluster;

import io.mp4j.AsyncResult;
import io.mp4j.Pool;
import io.mp4j.ResultIterator;
import io.mp4j.SerializableBiFunction;
import io.mp4j.SerializableCallable;
import io.mp4j.SerializableFunction;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Pool} whose tasks run on the cluster's members through a {@link ClusterExecutor}: the same class
 * path rule, the same fail-over when a member dies. {@code map} and {@code starmap} send one task per chunk
 * (Python's default chunk size for {@code processes}) and return results in input order.
 *
 * <p>The asynchronous and iterator forms give {@link AsyncResult#of} and {@link ResultIterator#of} over the
 * tasks' futures; {@code imap} and {@code imapUnordered} default to one item per task, as in Python.
 *
 * <p><b>Ending</b>, as {@link Pool} says: {@link #terminate()} cancels every task not finished (its Ignite job
 * does not start, or its thread on the member is interrupted; see {@link ClusterExecutor}), whose results
 * fail with {@link java.util.concurrent.CancellationException} at once. Ignite interrupts a running job's
 * thread once its {@code computeJobWorkerInterruptTimeout} has passed since the cancel (a cluster-wide
 * property that defaults to the member's failure-detection timeout, 10 s by default; Ignite's
 * {@code control.sh --property set} changes it), and answers the cancel when the job has ended.
 * {@link #close()} is {@code terminate()} then waiting, at most {@link #CLOSE_WAIT}, for those answers: a
 * task that honours interrupts has stopped on its member when {@code close()} returns, with the default
 * timeout. The members are not stopped (they are the cluster's, not this pool's): a task that ignores
 * interrupts runs on there to its end, its result discarded, and {@code close()} returns at the bound.
 */
public final class ClusterPool implements Pool
{
    /**
     * How long {@link #close()} waits at most, after {@link #terminate()}, for the members to answer the
     * cancellations: Ignite's default interrupt delay (10 s) and 5 s more.
     */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

    private final ClusterBackend backend;
    private final ClusterExecutor executor;
    private final int processes;

    ClusterPool(final ClusterBackend backend, final int processes)
    {
        this.backend = backend;
        this.processes = processes;
        this.executor = new ClusterExecutor(backend.ignite(), processes);
    }

    @Override
    public int processes()
    {
        return processes;
    }

    /**
     * @return the pids of the cluster's members (each on its own host).
     */
    @Override
    public Set<Long> workerPids()
    {
        final Set<Long> pids = new HashSet<>();
        backend.ignite().cluster().forServers().nodes().forEach(n -> pids.add(backend.pidOfNode(n.order())));
        return pids;
    }

    /**
     * Wait until the cluster has a member to run tasks, at most {@code timeout} (the cluster's task pools are
     * its members', not this pool's).
     */
    @Override
    public boolean awaitReady(final Duration timeout) throws InterruptedException
    {
        return executor.awaitReady(timeout);
    }

    @Override
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return mapChunked(fn, items, DEFAULT_CHUNK);
    }

    @Override
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return mapChunked(fn, items, checkChunksize(chunksize));
    }

    /** Chunk size 0 in the private methods: the default for the input's length. */
    private static final int DEFAULT_CHUNK = 0;

    private static int checkChunksize(final int chunksize)
    {
        if (chunksize < 1)
        {
            throw new IllegalArgumentException("chunksize=" + chunksize + " must be at least 1");
        }
        return chunksize;
    }

    private <T, R> List<R> mapChunked(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        final List<R> results = new ArrayList<>();
        for (final CompletableFuture<ArrayList<R>> future : chunks(executor, fn, items, chunksize, processes))
        {
            results.addAll(join(future));
        }
        return results;
    }

    /** One task per chunk, sent at once; each future gives its chunk's results in order. */
    private static <T, R> List<CompletableFuture<ArrayList<R>>> chunks(final ClusterExecutor executor,
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize, final int processes)
    {
        final List<T> all = new ArrayList<>();
        items.forEach(all::add);
        final int chunk = chunksize > 0 ? chunksize : defaultChunk(all.size(), processes);
        final List<CompletableFuture<ArrayList<R>>> futures = new ArrayList<>();
        for (int from = 0; from < all.size(); from += chunk)
        {
            final ArrayList<T> slice = new ArrayList<>(all.subList(from, Math.min(all.size(), from + chunk)));
            futures.add(executor.submit((SerializableCallable<ArrayList<R>>)() ->
            {
                final ArrayList<R> out = new ArrayList<>(slice.size());
                for (final T item : slice)
                {
                    out.add(fn.apply(item));
                }
                return out;
            }));
        }
        return futures;
    }

    /** The chunks' results joined in input order, as one future. */
    /** The chunks' results in order; cancelling it cancels every chunk's task, as cancelling a task does. */
    private static <R> CompletableFuture<List<R>> concat(final List<CompletableFuture<ArrayList<R>>> chunks)
    {
        final CompletableFuture<List<R>> all = CompletableFuture.allOf(chunks.toArray(new CompletableFuture<?>[0])).thenApply(done ->
        {
            final List<R> results = new ArrayList<>();
            chunks.forEach(c -> results.addAll(c.join()));
            return results;
        });
        all.whenComplete((results, failure) ->
        {
            if (all.isCancelled())
            {
                chunks.forEach(c -> c.cancel(true));
            }
        });
        return all;
    }

    /** One future per item, from its chunk's future. */
    private static <R> List<CompletableFuture<R>> perItem(final List<CompletableFuture<ArrayList<R>>> chunks, final int chunksize)
    {
        final List<CompletableFuture<R>> items = new ArrayList<>();
        for (final CompletableFuture<ArrayList<R>> chunk : chunks)
        {
            // the chunk's size is known only when it completes: each item future takes its slot then
            final List<CompletableFuture<R>> slots = new ArrayList<>();
            for (int k = 0; k < chunksize; k++)
            {
                slots.add(new CompletableFuture<>());
            }
            chunk.whenComplete((list, failure) ->
            {
                for (int k = 0; k < slots.size(); k++)
                {
                    if (failure != null)
                    {
                        slots.get(k).completeExceptionally(failure);
                    }
                    else if (k < list.size())
                    {
                        slots.get(k).complete(list.get(k));
                    }
                }
            });
            items.addAll(slots);
        }
        return items;
    }

    private static int defaultChunk(final int n, final int processes)
    {
        // Python: chunksize, extra = divmod(len(iterable), len(self._pool) * 4); if extra: chunksize += 1
        final int chunk = n / (processes * 4);
        return Math.max(1, n % (processes * 4) == 0 ? chunk : chunk + 1);
    }

    private static <R> R join(final CompletableFuture<R> future)
    {
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a cluster task", ex);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException)
            {
                throw (RuntimeException)ex.getCause();
            }
            throw new IllegalStateException(ex.getCause());
        }
    }

    @Override
    public <A, B, R> List<R> starmap(
        final SerializableBiFunction<A, B, R> fn, final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs)
    {
        return mapChunked(pairFunction(fn), copyPairs(pairs), DEFAULT_CHUNK);
    }

    @Override
    public <A, B, R> List<R> starmap(final SerializableBiFunction<A, B, R> fn,
        final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, final int chunksize)
    {
        return mapChunked(pairFunction(fn), copyPairs(pairs), checkChunksize(chunksize));
    }

    private static <A, B, R> SerializableFunction<Map.Entry<A, B>, R> pairFunction(final SerializableBiFunction<A, B, R> fn)
    {
        return p -> fn.apply(p.getKey(), p.getValue());
    }

    private static <A, B> List<Map.Entry<A, B>> copyPairs(final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs)
    {
        final List<Map.Entry<A, B>> copied = new ArrayList<>();
        pairs.forEach(p -> copied.add(new java.util.AbstractMap.SimpleImmutableEntry<>(p.getKey(), p.getValue())));
        return copied;
    }

    @Override
    public <T, R> R apply(final SerializableFunction<T, R> fn, final T arg)
    {
        return join(executor.submit((SerializableCallable<R>)() -> fn.apply(arg)));
    }

    @Override
    public <A, B, R> R apply(final SerializableBiFunction<A, B, R> fn, final A a, final B b)
    {
        return join(executor.submit((SerializableCallable<R>)() -> fn.apply(a, b)));
    }

    @Override
    public <R> R apply(final SerializableCallable<R> fn)
    {
        return join(executor.submit(fn));
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return AsyncResult.of(concat(chunks(executor, fn, items, DEFAULT_CHUNK, processes)));
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return AsyncResult.of(concat(chunks(executor, fn, items, checkChunksize(chunksize), processes)));
    }

    @Override
    public <A, B, R> AsyncResult<List<R>> starmapAsync(
        final SerializableBiFunction<A, B, R> fn, final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs)
    {
        return AsyncResult.of(concat(chunks(executor, pairFunction(fn), copyPairs(pairs), DEFAULT_CHUNK, processes)));
    }

    @Override
    public <A, B, R> AsyncResult<List<R>> starmapAsync(
        final SerializableBiFunction<A, B, R> fn, final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, final int chunksize)
    {
        return AsyncResult.of(concat(chunks(executor, pairFunction(fn), copyPairs(pairs), checkChunksize(chunksize), processes)));
    }

    @Override
    public <T, R> AsyncResult<R> applyAsync(final SerializableFunction<T, R> fn, final T arg)
    {
        return AsyncResult.of(executor.submit((SerializableCallable<R>)() -> fn.apply(arg)));
    }

    @Override
    public <A, B, R> AsyncResult<R> applyAsync(final SerializableBiFunction<A, B, R> fn, final A a, final B b)
    {
        return AsyncResult.of(executor.submit((SerializableCallable<R>)() -> fn.apply(a, b)));
    }

    @Override
    public <R> AsyncResult<R> applyAsync(final SerializableCallable<R> fn)
    {
        return AsyncResult.of(executor.submit(fn));
    }

    @Override
    public <T, R> ResultIterator<R> imap(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return imap(fn, items, 1);
    }

    @Override
    public <T, R> ResultIterator<R> imap(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return iterator(fn, items, checkChunksize(chunksize), true);
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return imapUnordered(fn, items, 1);
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        return iterator(fn, items, checkChunksize(chunksize), false);
    }

    private <T, R> ResultIterator<R> iterator(
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize, final boolean ordered)
    {
        return iterator(executor, fn, items, chunksize, ordered);
    }

    static <T, R> ResultIterator<R> iterator(final ClusterExecutor executor,
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize, final boolean ordered)
    {
        final int chunk = Math.max(1, chunksize);
        final List<T> all = new ArrayList<>();
        items.forEach(all::add);
        final List<CompletableFuture<R>> slots = perItem(chunks(executor, fn, all, chunk, 1), chunk);
        // the last chunk may be short: keep exactly one slot per item
        return ResultIterator.of(slots.subList(0, all.size()), ordered);
    }

    @Override
    public void shutdown()
    {
        executor.shutdown();
    }

    @Override
    public void terminate()
    {
        executor.shutdownNow();
    }

    @Override
    public void join() throws InterruptedException
    {
        if (!executor.isShutdown())
        {
            throw new IllegalStateException("join() before shutdown() or terminate(), as in Python");
        }
        executor.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean awaitTermination(final Duration timeout) throws InterruptedException
    {
        return executor.awaitTermination(io.mp4j.shm.IdleStrategies.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isTerminated()
    {
        return executor.isTerminated();
    }

    @Override
    public boolean isShutdown()
    {
        return executor.isShutdown();
    }

    /**
     * {@link #terminate()}, then wait at most {@link #CLOSE_WAIT} for the members to answer the cancellations
     * (see the class comment). If interrupted, the interrupt status is set again.
     */
    @Override
    public void close()
    {
        terminate();
        try
        {
            awaitTermination(CLOSE_WAIT);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

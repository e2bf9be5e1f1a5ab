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
 * <p>The asynchronous and iterator forms ({@code mapAsync}, {@code starmapAsync}, {@code applyAsync},
 * {@code imap}, {@code imapUnordered}) return {@link AsyncResult} and {@link ResultIterator}, which only
 * mp4j-core can make today: they throw {@link UnsupportedOperationException}.
 */
public final class ClusterPool implements Pool
{
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

    @Override
    public boolean awaitReady(final Duration timeout)
    {
        return executor.awaitReady(timeout);
    }

    @Override
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        return map(fn, items, 0);
    }

    @Override
    public <T, R> List<R> map(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        final List<T> all = new ArrayList<>();
        items.forEach(all::add);
        final int chunk = chunksize > 0 ? chunksize : defaultChunk(all.size());
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
        final List<R> results = new ArrayList<>(all.size());
        for (final CompletableFuture<ArrayList<R>> future : futures)
        {
            results.addAll(join(future));
        }
        return results;
    }

    private int defaultChunk(final int n)
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
        final List<Map.Entry<A, B>> copied = new ArrayList<>();
        pairs.forEach(p -> copied.add(new java.util.AbstractMap.SimpleImmutableEntry<>(p.getKey(), p.getValue())));
        return map((SerializableFunction<Map.Entry<A, B>, R>)p -> fn.apply(p.getKey(), p.getValue()), copied);
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

    private static UnsupportedOperationException noAsync(final String method)
    {
        return new UnsupportedOperationException("Pool." + method + " on a cluster: AsyncResult and ResultIterator have no public " +
            "constructor in mp4j-core yet; use map/starmap/apply, or the cluster executor's submit");
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        throw noAsync("mapAsync");
    }

    @Override
    public <T, R> AsyncResult<List<R>> mapAsync(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        throw noAsync("mapAsync");
    }

    @Override
    public <A, B, R> AsyncResult<List<R>> starmapAsync(
        final SerializableBiFunction<A, B, R> fn, final Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, final int chunksize)
    {
        throw noAsync("starmapAsync");
    }

    @Override
    public <T, R> AsyncResult<R> applyAsync(final SerializableFunction<T, R> fn, final T arg)
    {
        throw noAsync("applyAsync");
    }

    @Override
    public <A, B, R> AsyncResult<R> applyAsync(final SerializableBiFunction<A, B, R> fn, final A a, final B b)
    {
        throw noAsync("applyAsync");
    }

    @Override
    public <R> AsyncResult<R> applyAsync(final SerializableCallable<R> fn)
    {
        throw noAsync("applyAsync");
    }

    @Override
    public <T, R> ResultIterator<R> imap(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        throw noAsync("imap");
    }

    @Override
    public <T, R> ResultIterator<R> imap(final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        throw noAsync("imap");
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(final SerializableFunction<T, R> fn, final Iterable<? extends T> items)
    {
        throw noAsync("imapUnordered");
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(
        final SerializableFunction<T, R> fn, final Iterable<? extends T> items, final int chunksize)
    {
        throw noAsync("imapUnordered");
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
        return executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
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

    @Override
    public void close()
    {
        executor.close();
    }
}

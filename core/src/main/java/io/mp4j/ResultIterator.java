package io.mp4j;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The lazy result of {@link Pool#imap} and {@link Pool#imapUnordered}: results become available as
 * workers return them, in input order ({@code imap}) or in completion order ({@code imapUnordered}).
 *
 * <pre>{@code
 * ResultIterator<Integer> it = pool.imap(Demo::square, numbers);
 * while (it.hasNext())
 * {
 *     System.out.println(it.next());
 * }
 * pool.imapUnordered(Demo::square, numbers).stream().forEach(System.out::println);
 * }</pre>
 *
 * <p>When a task failed, {@link #next()} throws a {@link RemoteTaskException} (or
 * {@link WorkerDiedException}) in that task's place; the rest of its chunk is skipped and iteration can go
 * on. Thread-safe; memory consistency as for {@link AsyncResult}.
 *
 * @param <R> the result type.
 */
public final class ResultIterator<R> implements Iterator<R>
{
    private static final Object FAILED = new Object();

    private final boolean ordered;
    private final int total;
    private final Object[][] byChunk;
    private final Throwable[] failures;
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private int nextChunk;
    private int taken;

    ResultIterator(final boolean ordered, final int total, final int chunks)
    {
        this.ordered = ordered;
        this.total = total;
        this.byChunk = new Object[chunks][];
        this.failures = new Throwable[chunks];
    }

    /**
     * An iterator over the results of futures, for {@link Pool} implementations of other backends: in the
     * futures' order ({@code ordered}, Python's {@code imap}) or as they complete ({@code imapUnordered}). A
     * future that fails makes {@link #next()} throw its cause (unwrapped from {@link CompletionException}) in
     * its place.
     *
     * @param futures one future per task, in input order.
     * @param ordered whether results come in input order.
     * @param <R>     the result type.
     * @return the iterator.
     */
    public static <R> ResultIterator<R> of(final List<? extends CompletionStage<? extends R>> futures, final boolean ordered)
    {
        final ResultIterator<R> results = new ResultIterator<>(ordered, futures.size(), futures.size());
        for (int i = 0; i < futures.size(); i++)
        {
            final int chunk = i;
            futures.get(i).whenComplete((value, failure) ->
            {
                if (failure == null)
                {
                    results.deliver(chunk, new Object[]{ value });
                }
                else
                {
                    results.fail(chunk, 1, failure instanceof CompletionException && failure.getCause() != null ?
                        failure.getCause() : failure);
                }
            });
        }
        return results;
    }

    synchronized void deliver(final int chunk, final Object[] values)
    {
        byChunk[chunk] = values;
        release(chunk);
    }

    synchronized void fail(final int chunk, final int count, final Throwable failure)
    {
        if (byChunk[chunk] != null)
        {
            return;
        }
        final Object[] marker = new Object[count];
        marker[0] = FAILED;
        failures[chunk] = failure;
        byChunk[chunk] = marker;
        release(chunk);
    }

    private void release(final int chunk)
    {
        if (ordered)
        {
            while (nextChunk < byChunk.length && byChunk[nextChunk] != null)
            {
                move(nextChunk++);
            }
        }
        else
        {
            move(chunk);
        }
        notifyAll();
    }

    private static final Object[] EMPTY = new Object[0];

    private void move(final int chunk)
    {
        final Object[] values = byChunk[chunk];
        if (values.length > 0 && values[0] == FAILED)
        {
            ready.add(new Failure(failures[chunk], values.length));
        }
        else
        {
            for (final Object v : values)
            {
                ready.add(v == null ? NULL : v);
            }
        }
        byChunk[chunk] = EMPTY;
    }

    private static final Object NULL = new Object();

    private static final class Failure
    {
        final Throwable cause;
        final int count;

        Failure(final Throwable cause, final int count)
        {
            this.cause = cause;
            this.count = count;
        }
    }

    @Override
    public synchronized boolean hasNext()
    {
        return taken < total;
    }

    /**
     * The next result, waiting for it as long as needed.
     *
     * @return the next result.
     * @throws NoSuchElementException if all results have been returned.
     * @throws RemoteTaskException    if this task threw.
     * @throws WorkerDiedException    if its worker died.
     * @throws CancellationException  if the pool was terminated, or if the calling thread is interrupted
     *                                while waiting (its interrupt is kept set), as {@link Pool#map} reports it.
     */
    @Override
    public R next()
    {
        try
        {
            return next(Duration.ofNanos(Long.MAX_VALUE));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            final CancellationException c = new CancellationException("interrupted while waiting for the next result");
            c.initCause(ex);
            throw c;
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("no result within the longest timeout", ex); // about 292 years
        }
    }

    /**
     * Python's {@code next(timeout)}.
     *
     * @param timeout how long to wait at most.
     * @return the next result.
     * @throws TimeoutException     if none is ready in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    @SuppressWarnings("unchecked")
    public synchronized R next(final Duration timeout) throws TimeoutException, InterruptedException
    {
        if (taken >= total)
        {
            throw new NoSuchElementException("all " + total + " results have been returned");
        }
        // clamped at both ends: a negative timeout has passed already, and neither end may wrap the deadline
        final long deadline = System.nanoTime() + Math.max(0, Math.min(io.mp4j.shm.IdleStrategies.toNanos(timeout), Long.MAX_VALUE / 4));
        while (ready.isEmpty())
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                throw new TimeoutException("no result within " + timeout);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        final Object head = ready.poll();
        if (head instanceof Failure)
        {
            final Failure f = (Failure)head;
            taken += f.count;
            final Throwable cause = f.cause;
            if (cause instanceof RemoteTaskException)
            {
                throw new RemoteTaskException(cause.getMessage(), ((RemoteTaskException)cause).workerPid(), cause.getCause());
            }
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            throw new IllegalStateException(cause);
        }
        taken++;
        return head == NULL ? null : (R)head;
    }

    /**
     * @return the remaining results as a sequential stream.
     */
    public Stream<R> stream()
    {
        return StreamSupport.stream(Spliterators.spliterator(this, total - taken, Spliterator.ORDERED), false);
    }
}

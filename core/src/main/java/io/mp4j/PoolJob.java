package io.mp4j;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * One call on a {@link Pool} (a map, an apply, an imap) and what to do with its chunks' results, plus the
 * chunks themselves. Called on the dispatcher thread (or a caller helping it), except {@link #expect}
 * and {@link #abandon}, called by the submitting thread before and after its chunks are queued.
 */
abstract class PoolJob
{
    abstract void chunkDone(Chunk c, DirectBuffer buffer, int offset);

    abstract void chunkFailed(Chunk c, Throwable failure);

    abstract boolean isDone();

    void empty()
    {
    }

    void expect(final int chunks)
    {
    }

    /**
     * Submitting failed after chunks 0 .. firstUnsent-1 were sent: the call fails.
     */
    void abandon(final int firstUnsent, final int chunks, final int chunksize, final int n, final Throwable failure)
    {
        chunkFailed(null, failure);
    }

    Object owner()
    {
        return this;
    }

    /** A function serialized once per call, cached by id in each worker. */
    static final class FunctionRef
    {
        final int id;
        final byte[] bytes;

        FunctionRef(final int id, final byte[] bytes)
        {
            this.id = id;
            this.bytes = bytes;
        }
    }

    /**
     * Consecutive tasks of one call, sent to a worker as one message. Arguments are either encoded when the
     * call is made ({@link #args}: Java-serialized or String ones, so that a value that cannot be serialized
     * fails the call at once), or, for columns of Integer, Long or Double, read from the caller's list and
     * encoded straight into the ring when the chunk is sent ({@link #columnA}, {@link #columnB}): no copy of
     * them lives on the caller's heap in between.
     */
    static final class Chunk
    {
        final PoolJob job;
        final int index;
        final int start;
        final int count;
        final FunctionRef fn;
        final int mode;
        final byte[] args;
        final IntFunction<?> columnA;
        final int kindA;
        final IntFunction<?> columnB;
        final int kindB;
        long id;
        long sequence;
        int attempts;

        Chunk(final PoolJob job, final int index, final int start, final int count, final FunctionRef fn, final int mode, final byte[] args)
        {
            this(job, index, start, count, fn, mode, args, null, 0, null, 0);
        }

        Chunk(
            final PoolJob job,
            final int index,
            final int start,
            final int count,
            final FunctionRef fn,
            final int mode,
            final byte[] args,
            final IntFunction<?> columnA,
            final int kindA,
            final IntFunction<?> columnB,
            final int kindB)
        {
            this.job = job;
            this.index = index;
            this.start = start;
            this.count = count;
            this.fn = fn;
            this.mode = mode;
            this.args = args;
            this.columnA = columnA;
            this.kindA = kindA;
            this.columnB = columnB;
            this.kindB = kindB;
        }

        /**
         * @return the length of the encoded arguments.
         */
        int argsLength()
        {
            return args != null ? args.length :
                TaskCodec.encodedLength(kindA, count) + (columnB == null ? 0 : TaskCodec.encodedLength(kindB, count));
        }

        /**
         * Write the encoded arguments at {@code offset}.
         *
         * @throws java.util.ConcurrentModificationException if the caller's list changed since the call.
         */
        void writeArgs(final MutableDirectBuffer buffer, final int offset)
        {
            if (args != null)
            {
                buffer.putBytes(offset, args);
                return;
            }
            final int length = TaskCodec.encode(kindA, columnA, start, count, buffer, offset);
            if (columnB != null)
            {
                TaskCodec.encode(kindB, columnB, start, count, buffer, offset + length);
            }
        }
    }

    /** map, mapAsync, starmap: results into one array, in input order. */
    static final class ListJob<R> extends PoolJob
    {
        final CompletableFuture<List<R>> future = new CompletableFuture<>();
        private final ResultList<R> results;
        private int remaining;

        ListJob(final int n)
        {
            this.results = new ResultList<>(n);
        }

        @Override
        void chunkDone(final Chunk c, final DirectBuffer buffer, final int offset)
        {
            results.decode(buffer, offset, c.start);
            if (--remaining == 0)
            {
                future.complete(results);
            }
        }

        @Override
        void expect(final int chunks)
        {
            remaining = chunks;
        }

        @Override
        void chunkFailed(final Chunk c, final Throwable failure)
        {
            future.completeExceptionally(failure);
        }

        @Override
        boolean isDone()
        {
            return future.isDone();
        }

        @Override
        void empty()
        {
            future.complete(new ArrayList<>());
        }
    }

    /** apply, applyAsync and executor tasks: one result. */
    static final class SingleJob<R> extends PoolJob
    {
        final CompletableFuture<R> future;
        Object owner;

        SingleJob(final CompletableFuture<R> future)
        {
            this.future = future;
        }

        @Override
        @SuppressWarnings("unchecked")
        void chunkDone(final Chunk c, final DirectBuffer buffer, final int offset)
        {
            final Object[] one = new Object[1];
            TaskCodec.decode(buffer, offset, one, 0);
            future.complete((R)one[0]);
        }

        @Override
        void chunkFailed(final Chunk c, final Throwable failure)
        {
            future.completeExceptionally(failure);
        }

        @Override
        boolean isDone()
        {
            return future.isDone();
        }

        @Override
        Object owner()
        {
            return owner != null ? owner : this;
        }
    }

    /** imap, imapUnordered: results handed to a {@link ResultIterator} chunk by chunk. */
    static final class IterJob extends PoolJob
    {
        private final ResultIterator<?> iterator;

        IterJob(final ResultIterator<?> iterator)
        {
            this.iterator = iterator;
        }

        @Override
        void chunkDone(final Chunk c, final DirectBuffer buffer, final int offset)
        {
            final Object[] values = new Object[c.count];
            TaskCodec.decode(buffer, offset, values, 0);
            iterator.deliver(c.index, values);
        }

        @Override
        void chunkFailed(final Chunk c, final Throwable failure)
        {
            iterator.fail(c.index, c.count, failure);
        }

        @Override
        void abandon(final int firstUnsent, final int chunks, final int chunksize, final int n, final Throwable failure)
        {
            for (int i = firstUnsent; i < chunks; i++)
            {
                iterator.fail(i, Math.min(chunksize, n - i * chunksize), failure);
            }
        }

        @Override
        boolean isDone()
        {
            return false;
        }
    }
}

package io.mp4j.queue;

import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The memory-mapped implementation of {@link JoinableQueue}.
 */
final class MappedJoinableQueue<T> extends MappedQueue<T> implements JoinableQueue<T>
{
    private static final long serialVersionUID = 1L;

    private MappedJoinableQueue(final MappedRegion region, final ObjectCodec codec)
    {
        super(region, QueueDescriptor.KIND_JOINABLE, codec);
    }

    static <T> MappedJoinableQueue<T> create()
    {
        return create(RuntimeDirectory.global(), generatedName("joinable-queue"));
    }

    static <T> MappedJoinableQueue<T> create(final RuntimeDirectory dir, final String name)
    {
        return create(dir, name, DEFAULT_CAPACITY, null);
    }

    static <T> MappedJoinableQueue<T> create(final RuntimeDirectory dir, final String name, final int capacity, final ObjectCodec codec)
    {
        return new MappedJoinableQueue<>(createRegion(dir.resolve(name), QueueDescriptor.KIND_JOINABLE, capacity), codec);
    }

    static <T> MappedJoinableQueue<T> attach(final Path file)
    {
        return attach(file, null);
    }

    static <T> MappedJoinableQueue<T> attach(final Path file, final ObjectCodec codec)
    {
        return new MappedJoinableQueue<>(attachRegion(file, QueueDescriptor.KIND_JOINABLE), codec);
    }

    @Override
    public void taskDone()
    {
        ensureOpen();
        while (true)
        {
            final long unfinished = state().getLongVolatile(QueueDescriptor.UNFINISHED_TASKS_OFFSET);
            if (unfinished <= 0)
            {
                throw new IllegalStateException("taskDone() called more times than there were items put in " + this);
            }
            if (state().compareAndSetLong(QueueDescriptor.UNFINISHED_TASKS_OFFSET, unfinished, unfinished - 1))
            {
                return;
            }
        }
    }

    @Override
    public long unfinishedTasks()
    {
        ensureOpen();
        return state().getLongVolatile(QueueDescriptor.UNFINISHED_TASKS_OFFSET);
    }

    @Override
    public void join() throws InterruptedException
    {
        awaitDone(Long.MAX_VALUE);
    }

    @Override
    public boolean join(final Duration timeout) throws InterruptedException
    {
        return awaitDone(Math.max(0, IdleStrategies.toNanos(timeout)));
    }

    private boolean awaitDone(final long timeoutNs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        final IdleStrategy idle = Idle.current();
        enterWait();
        try
        {
            while (unfinishedTasks() > 0)
            {
                if (timeoutNs != Long.MAX_VALUE && System.nanoTime() - deadline >= 0)
                {
                    return false;
                }
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                idle.idle();
            }
            return true;
        }
        finally
        {
            exitWait();
        }
    }
}

package io.mp4j.queue;

import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Python's {@code multiprocessing.JoinableQueue}: a {@link Queue} that also counts unfinished tasks,
 * in the mapped file, so that {@link #join()} in one process waits until consumers in other processes
 * have called {@link #taskDone()} for every element ever put.
 *
 * <p>The count goes up by one for each successful put (before the element becomes visible) and down
 * by one for each {@link #taskDone()}. A producer killed in the middle of a put can leave the count one
 * too high; {@link #join(Duration)} then times out rather than hanging.
 *
 * <p>Example:
 * <pre>{@code
 * JoinableQueue<Integer> tasks = JoinableQueue.create(dir, "tasks");
 * for (int i = 0; i < 100; i++) tasks.put(i);
 * // workers in other JVMs: while (true) { Integer t = q.get(); work(t); q.taskDone(); }
 * tasks.join();                     // returns once all 100 are done
 * }</pre>
 *
 * @param <T> the type of the elements.
 */
public final class JoinableQueue<T> extends Queue<T>
{
    private static final long serialVersionUID = 1L;

    private JoinableQueue(final MappedRegion region, final ObjectCodec codec)
    {
        super(region, QueueDescriptor.KIND_JOINABLE, codec);
    }

    /**
     * @param <T> the element type.
     * @return a new joinable queue of {@link #DEFAULT_CAPACITY} in the JVM's default runtime directory.
     */
    public static <T> JoinableQueue<T> create()
    {
        return create(RuntimeDirectory.global(), generatedName("joinable-queue"));
    }

    /**
     * @param dir  the runtime directory that owns the file.
     * @param name the file name in it.
     * @param <T>  the element type.
     * @return a new joinable queue of {@link #DEFAULT_CAPACITY} bytes.
     */
    public static <T> JoinableQueue<T> create(final RuntimeDirectory dir, final String name)
    {
        return create(dir, name, DEFAULT_CAPACITY, null);
    }

    /**
     * @param dir      the runtime directory that owns the file.
     * @param name     the file name in it.
     * @param capacity ring capacity in bytes, a power of two.
     * @param codec    the object codec, or null for the default.
     * @param <T>      the element type.
     * @return a new joinable queue.
     */
    public static <T> JoinableQueue<T> create(final RuntimeDirectory dir, final String name, final int capacity, final ObjectCodec codec)
    {
        return new JoinableQueue<>(createRegion(dir.resolve(name), QueueDescriptor.KIND_JOINABLE, capacity), codec);
    }

    /**
     * @param file the joinable queue's file.
     * @param <T>  the element type.
     * @return the attached queue.
     * @throws io.mp4j.shm.InvalidRegionException if it is not a joinable queue.
     */
    public static <T> JoinableQueue<T> attach(final Path file)
    {
        return attach(file, null);
    }

    /**
     * @param file  the joinable queue's file.
     * @param codec the object codec, or null for the default.
     * @param <T>   the element type.
     * @return the attached queue.
     */
    public static <T> JoinableQueue<T> attach(final Path file, final ObjectCodec codec)
    {
        return new JoinableQueue<>(attachRegion(file, QueueDescriptor.KIND_JOINABLE), codec);
    }

    /**
     * Tell the queue that a task taken with {@code get} is complete (Python's {@code task_done}).
     *
     * @throws IllegalStateException if called more times than there were elements put (Python's
     *                               {@code ValueError}).
     */
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

    /**
     * @return the number of elements put but not yet marked done with {@link #taskDone()}.
     */
    public long unfinishedTasks()
    {
        ensureOpen();
        return state().getLongVolatile(QueueDescriptor.UNFINISHED_TASKS_OFFSET);
    }

    /**
     * Wait until every element put has been marked done, in any process.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void join() throws InterruptedException
    {
        awaitDone(Long.MAX_VALUE);
    }

    /**
     * Wait at most {@code timeout} until every element put has been marked done.
     *
     * @param timeout how long to wait.
     * @return whether all tasks are done.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean join(final Duration timeout) throws InterruptedException
    {
        return awaitDone(Math.max(0, timeout.toNanos()));
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

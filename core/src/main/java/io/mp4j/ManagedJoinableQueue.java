package io.mp4j;

import io.mp4j.queue.JoinableQueue;

import java.time.Duration;

/**
 * The client side of {@link Manager#joinableQueue(int)}: Python's {@code manager.JoinableQueue(maxsize)}
 * through the {@link JoinableQueue} interface; a {@link ManagedQueue} whose server-side queue also counts
 * unfinished tasks. A consumer that dies after taking an element and before {@link #taskDone()} leaves the
 * count one too high, as in Python: give {@link #join(Duration)} a timeout where that can happen.
 *
 * @param <T> the element type.
 */
final class ManagedJoinableQueue<T> extends ManagedQueue<T> implements JoinableQueue<T>
{
    private static final long serialVersionUID = 1L;

    ManagedJoinableQueue(final ManagerHosted.JoinableQueueWire<T> remote, final int capacity)
    {
        super(remote, capacity);
    }

    private ManagerHosted.JoinableQueueWire<T> joinable()
    {
        return (ManagerHosted.JoinableQueueWire<T>)open();
    }

    @Override
    public void taskDone()
    {
        joinable().taskDone();
    }

    @Override
    public long unfinishedTasks()
    {
        return joinable().unfinishedTasks();
    }

    @Override
    public void join() throws InterruptedException
    {
        join(null);
    }

    @Override
    public boolean join(final Duration timeout) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return joinable().join(ManagerHosted.nanos(timeout));
    }
}

package io.mp4j.cluster;

import io.mp4j.queue.EmptyException;
import io.mp4j.queue.FullException;
import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.Queue;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.IgniteQueue;

import java.io.ObjectStreamException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Queue} (and, made joinable, a {@link JoinableQueue}) on Ignite's {@code IgniteQueue}: many
 * producers and consumers on any members or clients, each element to exactly one consumer, FIFO. Unbounded
 * in elements (Ignite's queues are bounded in count, not bytes): {@link #full()} is always false and
 * {@link #capacity()} is {@link Integer#MAX_VALUE}. Elements are stored by Ignite's binary marshaller, so
 * their classes need not be on the members' class path unless a member reads them.
 *
 * <p>{@link #qsize()} is exact at the moment Ignite reads the queue's head and tail, which is more than
 * the mapped queue promises. {@link #putBytes} and {@link #offerBytes} copy the bytes into a
 * {@code byte[]} element; {@link #readBytes} takes a {@code byte[]} element and hands it over in a buffer.
 *
 * <p>Joinable: the count of unfinished tasks is an Ignite atomic long incremented by every put, before the
 * item is visible (and decremented again if the put fails), and decremented by {@link #taskDone()}; {@link #join()} polls it with back-off.
 *
 * <p>An interrupt of a thread waiting in {@code put}, {@code get}, the timed {@code offer} and {@code poll}
 * or {@code join} throws {@link InterruptedException} with the interrupt status cleared, as
 * {@code java.util.concurrent} does (also one that lands in a round trip to the cluster, which Ignite reports unchecked).
 */
public class ClusterQueue<T> implements Queue<T>
{
    private static final long serialVersionUID = 1L;

    final String name;
    private final transient IgniteQueue<Object> queue;
    private final transient IgniteAtomicLong unfinished;
    private transient volatile boolean closed;

    ClusterQueue(final String name, final IgniteQueue<Object> queue, final IgniteAtomicLong unfinished)
    {
        this.name = name;
        this.queue = queue;
        this.unfinished = unfinished;
    }

    /**
     * The joinable kind.
     *
     * @param <T> the element type.
     */
    static final class Joinable<T> extends ClusterQueue<T> implements JoinableQueue<T>
    {
        private static final long serialVersionUID = 1L;

        Joinable(final String name, final IgniteQueue<Object> queue, final IgniteAtomicLong unfinished)
        {
            super(name, queue, unfinished);
        }

        @Override
        Joinable<T> another()
        {
            return new Joinable<>(name, queue(), unfinished());
        }
    }

    /** @return a new instance of the same cluster queue, open, closed independently of this one. */
    ClusterQueue<T> another()
    {
        return new ClusterQueue<>(name, queue, unfinished);
    }

    IgniteQueue<Object> queue()
    {
        return queue;
    }

    IgniteAtomicLong unfinished()
    {
        return unfinished;
    }

    private void open()
    {
        if (closed)
        {
            throw new IllegalStateException("closed: " + this);
        }
    }

    /**
     * Count the item as unfinished before it is put: once visible it may be taken and marked done at once,
     * and counted after, that {@code taskDone()} would find nothing to finish.
     */
    private void accepting()
    {
        if (unfinished != null)
        {
            unfinished.incrementAndGet();
        }
    }

    /** The put did not happen: uncount the item. */
    private void refused()
    {
        if (unfinished != null)
        {
            unfinished.decrementAndGet();
        }
    }

    /** Put, counting the item first (joinable) and uncounting it if the put fails. */
    private void putCounted(final Object item) throws InterruptedException
    {
        interrupted();
        accepting();
        boolean added = false;
        try
        {
            queue.put(item);
            added = true;
        }
        catch (final RuntimeException ex)
        {
            throw IgniteInterrupts.interrupted(ex, "interrupted: " + this);
        }
        finally
        {
            if (!added)
            {
                refused();
            }
        }
    }

    private boolean offerCounted(final Object item)
    {
        accepting();
        boolean added = false;
        try
        {
            added = queue.offer(item);
            return added;
        }
        finally
        {
            if (!added)
            {
                refused();
            }
        }
    }

    private static Object checked(final Object item)
    {
        if (item == null)
        {
            throw new IllegalArgumentException("a queue cannot hold null");
        }
        return item;
    }

    @Override
    public void put(final T item) throws InterruptedException
    {
        open();
        putCounted(checked(item));
    }

    @Override
    public void put(final T item, final Duration timeout) throws InterruptedException
    {
        if (!offer(item, io.mp4j.shm.IdleStrategies.toNanos(timeout), TimeUnit.NANOSECONDS))
        {
            throw new FullException("queue full: " + this);
        }
    }

    @Override
    public void putNowait(final T item)
    {
        if (!offer(item))
        {
            throw new FullException("queue full: " + this);
        }
    }

    @Override
    public boolean offer(final T item)
    {
        open();
        return offerCounted(checked(item));
    }

    @Override
    public boolean offer(final T item, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        open();
        final Object checked = checked(item);
        interrupted();
        accepting();
        boolean added = false;
        try
        {
            added = queue.offer(checked, Math.max(0, timeout), unit);
            return added;
        }
        catch (final RuntimeException ex)
        {
            throw IgniteInterrupts.interrupted(ex, "interrupted: " + this);
        }
        finally
        {
            if (!added)
            {
                refused();
            }
        }
    }

    @Override
    public void putBytes(final DirectBuffer src, final int offset, final int length) throws InterruptedException
    {
        open();
        final byte[] bytes = new byte[length];
        src.getBytes(offset, bytes);
        putCounted(bytes);
    }

    @Override
    public boolean offerBytes(final DirectBuffer src, final int offset, final int length)
    {
        open();
        final byte[] bytes = new byte[length];
        src.getBytes(offset, bytes);
        return offerCounted(bytes);
    }

    @SuppressWarnings("unchecked")
    @Override
    public T get() throws InterruptedException
    {
        open();
        interrupted();
        try
        {
            return (T)queue.take();
        }
        catch (final RuntimeException ex)
        {
            throw IgniteInterrupts.interrupted(ex, "interrupted: " + this);
        }
    }

    @Override
    public T get(final Duration timeout) throws InterruptedException
    {
        final T item = poll(io.mp4j.shm.IdleStrategies.toNanos(timeout), TimeUnit.NANOSECONDS);
        if (item == null)
        {
            throw new EmptyException("queue empty after " + timeout + ": " + this);
        }
        return item;
    }

    @SuppressWarnings("unchecked")
    @Override
    public T poll()
    {
        open();
        return (T)queue.poll();
    }

    @SuppressWarnings("unchecked")
    @Override
    public T poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        open();
        interrupted();
        try
        {
            return (T)queue.poll(Math.max(0, timeout), unit);
        }
        catch (final RuntimeException ex)
        {
            throw IgniteInterrupts.interrupted(ex, "interrupted: " + this);
        }
    }

    @Override
    public T getNowait()
    {
        final T item = poll();
        if (item == null)
        {
            throw new EmptyException("queue empty: " + this);
        }
        return item;
    }

    @Override
    public boolean readBytes(final BytesHandler handler)
    {
        open();
        final Object item = queue.poll();
        if (item == null)
        {
            return false;
        }
        if (!(item instanceof byte[]))
        {
            throw new IllegalStateException("readBytes took a " + item.getClass().getName() + ", not bytes put by putBytes: " + this);
        }
        final byte[] bytes = (byte[])item;
        handler.onBytes(new UnsafeBuffer(bytes), 0, bytes.length);
        return true;
    }

    @Override
    public int qsize()
    {
        open();
        return queue.size();
    }

    @Override
    public boolean empty()
    {
        open();
        return queue.isEmpty();
    }

    @Override
    public boolean full()
    {
        return false;
    }

    @Override
    public int remainingCapacity()
    {
        return Integer.MAX_VALUE;
    }

    @Override
    public int capacity()
    {
        return Integer.MAX_VALUE;
    }

    /**
     * @return {@link Integer#MAX_VALUE}: Ignite bounds an element only by memory.
     */
    @Override
    public int maxMessageLength()
    {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Close this instance: its calls throw {@link IllegalStateException} from now on. Other instances of the
     * queue, in this JVM too ({@link ClusterBackend#queue} gives a new one each time), stay open, and the
     * queue and its elements live on in the cluster. A thread already waiting in this instance's
     * {@code get} or {@code put} is not woken: it returns when an item comes or it is interrupted.
     */
    @Override
    public void close()
    {
        closed = true;
    }

    /**
     * Python's {@code task_done} (joinable queues only).
     */
    public void taskDone()
    {
        open();
        if (unfinished.decrementAndGet() < 0)
        {
            unfinished.incrementAndGet();
            throw new IllegalStateException("taskDone() called more times than there were items put: " + this);
        }
    }

    /**
     * @return the tasks put and not yet done (joinable queues only).
     */
    public long unfinishedTasks()
    {
        open();
        return unfinished.get();
    }

    /**
     * Wait until every task put has been marked done (joinable queues only).
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void join() throws InterruptedException
    {
        join(null);
    }

    /**
     * @param timeout how long at most, or null for no bound.
     * @return whether every task was done in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean join(final Duration timeout) throws InterruptedException
    {
        open();
        final long deadline = timeout == null ? Long.MAX_VALUE : ClusterLockBase.deadline(timeout);
        IdleStrategy idle = null;
        try
        {
            while (unfinished.get() > 0)
            {
                interrupted();
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0)
                {
                    return false;
                }
                if (idle == null)
                {
                    idle = OwnerWord.idle();
                }
                idle.idle();
            }
            return true;
        }
        catch (final RuntimeException ex)
        {
            throw IgniteInterrupts.interrupted(ex, "interrupted: " + this);
        }
    }

    private void interrupted() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted: " + this);
        }
    }

    private Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(unfinished == null ? ClusterHandle.Kind.QUEUE : ClusterHandle.Kind.JOINABLE_QUEUE, name, null, 0);
    }

    @Override
    public String toString()
    {
        return "cluster " + (unfinished == null ? "queue" : "joinable queue") + " '" + name + "'";
    }
}

package io.mp4j;

import io.mp4j.queue.EmptyException;
import io.mp4j.queue.FullException;
import io.mp4j.queue.Queue;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of {@link Manager#queue(int)}: Python's {@code manager.Queue(maxsize)} through the
 * {@link Queue} interface. The elements live in a {@link java.util.concurrent.LinkedBlockingQueue} in the
 * manager's server and travel by copy; each method is one call. Sizes are counted in elements, not bytes:
 * {@link #capacity()} is the {@code maxsize} ({@link Integer#MAX_VALUE} for an unbounded queue) and
 * {@link #remainingCapacity()} the elements that still fit. The byte methods copy:
 * {@link #putBytes}/{@link #offerBytes} put a {@code byte[]} copy of the bytes, and {@link #readBytes}
 * takes the head and hands a {@code byte[]} or {@link ByteBuffer} element to the handler (any other
 * element is consumed and refused with an {@link IllegalArgumentException} naming its class).
 * {@link #close()} closes this handle only: its later calls throw {@link IllegalStateException}; the queue
 * lives in the manager until {@link Manager#release} or shutdown. Serializable: passed to a {@link Process}
 * or a pool task it travels as its proxy does and works in the child.
 *
 * @param <T> the element type.
 */
class ManagedQueue<T> extends ManagerAdapter<BlockingQueue<T>> implements Queue<T>
{
    private static final long serialVersionUID = 1L;

    private final int capacity;
    private volatile boolean closed;

    ManagedQueue(final BlockingQueue<T> remote, final int capacity)
    {
        super(remote);
        this.capacity = capacity;
    }

    BlockingQueue<T> open()
    {
        if (closed)
        {
            throw new IllegalStateException("this handle of " + remote + " is closed");
        }
        return remote;
    }

    private static void checkInterrupt() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
    }

    @Override
    public void put(final T item) throws InterruptedException
    {
        Objects.requireNonNull(item, "a queue holds no null elements");
        checkInterrupt();
        open().put(item);
    }

    @Override
    public void put(final T item, final Duration timeout) throws InterruptedException
    {
        if (!offer(item, ManagerHosted.nanos(timeout), TimeUnit.NANOSECONDS))
        {
            throw new FullException("the manager queue stayed full for " + timeout);
        }
    }

    @Override
    public void putNowait(final T item)
    {
        if (!offer(item))
        {
            throw new FullException("the manager queue is full (capacity " + capacity + ")");
        }
    }

    @Override
    public boolean offer(final T item)
    {
        Objects.requireNonNull(item, "a queue holds no null elements");
        return open().offer(item);
    }

    @Override
    public boolean offer(final T item, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(item, "a queue holds no null elements");
        checkInterrupt();
        return open().offer(item, timeout, unit);
    }

    private static byte[] copy(final DirectBuffer src, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        src.getBytes(offset, bytes);
        return bytes;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void putBytes(final DirectBuffer src, final int offset, final int length) throws InterruptedException
    {
        put((T)copy(src, offset, length));
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean offerBytes(final DirectBuffer src, final int offset, final int length)
    {
        return offer((T)copy(src, offset, length));
    }

    @Override
    public T get() throws InterruptedException
    {
        checkInterrupt();
        return open().take();
    }

    @Override
    public T get(final Duration timeout) throws InterruptedException
    {
        final T item = poll(ManagerHosted.nanos(timeout), TimeUnit.NANOSECONDS);
        if (item == null)
        {
            throw new EmptyException("the manager queue stayed empty for " + timeout);
        }
        return item;
    }

    @Override
    public T poll()
    {
        return open().poll();
    }

    @Override
    public T poll(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        checkInterrupt();
        return open().poll(timeout, unit);
    }

    @Override
    public T getNowait()
    {
        final T item = poll();
        if (item == null)
        {
            throw new EmptyException("the manager queue is empty");
        }
        return item;
    }

    @Override
    public boolean readBytes(final BytesHandler handler)
    {
        final T item = poll();
        if (item == null)
        {
            return false;
        }
        if (item instanceof byte[])
        {
            final byte[] bytes = (byte[])item;
            handler.onBytes(new UnsafeBuffer(bytes), 0, bytes.length);
        }
        else if (item instanceof ByteBuffer)
        {
            final ByteBuffer bytes = (ByteBuffer)item;
            handler.onBytes(new UnsafeBuffer(bytes), bytes.position(), bytes.remaining());
        }
        else
        {
            throw new IllegalArgumentException("readBytes took a " + item.getClass().getName() +
                " from the manager queue, which has no bytes to hand over (it is consumed)");
        }
        return true;
    }

    @Override
    public int qsize()
    {
        return open().size();
    }

    @Override
    public boolean empty()
    {
        return open().isEmpty();
    }

    @Override
    public boolean full()
    {
        return open().remainingCapacity() == 0;
    }

    @Override
    public int remainingCapacity()
    {
        return open().remainingCapacity();
    }

    @Override
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return the longest frame a manager call carries; an element's encoding must fit in it with the call.
     */
    @Override
    public int maxMessageLength()
    {
        return ManagerWire.MAX_FRAME;
    }

    @Override
    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        closed = true;
    }

    @Override
    public String toString()
    {
        return "ManagerQueue" + remote;
    }
}

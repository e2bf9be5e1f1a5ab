package io.mp4j.cluster;

import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.IgniteCache;

import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * Python's {@code manager.list()} on a cluster: elements in an Ignite cache keyed by index, the length in an
 * Ignite atomic long, every operation under the list's own {@link ClusterLock} (so a reader never sees a
 * half-done insert). {@code get}, {@code set} and {@code add} at the end cost a few round trips; inserting or
 * removing in the middle moves every later element (one round trip each). Iteration is by index, each
 * element read under the lock, as on a {@code Vector}.
 *
 * @param <E> the element type.
 */
public final class ClusterList<E> extends AbstractList<E> implements RandomAccess, Serializable
{
    private static final long serialVersionUID = 1L;

    private final String name;
    private final transient IgniteCache<Integer, E> cache;
    private final transient IgniteAtomicLong length;
    private final transient ClusterLock lock;

    ClusterList(final String name, final IgniteCache<Integer, E> cache, final IgniteAtomicLong length, final ClusterLock lock)
    {
        this.name = name;
        this.cache = cache;
        this.length = length;
        this.lock = lock;
    }

    private void check(final int index, final int size)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index=" + index + ", length=" + size + ": cluster list '" + name + "'");
        }
    }

    @Override
    public E get(final int index)
    {
        lock.lock();
        try
        {
            check(index, (int)length.get());
            return cache.get(index);
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public int size()
    {
        return (int)length.get();
    }

    @Override
    public E set(final int index, final E element)
    {
        if (element == null)
        {
            throw new NullPointerException("a cluster list holds no null");
        }
        lock.lock();
        try
        {
            check(index, (int)length.get());
            return cache.getAndPut(index, element);
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public boolean add(final E element)
    {
        if (element == null)
        {
            throw new NullPointerException("a cluster list holds no null");
        }
        lock.lock();
        try
        {
            final int size = (int)length.get();
            cache.put(size, element);
            length.getAndSet(size + 1L);
            modCount++;
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public void add(final int index, final E element)
    {
        if (element == null)
        {
            throw new NullPointerException("a cluster list holds no null");
        }
        lock.lock();
        try
        {
            final int size = (int)length.get();
            if (index < 0 || index > size)
            {
                throw new IndexOutOfBoundsException("index=" + index + ", length=" + size + ": cluster list '" + name + "'");
            }
            for (int i = size; i > index; i--)
            {
                cache.put(i, cache.get(i - 1));
            }
            cache.put(index, element);
            length.getAndSet(size + 1L);
            modCount++;
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public E remove(final int index)
    {
        lock.lock();
        try
        {
            final int size = (int)length.get();
            check(index, size);
            final E removed = cache.get(index);
            for (int i = index; i < size - 1; i++)
            {
                cache.put(i, cache.get(i + 1));
            }
            cache.remove(size - 1);
            length.getAndSet(size - 1L);
            modCount++;
            return removed;
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public void clear()
    {
        lock.lock();
        try
        {
            cache.removeAll();
            length.getAndSet(0);
            modCount++;
        }
        finally
        {
            lock.unlock();
        }
    }

    private Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(ClusterHandle.Kind.LIST, name, null, 0);
    }
}

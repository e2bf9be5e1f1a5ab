package io.mp4j.cluster;

import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.IgniteCache;

import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Python's {@code manager.list()} on a cluster: elements in an Ignite cache keyed by index, the length in an
 * Ignite atomic long, every operation under the list's own {@link ClusterLock} (so a reader never sees a
 * half-done insert). {@code get}, {@code set} and {@code add} at the end cost a few round trips; inserting or
 * removing in the middle moves every later element, in a constant number of round trips (one read of them
 * all, one write). Iteration is by index, each element read under the lock, as on a {@code Vector}.
 *
 * <p><b>A holder that dies</b> (its JVM killed, its host lost) leaves the lock to the next user, who takes it
 * over ({@link ClusterLock}). Every change keeps the list whole at every step for that user:
 * <ul>
 * <li>{@code add} at the end writes the element past the end before the length; {@code clear} and removing the
 *     last element lower the length before removing entries: a death between leaves an entry past the end,
 *     which nothing reads and the next {@code add} overwrites.</li>
 * <li>Inserting or removing in the middle first writes its whole outcome, a {@link Shift} (the entries to
 *     write, the new length, the entry to drop), to the cache under the key {@link #SHIFT} (-1, no index),
 *     then applies it and deletes it. The user who takes the lock over from a dead holder applies a
 *     {@code Shift} it finds there again (applying one twice gives the same list) before anything else, so
 *     the list is either as before the change or as after it.</li>
 * </ul>
 * A holder that is dropped from the cluster but still runs (a client reconnecting after a long pause) keeps
 * writing while the next holder recovers: a cluster lock's limit, see docs/cluster.md "Faults".
 *
 * @param <E> the element type.
 */
public final class ClusterList<E> extends AbstractList<E> implements RandomAccess, Serializable
{
    private static final long serialVersionUID = 1L;

    /** The cache key of the change under way, if any: no index is negative. */
    static final int SHIFT = -1;

    private final String name;
    /** Elements by index, and the {@link Shift} under way at {@link #SHIFT}. */
    private final transient IgniteCache<Integer, Object> cache;
    private final transient IgniteAtomicLong length;
    private final transient ClusterLock lock;

    ClusterList(final String name, final IgniteCache<Integer, Object> cache, final IgniteAtomicLong length, final ClusterLock lock)
    {
        this.name = name;
        this.cache = cache;
        this.length = length;
        this.lock = lock;
    }

    /**
     * A move of elements, written to the cache before it is applied, so that whoever takes the lock over from
     * a holder that died in it can apply it again. Applying it is idempotent: it writes absolute values.
     */
    static final class Shift implements Serializable
    {
        private static final long serialVersionUID = 1L;

        /** The entries to write, by index (sorted: Ignite's putAll wants a stable key order). */
        final TreeMap<Integer, Object> writes;
        /** The length after the move. */
        final long newLength;
        /** An index to drop once the length is lowered past it, or -1. */
        final int drop;

        Shift(final TreeMap<Integer, Object> writes, final long newLength, final int drop)
        {
            this.writes = writes;
            this.newLength = newLength;
            this.drop = drop;
        }
    }

    /** Take the lock; if its holder died, first finish the move it left (see the class comment). */
    private void enter()
    {
        lock.lock();
        if (lock.previousOwnerDied())
        {
            try
            {
                final Object left = cache.get(SHIFT);
                if (left instanceof Shift)
                {
                    apply((Shift)left);
                }
            }
            catch (final RuntimeException | Error ex)
            {
                lock.unlock();
                throw ex;
            }
        }
    }

    private void apply(final Shift shift)
    {
        cache.putAll(shift.writes);
        length.getAndSet(shift.newLength);
        if (shift.drop >= 0)
        {
            cache.remove(shift.drop);
        }
        cache.remove(SHIFT);
    }

    /** Write the move, then apply it: a death at any point leaves it for the next holder to apply. */
    private void shift(final Shift shift)
    {
        cache.put(SHIFT, shift);
        apply(shift);
        modCount++;
    }

    @SuppressWarnings("unchecked")
    private E element(final int index)
    {
        return (E)cache.get(index);
    }

    /** The elements at {@code from} (inclusive) to {@code to} (exclusive), in one round trip. */
    private Map<Integer, Object> range(final int from, final int to)
    {
        final Set<Integer> keys = new TreeSet<>();
        for (int i = from; i < to; i++)
        {
            keys.add(i);
        }
        return cache.getAll(keys);
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
        enter();
        try
        {
            check(index, (int)length.get());
            return element(index);
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
        enter();
        try
        {
            check(index, (int)length.get());
            @SuppressWarnings("unchecked")
            final E previous = (E)cache.getAndPut(index, element);
            return previous;
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
        enter();
        try
        {
            final int size = (int)length.get();
            cache.put(size, element);   // past the end first: a death here leaves the list as it was
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
        enter();
        try
        {
            final int size = (int)length.get();
            if (index < 0 || index > size)
            {
                throw new IndexOutOfBoundsException("index=" + index + ", length=" + size + ": cluster list '" + name + "'");
            }
            final TreeMap<Integer, Object> writes = new TreeMap<>();
            range(index, size).forEach((i, e) -> writes.put(i + 1, e));
            writes.put(index, element);
            shift(new Shift(writes, size + 1L, -1));
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public E remove(final int index)
    {
        enter();
        try
        {
            final int size = (int)length.get();
            check(index, size);
            final E removed = element(index);
            if (index == size - 1)
            {
                length.getAndSet(size - 1L);   // the length first: a death before the remove leaves an unread entry
                cache.remove(size - 1);
                modCount++;
                return removed;
            }
            final TreeMap<Integer, Object> writes = new TreeMap<>();
            range(index + 1, size).forEach((i, e) -> writes.put(i - 1, e));
            shift(new Shift(writes, size - 1L, size - 1));
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
        enter();
        try
        {
            length.getAndSet(0);   // the length first: a death before the entries are gone leaves them unread
            cache.removeAll();
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

package io.mp4j.cluster;

import org.apache.ignite.IgniteCache;

import javax.cache.Cache;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * Python's {@code manager.dict()} on a cluster: an Ignite cache (partitioned, atomic, with the configured
 * backups) seen as a {@link ConcurrentMap}. Every single-key operation is one atomic round trip to the key's
 * primary member; iteration walks the cache and is weakly consistent (as a {@code ConcurrentHashMap}'s);
 * {@code size()} is exact when nothing changes meanwhile. Keys and values are stored by Ignite's binary
 * marshaller; null keys and values are refused.
 *
 * @param <K> the key type.
 * @param <V> the value type.
 */
public final class ClusterDict<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Serializable
{
    private static final long serialVersionUID = 1L;

    private final String name;
    private final transient IgniteCache<K, V> cache;

    ClusterDict(final String name, final IgniteCache<K, V> cache)
    {
        this.name = name;
        this.cache = cache;
    }

    private static <T> T nonNull(final T value, final String what)
    {
        if (value == null)
        {
            throw new NullPointerException("a cluster dict holds no null " + what);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    @Override
    public V get(final Object key)
    {
        return key == null ? null : cache.get((K)key);
    }

    @SuppressWarnings("unchecked")
    @Override
    public boolean containsKey(final Object key)
    {
        return key != null && cache.containsKey((K)key);
    }

    @Override
    public V put(final K key, final V value)
    {
        return cache.getAndPut(nonNull(key, "key"), nonNull(value, "value"));
    }

    @SuppressWarnings("unchecked")
    @Override
    public V remove(final Object key)
    {
        return key == null ? null : cache.getAndRemove((K)key);
    }

    @Override
    public void putAll(final Map<? extends K, ? extends V> m)
    {
        cache.putAll(m);
    }

    @Override
    public void clear()
    {
        cache.removeAll();
    }

    @Override
    public int size()
    {
        return cache.size();
    }

    @Override
    public V putIfAbsent(final K key, final V value)
    {
        return cache.getAndPutIfAbsent(nonNull(key, "key"), nonNull(value, "value"));
    }

    @SuppressWarnings("unchecked")
    @Override
    public boolean remove(final Object key, final Object value)
    {
        return key != null && value != null && cache.remove((K)key, (V)value);
    }

    @Override
    public boolean replace(final K key, final V oldValue, final V newValue)
    {
        return cache.replace(nonNull(key, "key"), nonNull(oldValue, "value"), nonNull(newValue, "value"));
    }

    @Override
    public V replace(final K key, final V value)
    {
        return cache.getAndReplace(nonNull(key, "key"), nonNull(value, "value"));
    }

    @Override
    public Set<Entry<K, V>> entrySet()
    {
        return new AbstractSet<>()
        {
            @Override
            public Iterator<Entry<K, V>> iterator()
            {
                final Iterator<Cache.Entry<K, V>> it = cache.iterator();
                return new Iterator<>()
                {
                    private K last;

                    @Override
                    public boolean hasNext()
                    {
                        return it.hasNext();
                    }

                    @Override
                    public Entry<K, V> next()
                    {
                        final Cache.Entry<K, V> e = it.next();
                        last = e.getKey();
                        return new SimpleImmutableEntry<>(e.getKey(), e.getValue());
                    }

                    @Override
                    public void remove()
                    {
                        if (last == null)
                        {
                            throw new IllegalStateException("next() first");
                        }
                        cache.remove(last);
                        last = null;
                    }
                };
            }

            @Override
            public int size()
            {
                return cache.size();
            }
        };
    }

    private Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(ClusterHandle.Kind.DICT, name, null, 0);
    }
}

package io.mp4j;

import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Condition;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Value;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The default {@link Backend}: objects are files in the context's runtime directory, created by the first
 * caller and attached by the others ({@link RuntimeDirectory#openNamed} gives independent programs one
 * directory). Dicts and lists live in a {@link Manager} this backend starts on first use; they are named
 * within this process, and other processes reach them through the proxies passed to them.
 */
final class MappedBackend implements Backend
{
    private final Context context;
    private final Map<String, Object> managed = new ConcurrentHashMap<>();
    private Manager manager;

    MappedBackend(final Context context)
    {
        this.context = context;
    }

    @Override
    public String name()
    {
        return "mapped";
    }

    @Override
    public Value value(final String name, final ElementType type, final Object initial)
    {
        final Value value = open(() -> Value.create(dir(), name, type, initial), () -> Value.attach(dir(), name));
        if (value.type() != type)
        {
            value.close();
            throw new IllegalStateException(name + " exists as a " + value.type() + " value, asked for " + type);
        }
        return value;
    }

    @Override
    public Array array(final String name, final ElementType type, final int length)
    {
        final Array array = open(() -> Array.create(dir(), name, type, length), () -> Array.attach(dir(), name));
        if (array.type() != type || array.length() != length)
        {
            array.close();
            throw new IllegalStateException(name + " exists as a " + array.type() + " array of " + array.length() +
                ", asked for " + type + " of " + length);
        }
        return array;
    }

    @Override
    public Lock lock(final String name)
    {
        return open(() -> Lock.create(dir(), name), () -> Lock.attach(dir(), name));
    }

    @Override
    public RLock rlock(final String name)
    {
        return open(() -> RLock.create(dir(), name), () -> RLock.attach(dir(), name));
    }

    @Override
    public Semaphore semaphore(final String name, final int permits)
    {
        return open(() -> Semaphore.create(dir(), name, permits), () -> Semaphore.attach(dir(), name));
    }

    @Override
    public BoundedSemaphore boundedSemaphore(final String name, final int permits)
    {
        return open(
            () -> BoundedSemaphore.create(dir(), name, permits),
            () ->
            {
                final Semaphore attached = Semaphore.attach(dir(), name);
                if (!(attached instanceof BoundedSemaphore))
                {
                    attached.close();
                    throw new IllegalStateException(name + " is a Semaphore, not a BoundedSemaphore");
                }
                return (BoundedSemaphore)attached;
            });
    }

    @Override
    public Event event(final String name)
    {
        return open(() -> Event.create(dir(), name), () -> Event.attach(dir(), name));
    }

    @Override
    public Condition condition(final String name)
    {
        return open(() -> Condition.create(dir(), name), () -> Condition.attach(dir(), name));
    }

    @Override
    public Barrier barrier(final String name, final int parties)
    {
        final Barrier barrier = open(() -> Barrier.create(dir(), name, parties), () -> Barrier.attach(dir(), name));
        if (barrier.parties() != parties)
        {
            barrier.close();
            throw new IllegalStateException(name + " exists as a barrier of " + barrier.parties() + " parties, asked for " + parties);
        }
        return barrier;
    }

    @Override
    public <T> Queue<T> queue(final String name)
    {
        return open(() -> Queue.create(dir(), name), () -> Queue.attach(dir().resolve(name)));
    }

    @Override
    public <T> JoinableQueue<T> joinableQueue(final String name)
    {
        return open(() -> JoinableQueue.create(dir(), name), () -> JoinableQueue.attach(dir().resolve(name)));
    }

    @Override
    public Pool pool(final int processes)
    {
        return Pool.builder().processes(processes).context(context).build();
    }

    @Override
    public ProcessPoolExecutor executor(final int workers)
    {
        return ProcessPoolExecutor.create(Pool.builder().processes(workers).context(context));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> Map<K, V> dict(final String name)
    {
        return (Map<K, V>)managed("dict:" + name, m -> m.dict());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <E> List<E> list(final String name)
    {
        return (List<E>)managed("list:" + name, m -> m.list());
    }

    @Override
    public void close()
    {
        final Manager m;
        synchronized (this)
        {
            m = manager;
            manager = null;
        }
        managed.clear();
        if (m != null)
        {
            m.close();
        }
    }

    private Object managed(final String key, final Function<Manager, Object> make)
    {
        return managed.computeIfAbsent(key, k -> make.apply(manager()));
    }

    private synchronized Manager manager()
    {
        if (manager == null)
        {
            manager = Manager.builder().context(context).start();
        }
        return manager;
    }

    private RuntimeDirectory dir()
    {
        return context.directory();
    }

    // get-or-create: two processes racing to create both end up with the one object
    private static <T> T open(final Supplier<T> create, final Supplier<T> attach)
    {
        try
        {
            return create.get();
        }
        catch (final IllegalStateException exists)
        {
            return attach.get();
        }
    }
}

package io.mp4j.queue;

import io.mp4j.shm.RuntimeDirectory;

import java.nio.file.Path;

/**
 * The memory-mapped implementation of {@link SimpleQueue}.
 */
final class MappedSimpleQueue<T> implements SimpleQueue<T>
{
    private static final long serialVersionUID = 1L;

    private final transient MappedQueue<T> queue;

    private MappedSimpleQueue(final MappedQueue<T> queue)
    {
        this.queue = queue;
    }

    static <T> MappedSimpleQueue<T> create()
    {
        return create(RuntimeDirectory.global(), MappedQueue.generatedName("simple-queue"));
    }

    static <T> MappedSimpleQueue<T> create(final RuntimeDirectory dir, final String name)
    {
        return create(dir, name, Queue.DEFAULT_CAPACITY, null);
    }

    static <T> MappedSimpleQueue<T> create(final RuntimeDirectory dir, final String name, final int capacity, final ObjectCodec codec)
    {
        return new MappedSimpleQueue<>(new MappedQueue<>(
            MappedQueue.createRegion(dir.resolve(name), QueueDescriptor.KIND_SIMPLE, capacity), QueueDescriptor.KIND_SIMPLE, codec));
    }

    static <T> MappedSimpleQueue<T> attach(final Path file)
    {
        return attach(file, null);
    }

    static <T> MappedSimpleQueue<T> attach(final Path file, final ObjectCodec codec)
    {
        return new MappedSimpleQueue<>(new MappedQueue<>(
            MappedQueue.attachRegion(file, QueueDescriptor.KIND_SIMPLE), QueueDescriptor.KIND_SIMPLE, codec));
    }

    @Override
    public void put(final T item) throws InterruptedException
    {
        queue.put(item);
    }

    @Override
    public T get() throws InterruptedException
    {
        return queue.get();
    }

    @Override
    public boolean empty()
    {
        return queue.empty();
    }

    /**
     * @return the queue's file.
     */
    public Path path()
    {
        return queue.path();
    }

    @Override
    public void close()
    {
        queue.close();
    }

    private Object writeReplace() throws java.io.ObjectStreamException
    {
        return new QueueHandle(QueueDescriptor.KIND_SIMPLE, queue.path().toString(), -1, queue.givenCodec(), this);
    }

    @Override
    public String toString()
    {
        return queue.toString();
    }
}

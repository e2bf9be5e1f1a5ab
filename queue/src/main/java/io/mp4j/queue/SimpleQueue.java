package io.mp4j.queue;

import io.mp4j.shm.RuntimeDirectory;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Python's {@code multiprocessing.SimpleQueue}: {@link #put(Object)}, {@link #get()}, {@link #empty()}
 * and {@link #close()} only. It is laid out like a {@link Queue} (with its own kind in the header, so it
 * attaches only as a {@code SimpleQueue}) and is bounded the same way: {@link #put(Object)} waits while
 * the ring is full.
 *
 * <p>Example:
 * <pre>{@code
 * SimpleQueue<String> q = SimpleQueue.create(dir, "lines");
 * q.put("a line");
 * String line = q.get();
 * }</pre>
 *
 * @param <T> the type of the elements.
 */
public final class SimpleQueue<T> implements AutoCloseable, Serializable
{
    private static final long serialVersionUID = 1L;

    private final transient Queue<T> queue;

    private SimpleQueue(final Queue<T> queue)
    {
        this.queue = queue;
    }

    /**
     * @param <T> the element type.
     * @return a new simple queue of {@link Queue#DEFAULT_CAPACITY} in the JVM's default runtime directory.
     */
    public static <T> SimpleQueue<T> create()
    {
        return create(RuntimeDirectory.global(), Queue.generatedName("simple-queue"));
    }

    /**
     * @param dir  the runtime directory that owns the file.
     * @param name the file name in it.
     * @param <T>  the element type.
     * @return a new simple queue of {@link Queue#DEFAULT_CAPACITY} bytes.
     */
    public static <T> SimpleQueue<T> create(final RuntimeDirectory dir, final String name)
    {
        return create(dir, name, Queue.DEFAULT_CAPACITY, null);
    }

    /**
     * @param dir      the runtime directory that owns the file.
     * @param name     the file name in it.
     * @param capacity ring capacity in bytes, a power of two.
     * @param codec    the object codec, or null for the default.
     * @param <T>      the element type.
     * @return a new simple queue.
     */
    public static <T> SimpleQueue<T> create(final RuntimeDirectory dir, final String name, final int capacity, final ObjectCodec codec)
    {
        return new SimpleQueue<>(new Queue<>(
            Queue.createRegion(dir.resolve(name), QueueDescriptor.KIND_SIMPLE, capacity), QueueDescriptor.KIND_SIMPLE, codec));
    }

    /**
     * @param file the simple queue's file.
     * @param <T>  the element type.
     * @return the attached queue.
     */
    public static <T> SimpleQueue<T> attach(final Path file)
    {
        return attach(file, null);
    }

    /**
     * @param file  the simple queue's file.
     * @param codec the object codec, or null for the default.
     * @param <T>   the element type.
     * @return the attached queue.
     */
    public static <T> SimpleQueue<T> attach(final Path file, final ObjectCodec codec)
    {
        return new SimpleQueue<>(new Queue<>(
            Queue.attachRegion(file, QueueDescriptor.KIND_SIMPLE), QueueDescriptor.KIND_SIMPLE, codec));
    }

    /**
     * Insert, waiting while the queue is full.
     *
     * @param item the element, not null.
     * @throws InterruptedException if interrupted while waiting.
     */
    public void put(final T item) throws InterruptedException
    {
        queue.put(item);
    }

    /**
     * Remove and return the head, waiting while the queue is empty.
     *
     * @return the element.
     * @throws InterruptedException if interrupted while waiting.
     */
    public T get() throws InterruptedException
    {
        return queue.get();
    }

    /**
     * @return whether the queue is empty, approximately.
     */
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

    /**
     * Unmap the file from this JVM.
     */
    @Override
    public void close()
    {
        queue.close();
    }

    private Object writeReplace()
    {
        return new QueueHandle(QueueDescriptor.KIND_SIMPLE, queue.path().toString(), -1);
    }

    @Override
    public String toString()
    {
        return queue.toString();
    }
}

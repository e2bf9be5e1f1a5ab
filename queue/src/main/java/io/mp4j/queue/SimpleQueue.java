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
public interface SimpleQueue<T> extends AutoCloseable, Serializable
{
    /**
     * @param <T> the element type.
     * @return a new simple queue of {@link Queue#DEFAULT_CAPACITY} in the JVM's default runtime directory.
     */
    static <T> SimpleQueue<T> create()
    {
        return MappedSimpleQueue.create();
    }

    /**
     * @param dir  the runtime directory that owns the file.
     * @param name the file name in it.
     * @param <T>  the element type.
     * @return a new simple queue of {@link Queue#DEFAULT_CAPACITY} bytes.
     */
    static <T> SimpleQueue<T> create(RuntimeDirectory dir, String name)
    {
        return MappedSimpleQueue.create(dir, name);
    }

    /**
     * @param dir      the runtime directory that owns the file.
     * @param name     the file name in it.
     * @param capacity ring capacity in bytes, a power of two.
     * @param codec    the object codec, or null for the default.
     * @param <T>      the element type.
     * @return a new simple queue.
     */
    static <T> SimpleQueue<T> create(RuntimeDirectory dir, String name, int capacity, ObjectCodec codec)
    {
        return MappedSimpleQueue.create(dir, name, capacity, codec);
    }

    /**
     * @param file the simple queue's file.
     * @param <T>  the element type.
     * @return the attached queue.
     */
    static <T> SimpleQueue<T> attach(Path file)
    {
        return MappedSimpleQueue.attach(file);
    }

    /**
     * @param file  the simple queue's file.
     * @param codec the object codec, or null for the default.
     * @param <T>   the element type.
     * @return the attached queue.
     */
    static <T> SimpleQueue<T> attach(Path file, ObjectCodec codec)
    {
        return MappedSimpleQueue.attach(file, codec);
    }

    /**
     * Insert, waiting while the queue is full.
     *
     * @param item the element, not null.
     * @throws InterruptedException if interrupted while waiting.
     */
    void put(T item) throws InterruptedException;

    /**
     * Remove and return the head, waiting while the queue is empty.
     *
     * @return the element.
     * @throws InterruptedException if interrupted while waiting.
     */
    T get() throws InterruptedException;

    /**
     * @return whether the queue is empty, approximately.
     */
    boolean empty();

    /**
     * Unmap the file from this JVM.
     */
    void close();
}

package io.mp4j.queue;

import java.io.Serializable;

import io.mp4j.shm.RuntimeDirectory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Python's {@code multiprocessing.JoinableQueue}: a {@link Queue} that also counts unfinished tasks,
 * in the mapped file, so that {@link #join()} in one process waits until consumers in other processes
 * have called {@link #taskDone()} for every element ever put.
 *
 * <p>The count goes up by one for each successful put (before the element becomes visible) and down
 * by one for each {@link #taskDone()}. A producer killed in the middle of a put can leave the count one
 * too high; {@link #join(Duration)} then times out rather than hanging. As in Python, a consumer that
 * took an element and never calls {@link #taskDone()} for it leaves the count high for good, and
 * {@link #join()} waits forever: one killed between {@code get} and {@code taskDone}, or one whose
 * {@code get} threw {@link MessageDecodingException} (the element was taken) and that did not call
 * {@code taskDone} then. Call {@code taskDone} in a {@code finally} (and after a decoding failure), and
 * use {@link #join(Duration)} where a consumer may die.
 *
 * <p>Example:
 * <pre>{@code
 * JoinableQueue<Integer> tasks = JoinableQueue.create(dir, "tasks");
 * for (int i = 0; i < 100; i++) tasks.put(i);
 * // workers in other JVMs: while (true) { Integer t = q.get(); work(t); q.taskDone(); }
 * tasks.join();                     // returns once all 100 are done
 * }</pre>
 *
 * @param <T> the type of the elements.
 */
public interface JoinableQueue<T> extends Queue<T>
{
    /**
     * @param <T> the element type.
     * @return a new joinable queue of {@link #DEFAULT_CAPACITY} in the JVM's default runtime directory.
     */
    static <T> JoinableQueue<T> create()
    {
        return MappedJoinableQueue.create();
    }

    /**
     * @param dir  the runtime directory that owns the file.
     * @param name the file name in it.
     * @param <T>  the element type.
     * @return a new joinable queue of {@link #DEFAULT_CAPACITY} bytes.
     */
    static <T> JoinableQueue<T> create(RuntimeDirectory dir, String name)
    {
        return MappedJoinableQueue.create(dir, name);
    }

    /**
     * @param dir      the runtime directory that owns the file.
     * @param name     the file name in it.
     * @param capacity ring capacity in bytes, a power of two.
     * @param codec    the object codec, or null for the default.
     * @param <T>      the element type.
     * @return a new joinable queue.
     */
    static <T> JoinableQueue<T> create(RuntimeDirectory dir, String name, int capacity, ObjectCodec codec)
    {
        return MappedJoinableQueue.create(dir, name, capacity, codec);
    }

    /**
     * @param file the joinable queue's file.
     * @param <T>  the element type.
     * @return the attached queue.
     * @throws io.mp4j.shm.InvalidRegionException if it is not a joinable queue.
     */
    static <T> JoinableQueue<T> attach(Path file)
    {
        return MappedJoinableQueue.attach(file);
    }

    /**
     * @param file  the joinable queue's file.
     * @param codec the object codec, or null for the default.
     * @param <T>   the element type.
     * @return the attached queue.
     */
    static <T> JoinableQueue<T> attach(Path file, ObjectCodec codec)
    {
        return MappedJoinableQueue.attach(file, codec);
    }

    /**
     * Tell the queue that a task taken with {@code get} is complete (Python's {@code task_done}).
     *
     * @throws IllegalStateException if called more times than there were elements put (Python's
     *                               {@code ValueError}).
     */
    void taskDone();

    /**
     * @return the number of elements put but not yet marked done with {@link #taskDone()}.
     */
    long unfinishedTasks();

    /**
     * Wait until every element put has been marked done, in any process.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    void join() throws InterruptedException;

    /**
     * Wait at most {@code timeout} until every element put has been marked done.
     *
     * @param timeout how long to wait.
     * @return whether all tasks are done.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean join(Duration timeout) throws InterruptedException;
}

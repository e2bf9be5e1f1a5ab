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
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Value;

import java.util.List;
import java.util.Map;

/**
 * Where a {@link Context}'s shared objects live: memory-mapped files on this host (the default, see
 * {@link Context#create()}) or another implementation such as the cluster backend of the {@code mp4j-cluster}
 * module. A program written against the types this interface hands out runs on any backend; only the line that
 * creates the context changes:
 * <pre>{@code
 * try (Context ctx = Context.create())                                   // one host, mapped files
 * // try (Context ctx = Context.create(ClusterBackend.join(config)))     // a cluster
 * {
 *     Lock lock = ctx.lock("counter-lock");
 *     Value counter = ctx.value("counter", ElementType.LONG, 0L);
 *     lock.run(() -> counter.set(counter.get() + 1));
 * }
 * }</pre>
 *
 * <p>Every factory is <em>get-or-create by name</em>: the first caller (in any process that uses the same
 * backend and namespace) creates the object with the given arguments; later callers get the existing object,
 * with the creator's initial value, permits or capacity. What the object is must match, though: a later
 * caller asking for another element type, array length or number of barrier parties gets an
 * {@link IllegalStateException} naming both. Names are letters, digits, {@code '_'}, {@code '.'} and {@code '-'}.
 * A backend that cannot keep a guarantee of the single-host types throws {@link UnsupportedOperationException}
 * from that factory or method, with a message saying why, rather than pretending.
 *
 * <p>Implementations are thread-safe. {@link #close()} releases this process's resources of the backend
 * (for the mapped backend, nothing: the context's directory owns the files).
 */
public interface Backend extends AutoCloseable
{
    /**
     * @return a short name of this backend for messages, e.g. {@code "mapped"} or {@code "cluster"}.
     */
    String name();

    /**
     * @param name    the object's name.
     * @param type    its element type (a later caller's must be the same).
     * @param initial the initial value (used only by the creator).
     * @return the value, guarded by its own lock.
     * @throws IllegalStateException if the name exists as a value of another element type.
     */
    Value value(String name, ElementType type, Object initial);

    /**
     * @param name   the object's name.
     * @param type   its element type (a later caller's must be the same).
     * @param length its length (a later caller's must be the same).
     * @return the array, zero-filled when created.
     * @throws IllegalStateException if the name exists as an array of another element type or length.
     */
    Array array(String name, ElementType type, int length);

    /**
     * @param name the object's name.
     * @return the lock.
     */
    Lock lock(String name);

    /**
     * @param name the object's name.
     * @return the reentrant lock.
     */
    RLock rlock(String name);

    /**
     * @param name    the object's name.
     * @param permits initial permits (used only by the creator).
     * @return the semaphore.
     */
    Semaphore semaphore(String name, int permits);

    /**
     * @param name    the object's name.
     * @param permits initial permits, also the bound (used only by the creator).
     * @return the bounded semaphore.
     */
    BoundedSemaphore boundedSemaphore(String name, int permits);

    /**
     * @param name the object's name.
     * @return the event, clear when created.
     */
    Event event(String name);

    /**
     * @param name the object's name.
     * @return the condition, with its own reentrant lock.
     */
    Condition condition(String name);

    /**
     * @param name    the object's name.
     * @param parties how many parties meet (a later caller's must be the same).
     * @return the barrier.
     * @throws IllegalStateException if the name exists as a barrier of another number of parties.
     */
    Barrier barrier(String name, int parties);

    /**
     * @param name the object's name.
     * @param <T>  the element type.
     * @return the queue.
     */
    <T> Queue<T> queue(String name);

    /**
     * @param name the object's name.
     * @param <T>  the element type.
     * @return the joinable queue.
     */
    <T> JoinableQueue<T> joinableQueue(String name);

    /**
     * @param processes how many workers.
     * @return a new pool (not shared by name); close it when done.
     */
    Pool pool(int processes);

    /**
     * @param workers how many workers.
     * @return a new executor (not shared by name); close it when done.
     */
    ProcessPoolExecutor executor(int workers);

    /**
     * Python's {@code manager.dict()}.
     *
     * @param name the map's name.
     * @param <K>  the key type.
     * @param <V>  the value type.
     * @return the shared map.
     */
    <K, V> Map<K, V> dict(String name);

    /**
     * Python's {@code manager.list()}.
     *
     * @param name the list's name.
     * @param <E>  the element type.
     * @return the shared list.
     */
    <E> List<E> list(String name);

    /**
     * Release this process's resources of the backend. Idempotent.
     */
    @Override
    void close();
}

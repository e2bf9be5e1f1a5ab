package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A reentrant lock shared between the threads of any number of JVMs: Python's
 * {@code multiprocessing.RLock}, usable as a {@link java.util.concurrent.locks.Lock}.
 *
 * <p>Ownership is per thread of a process: the holding thread may acquire again, and must release as
 * many times as it acquired. {@link #release()} and {@link #unlock()} by a thread that does not hold
 * the lock throw {@link IllegalMonitorStateException} (Python raises an error too).
 *
 * <p>Robustness: as {@link Lock}. A waiter that finds the holder's process dead (pid and start time)
 * takes the lock over with a CAS from that exact owner, with a hold count of 1 whatever the dead
 * holder's depth was, and {@link #previousOwnerDied()} tells it so.
 *
 * <p>Memory consistency effects: actions in a thread (of any process) before it releases the lock
 * happen-before actions after a subsequent acquire of the lock by any thread of any process, for data
 * in shared memory.
 *
 * <p>Example, two programs started separately:
 * <pre>{@code
 * RuntimeDirectory dir = RuntimeDirectory.openNamed("demo");
 * RLock lock = RLock.create(dir, "rlock");   // another program: RLock.attach(dir, "rlock")
 * try (SharedLock.Held outer = lock.locked(); SharedLock.Held inner = lock.locked())
 * {
 *     assert lock.getHoldCount() == 2;
 * }
 * }</pre>
 */
public interface RLock extends SharedLock
{
    /**
     * Create a lock in a runtime directory.
     *
     * @param directory where.
     * @param name      the file name (letters, digits, '_', '.', '-').
     * @return the new lock, free.
     * @throws IllegalStateException if a region with that name exists.
     */
    static RLock create(RuntimeDirectory directory, String name)
    {
        return MappedRLock.create(directory, name);
    }

    /**
     * Create a lock at a path.
     *
     * @param file a path that does not exist, in a private directory.
     * @return the new lock, free.
     */
    static RLock create(Path file)
    {
        return MappedRLock.create(file);
    }

    /**
     * Python's {@code RLock()}: a new re-entrant lock in this JVM's default runtime directory.
     *
     * @return the new lock.
     */
    static RLock create()
    {
        return MappedRLock.create();
    }

    /**
     * Attach to an existing lock, by name in a runtime directory.
     *
     * @param directory where.
     * @param name      its name.
     * @return the lock.
     * @throws InvalidRegionException if there is no lock region of that name.
     */
    static RLock attach(RuntimeDirectory directory, String name)
    {
        return MappedRLock.attach(directory, name);
    }

    /**
     * Attach to an existing lock.
     *
     * @param file its region file.
     * @return the lock.
     * @throws InvalidRegionException if the file is not a valid lock region.
     */
    static RLock attach(Path file)
    {
        return MappedRLock.attach(file);
    }

    /**
     * Use this idle strategy when waiting on this lock (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    RLock withIdleStrategy(Supplier<IdleStrategy> supplier);

    /**
     * Release one level of the calling thread's holding; the lock is free when the count reaches 0.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold it.
     */
    void release();

    /**
     * Release one level of the calling thread's holding.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold it.
     */
    void unlock();

    /**
     * @return how many times the calling thread holds this lock (0 if it does not).
     */
    int getHoldCount();
}

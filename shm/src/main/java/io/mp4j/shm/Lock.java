package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A non-reentrant lock shared between the threads of any number of JVMs: Python's
 * {@code multiprocessing.Lock}, usable as a {@link java.util.concurrent.locks.Lock}.
 *
 * <p>Python semantics: {@link #acquire(boolean)} and {@link #acquire(Duration)} return whether the lock
 * was taken; {@link #release()} may be called by any thread of any process (as Python allows) and
 * throws {@link IllegalStateException} if the lock is not held. A thread that acquires a lock it
 * already holds waits forever (or until its timeout), as in Python. Java semantics: {@link #unlock()}
 * may only be called by the holding thread, else {@link IllegalMonitorStateException}.
 *
 * <p>Robustness: the lock word holds the owner's identity (pid and thread) and the owner's process start
 * time is recorded beside it. A waiter that has waited {@code mp4j.liveness.checkMillis} (10 ms by default)
 * checks whether the owner's process is alive (pid <em>and</em> start time, so a reused pid is not
 * mistaken for it) and, if it is dead, takes the lock over with a CAS from that exact owner.
 * {@link #previousOwnerDied()} then returns true for the new holder, which should repair the state the
 * lock protects. A thread that dies holding the lock in a JVM that stays alive is not recovered (as with
 * {@link java.util.concurrent.locks.ReentrantLock}).
 *
 * <p>Memory consistency effects: actions in a thread (of any process) before it releases the lock
 * happen-before actions after a subsequent acquire of the lock by any thread of any process, for data
 * in shared memory.
 *
 * <p>Example, two programs started separately:
 * <pre>{@code
 * RuntimeDirectory dir = RuntimeDirectory.openNamed("demo");
 * Lock lock;
 * try
 * {
 *     lock = Lock.create(dir, "lock");
 * }
 * catch (IllegalStateException alreadyCreatedByTheOther)
 * {
 *     lock = Lock.attach(dir, "lock");
 * }
 * lock.lock();
 * try
 * {
 *     // critical section, exclusive across both JVMs
 * }
 * finally
 * {
 *     lock.unlock();
 * }
 * }</pre>
 */
public interface Lock extends SharedLock
{
    /**
     * Create a lock in a runtime directory.
     *
     * @param directory where.
     * @param name      the file name (letters, digits, '_', '.', '-').
     * @return the new lock, free.
     * @throws IllegalStateException if a region with that name exists.
     */
    static Lock create(RuntimeDirectory directory, String name)
    {
        return MappedLock.create(directory, name);
    }

    /**
     * Create a lock at a path.
     *
     * @param file a path that does not exist, in a private directory.
     * @return the new lock, free.
     */
    static Lock create(Path file)
    {
        return MappedLock.create(file);
    }

    /**
     * Python's {@code Lock()}: a new lock in this JVM's default runtime directory.
     *
     * @return the new lock.
     */
    static Lock create()
    {
        return MappedLock.create();
    }

    /**
     * Attach to an existing lock, by name in a runtime directory.
     *
     * @param directory where.
     * @param name      its name.
     * @return the lock.
     * @throws InvalidRegionException if there is no lock region of that name.
     */
    static Lock attach(RuntimeDirectory directory, String name)
    {
        return MappedLock.attach(directory, name);
    }

    /**
     * Attach to an existing lock.
     *
     * @param file its region file.
     * @return the lock.
     * @throws InvalidRegionException if the file is not a valid lock region.
     */
    static Lock attach(Path file)
    {
        return MappedLock.attach(file);
    }

    /**
     * Use this idle strategy when waiting on this lock (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    Lock withIdleStrategy(Supplier<IdleStrategy> supplier);

    /**
     * Release the lock, whoever holds it (Python semantics).
     *
     * @throws IllegalStateException if the lock is not held.
     */
    void release();

    /**
     * Release the lock held by the calling thread.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold it.
     */
    void unlock();
}

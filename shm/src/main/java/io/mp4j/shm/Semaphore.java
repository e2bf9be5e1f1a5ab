package io.mp4j.shm;

import java.io.Serializable;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A counting semaphore shared between the threads of any number of JVMs: Python's
 * {@code multiprocessing.Semaphore}. See {@link BoundedSemaphore} for the variant that refuses to be
 * released above its initial value.
 *
 * <p>A semaphore has no owner: any thread of any process may {@link #release()} (a parent may release
 * for a child), and {@link #acquire(Duration)} returns false on timeout. The value never goes negative.
 *
 * <p><b>Dead holders.</b> A semaphore used as a pool of resources leaks a permit each time a process
 * dies holding one. Created with {@code recoverDeadHolders} (the default for {@link BoundedSemaphore},
 * not for {@code Semaphore}), it keeps a table of holder slots, one per process ({@code pid, start time,
 * permits held}): {@code acquire} counts the permit in the caller's slot, {@code release} takes it off
 * again; a release by a process that holds none is counted against a dead holder's slot if there is one,
 * else against a live holder's (so a parent that releases for a child, dead or alive, is not counted
 * twice when the child is found dead). A waiter that has waited a
 * liveness interval ({@code mp4j.liveness.checkMillis}, 10 ms by default) scans the table, and the permits
 * of a process found dead are given back ({@link #reclaimDeadHolders()} does the same on demand). Limits,
 * documented rather than hidden: recovery is wrong for a semaphore used as a signal (one process only
 * releases, another only acquires: a dead consumer's consumed permits would come back), hence off by
 * default for {@code Semaphore}; with more than {@value MappedSemaphore#DEFAULT_HOLDER_SLOTS}
 * processes holding at once, the extra ones are not tracked. With the table, each acquire, release and
 * reclaim changes the value and a slot together under a robust table mutex, as a redo journal that whoever
 * recovers the mutex from a dead process completes: a process killed at any point of one leaks and
 * duplicates nothing. The price: these operations take a mutex (one CAS and about a dozen plain stores
 * where the semaphore without table does one CAS), a {@code tryAcquire} may wait for another process's
 * few-store update, or a liveness interval if that process died in it.
 *
 * <p>Memory consistency effects: actions in a thread before it calls {@code release()} happen-before
 * actions after a successful {@code acquire()} that took that permit, in any process, for data in shared
 * memory.
 *
 * <p>Example: at most 2 worker JVMs use a licence at once.
 * <pre>{@code
 * BoundedSemaphore licences = BoundedSemaphore.create(dir, "licences", 2);
 * // in each worker, given the semaphore as an argument:
 * if (licences.acquire(Duration.ofSeconds(5)))
 * {
 *     try { useLicence(); } finally { licences.release(); }
 * }
 * }</pre>
 */
public interface Semaphore extends AutoCloseable, Serializable
{
    /**
     * Release this holder's handle. The creator and every handle deserialized in this JVM share one
     * object, counted per holder (see {@link SharedObjects#attach}): the view is unmapped when the last
     * holder closes it, and using the object after that throws {@link IllegalStateException}. The shared
     * object and its state stay for the other processes. A holder closes once: closing again gives back
     * another holder's count; once unmapped, further calls do nothing.
     */
    @Override
    void close();

    /**
     * Python's {@code Semaphore(value)} in a runtime directory, without dead-holder recovery.
     *
     * @param directory where.
     * @param name      its file name.
     * @param value     initial permits, at least 0.
     * @return the semaphore.
     */
    static Semaphore create(RuntimeDirectory directory, String name, long value)
    {
        return MappedSemaphore.create(directory, name, value);
    }

    /**
     * A semaphore, choosing whether the permits of dead holders are recovered.
     *
     * @param directory          where.
     * @param name               its file name.
     * @param value              initial permits, at least 0.
     * @param recoverDeadHolders keep a holder table and give back the permits of dead processes.
     * @return the semaphore.
     */
    static Semaphore create(
        RuntimeDirectory directory, String name, long value, boolean recoverDeadHolders)
    {
        return MappedSemaphore.create(directory, name, value, recoverDeadHolders);
    }

    /**
     * Python's {@code Semaphore(value)} in this JVM's default runtime directory.
     *
     * @param value initial permits.
     * @return the semaphore.
     */
    static Semaphore create(long value)
    {
        return MappedSemaphore.create(value);
    }

    /**
     * Attach to an existing Semaphore by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the semaphore.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    static Semaphore attach(RuntimeDirectory directory, String name)
    {
        return MappedSemaphore.attach(directory, name);
    }

    /**
     * Attach to an existing semaphore (a bounded one is returned as a {@link BoundedSemaphore}).
     *
     * @param file its region file.
     * @return the semaphore.
     * @throws InvalidRegionException if the file is not a valid semaphore region.
     */
    static Semaphore attach(Path file)
    {
        return MappedSemaphore.attach(file);
    }

    /**
     * Use this idle strategy when waiting on this semaphore (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    Semaphore withIdleStrategy(Supplier<IdleStrategy> supplier);

    /**
     * Take a permit, waiting as long as needed.
     *
     * @throws InterruptedException if interrupted on entry (even with a permit free, as
     *                              {@link java.util.concurrent.Semaphore} does) or while waiting.
     */
    void acquire() throws InterruptedException;

    /**
     * Python's {@code acquire(block)}.
     *
     * @param block whether to wait.
     * @return whether a permit was taken.
     * @throws InterruptedException if interrupted on entry (even with a permit free, as
     *                              {@link java.util.concurrent.Semaphore} does) or while waiting.
     */
    boolean acquire(boolean block) throws InterruptedException;

    /**
     * Python's {@code acquire(timeout=...)}.
     *
     * @param timeout at most this long (null: forever; zero or negative: one attempt).
     * @return whether a permit was taken.
     * @throws InterruptedException if interrupted on entry (even with a permit free, as
     *                              {@link java.util.concurrent.Semaphore} does) or while waiting.
     */
    boolean acquire(Duration timeout) throws InterruptedException;

    /**
     * As {@link java.util.concurrent.Semaphore#tryAcquire(long, TimeUnit)}.
     *
     * @param timeout at most this long.
     * @param unit    its unit.
     * @return whether a permit was taken.
     * @throws InterruptedException if interrupted on entry (even with a permit free, as
     *                              {@link java.util.concurrent.Semaphore} does) or while waiting.
     */
    boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Take a permit if one is available now.
     *
     * @return whether a permit was taken.
     */
    boolean tryAcquire();

    /**
     * Give back one permit.
     *
     * @throws IllegalStateException for a {@link BoundedSemaphore} already at its bound.
     */
    void release();

    /**
     * Give back {@code n} permits.
     *
     * @param n at least 1.
     * @throws IllegalStateException for a {@link BoundedSemaphore} that this would take above its bound
     *                               (nothing is released then).
     */
    void release(long n);

    /**
     * @return the permits available now (Python's {@code get_value()}).
     */
    long getValue();

    /**
     * @return the bound, or {@link Long#MAX_VALUE} if unbounded.
     */
    long bound();

    /**
     * @return whether the permits of dead holders are recovered.
     */
    boolean recoversDeadHolders();

    /**
     * @return the permits recovered from dead holders over the region's life.
     */
    long reclaimedPermits();

    /**
     * Give back the permits held by processes that are dead. Called by waiters every liveness interval.
     *
     * @return the permits given back by this call.
     */
    long reclaimDeadHolders();
}

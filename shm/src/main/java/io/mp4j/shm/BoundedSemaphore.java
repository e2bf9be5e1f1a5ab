package io.mp4j.shm;

import java.nio.file.Path;

/**
 * Python's {@code multiprocessing.BoundedSemaphore}: a {@link Semaphore} whose value may never exceed
 * its initial value; a release that would take it above throws {@link IllegalStateException} (Python's
 * {@code ValueError}) and releases nothing. Dead-holder recovery is on by default, since a bounded
 * semaphore guards a pool of resources; see {@link Semaphore} for how it works and its limits.
 * Recovered permits never take the value above the bound.
 *
 * <p>The layout is {@link Semaphore}'s, with bit 0 of the header variant set and the bound set to the
 * initial value.
 *
 * <pre>{@code
 * BoundedSemaphore slots = BoundedSemaphore.create(dir, "slots", 3);
 * slots.acquire();
 * slots.release();
 * slots.release();   // IllegalStateException: semaphore released too many times: value=3, n=1, bound=3
 * }</pre>
 */
public interface BoundedSemaphore extends Semaphore
{
    /**
     * Python's {@code BoundedSemaphore(value)} in a runtime directory, recovering dead holders' permits.
     *
     * @param directory where.
     * @param name      its file name.
     * @param value     initial permits and bound, at least 0.
     * @return the semaphore.
     */
    static BoundedSemaphore create(RuntimeDirectory directory, String name, long value)
    {
        return MappedBoundedSemaphore.create(directory, name, value);
    }

    /**
     * A bounded semaphore, choosing whether dead holders' permits are recovered.
     *
     * @param directory          where.
     * @param name               its file name.
     * @param value              initial permits and bound, at least 0.
     * @param recoverDeadHolders keep a holder table and give back the permits of dead processes.
     * @return the semaphore.
     */
    static BoundedSemaphore create(
        RuntimeDirectory directory, String name, long value, boolean recoverDeadHolders)
    {
        return MappedBoundedSemaphore.create(directory, name, value, recoverDeadHolders);
    }

    /**
     * Python's {@code BoundedSemaphore(value)} in this JVM's default runtime directory.
     *
     * @param value initial permits and bound.
     * @return the semaphore.
     */
    static BoundedSemaphore create(long value)
    {
        return MappedBoundedSemaphore.create(value);
    }

    /**
     * Attach to an existing BoundedSemaphore by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the boundedsemaphore.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    static BoundedSemaphore attach(RuntimeDirectory directory, String name)
    {
        return MappedBoundedSemaphore.attach(directory, name);
    }

    /**
     * Attach to an existing bounded semaphore.
     *
     * @param file its region file.
     * @return the semaphore.
     * @throws InvalidRegionException if the file is not a bounded semaphore region.
     */
    static BoundedSemaphore attach(Path file)
    {
        return MappedBoundedSemaphore.attach(file);
    }
}

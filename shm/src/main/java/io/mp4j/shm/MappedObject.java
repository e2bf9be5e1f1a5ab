package io.mp4j.shm;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What every primitive laid out in one mapped region shares: the region, the {@link SharedObject} methods
 * over it, and the serialized form, a {@link RegionHandle} that re-attaches in the receiving JVM (never the
 * fields: they hold this JVM's mapping).
 *
 * <p>One instance may have several holders in a JVM: its creator and every handle deserialized into it
 * (see {@link SharedObjects}). Each holder counts as one reference, and {@link #close()} gives one back;
 * the region is unmapped when the last is given back, so that one holder's close never unmaps what
 * another still uses. After that, every method that would touch the memory throws
 * {@link IllegalStateException} instead of faulting: subclasses call {@link #ensureOpen()} (a plain field
 * check) before each use of their buffer.
 *
 * <p>A thread may wait in the object (a lock, an event, ...) while another closes it. Waits are counted:
 * a waiting thread enters the count ({@link #enterWait()}) on the slow path only, so that the uncontended
 * path stays one CAS, checks {@link #isClosing()} on every turn of its loop and leaves with an
 * {@link IllegalStateException}; the last close sets the closing flag, waits for the count to drain
 * (the waiters notice within one idle period) and only then unmaps. If they do not leave within
 * {@link #CLOSE_WAIT_NANOS}, the mapping is left to the garbage collector rather than pulled from under
 * them. Any other use of the object by one thread while another closes it (a set, a get, the instant
 * between a call's entry and its wait) is still the caller's error: that thread may fault.
 */
abstract class MappedObject implements SharedObject
{
    private static final long serialVersionUID = 1L;
    /** How long the last close waits for the threads waiting in the object to leave before it gives up unmapping. */
    static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final VarHandle REFERENCES;
    private static final VarHandle WAITERS;

    static
    {
        try
        {
            REFERENCES = MethodHandles.lookup().findVarHandle(MappedObject.class, "references", int.class);
            WAITERS = MethodHandles.lookup().findVarHandle(MappedObject.class, "waiters", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** This JVM's view of the primitive's region. */
    final MappedRegion region;

    /** Holders of this instance that have not closed it; 0 once unmapped. */
    private volatile int references = 1;

    /**
     * Set before the region is unmapped, read on every use: plain, so that the check costs one load the
     * JIT may hoist out of a loop (a close from another thread during use is the caller's error).
     */
    private boolean unmapped;

    /** Set by the last close before it waits for {@link #waiters} to drain; read on every turn of a wait. */
    private volatile boolean closing;

    /** Threads of this JVM inside a wait on this object (see {@link #enterWait()}). */
    private volatile int waiters;

    /** Its key in the {@link SharedObjects} cache, if it is there: the last close removes it. */
    volatile String cacheKey;

    MappedObject(final MappedRegion region)
    {
        this.region = region;
    }

    /**
     * @throws IllegalStateException if the region has been unmapped.
     */
    final void ensureOpen()
    {
        if (unmapped)
        {
            throw closedException();
        }
    }

    /**
     * Count the calling thread as waiting in this object until {@link #exitWait()}: close() does not unmap
     * while it is counted. The increment is a full fence and close() sets its flag before it reads the
     * count, so either this thread sees the flag here or close() sees this thread.
     *
     * @throws IllegalStateException if the object is closing or closed (then not counted).
     */
    final void enterWait()
    {
        WAITERS.getAndAdd(this, 1);
        if (closing)
        {
            WAITERS.getAndAdd(this, -1);
            throw closedException();
        }
    }

    final void exitWait()
    {
        WAITERS.getAndAdd(this, -1);
    }

    /**
     * @return whether the last holder is closing the object: a waiter checks this on every turn and leaves.
     */
    final boolean isClosing()
    {
        return closing;
    }

    /**
     * For a waiter, on every turn of its loop.
     *
     * @throws IllegalStateException if the object is closing.
     */
    final void checkClosing()
    {
        if (closing)
        {
            throw closedException();
        }
    }

    /**
     * @return how many threads are counted as waiting in this object (for tests).
     */
    final int waitersInside()
    {
        return waiters;
    }

    final IllegalStateException closedException()
    {
        return new IllegalStateException(region.path() + ": " +
            getClass().getSimpleName().substring("Mapped".length()) + " is closed");
    }

    /**
     * Count one more holder, unless the last one has closed it already.
     *
     * @return whether the object is open and now has one more reference.
     */
    final boolean retain()
    {
        while (true)
        {
            final int current = references;
            if (current <= 0)
            {
                return false;
            }
            if (REFERENCES.compareAndSet(this, current, current + 1))
            {
                return true;
            }
        }
    }

    @Override
    public final Path path()
    {
        return region.path();
    }

    /**
     * @return whether every holder has closed this object, so that its region is unmapped.
     */
    @Override
    public final boolean isClosed()
    {
        return references <= 0;
    }

    /**
     * Give back this holder's reference; the last one unmaps the region, once the threads waiting in the
     * object have left (see the class comment). Closing more often than this JVM obtained the object
     * (created it, deserialized or attached it through {@link SharedObjects}) unmaps it early; further
     * calls after that do nothing.
     */
    @Override
    public final void close()
    {
        while (true)
        {
            final int current = references;
            if (current <= 0)
            {
                return;
            }
            if (REFERENCES.compareAndSet(this, current, current - 1))
            {
                if (current == 1)
                {
                    closing = true;
                    // the waiters may still clean up after themselves (free a slot, hand a signal on) until they leave
                    final boolean gone = awaitWaitersGone();
                    unmapped = true;
                    if (gone)
                    {
                        region.close();
                    }
                    SharedObjects.forget(this);
                    released();
                }
                return;
            }
        }
    }

    /**
     * Called once, after the last close has released the region: give back what the object holds besides
     * it (the lock of a {@link Value}, an {@link Array} or a {@link Condition}).
     */
    void released()
    {
    }

    /**
     * @return whether every counted waiter left within {@link #CLOSE_WAIT_NANOS}; if not, the region stays
     * mapped (the garbage collector unmaps it once nothing refers to it), since unmapping would crash them.
     */
    private boolean awaitWaitersGone()
    {
        if (waiters == 0)
        {
            return true;
        }
        final long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        long parkNanos = 1_000;
        while (waiters != 0)
        {
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            // a waiter notices within one idle period of its own (at most about a millisecond by default)
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos << 1, 1_000_000);
        }
        return true;
    }

    /**
     * @return the serialized form: a {@link RegionHandle} unless a primitive needs more.
     */
    Object writeReplace()
    {
        return RegionHandle.of(this);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a " + getClass().getSimpleName().substring("Mapped".length()) + " travels as its handle");
    }
}

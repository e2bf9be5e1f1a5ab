package io.mp4j.shm;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

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
 * check) before each use of their buffer. Closing while another thread of this JVM still uses the object
 * is the caller's error, as it is for {@link MappedRegion}: that thread may fault.
 */
abstract class MappedObject implements SharedObject
{
    private static final long serialVersionUID = 1L;
    private static final VarHandle REFERENCES;

    static
    {
        try
        {
            REFERENCES = MethodHandles.lookup().findVarHandle(MappedObject.class, "references", int.class);
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
     * Give back this holder's reference; the last one unmaps the region. Closing more often than this JVM
     * obtained the object (created it, deserialized or attached it through {@link SharedObjects}) unmaps
     * it early; further calls after that do nothing.
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
                    unmapped = true;
                    region.close();
                }
                return;
            }
        }
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

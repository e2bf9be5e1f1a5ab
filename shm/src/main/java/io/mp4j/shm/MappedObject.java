package io.mp4j.shm;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.nio.file.Path;

/**
 * What every primitive laid out in one mapped region shares: the region, the {@link SharedObject} methods
 * over it, and the serialized form, a {@link RegionHandle} that re-attaches in the receiving JVM (never the
 * fields: they hold this JVM's mapping).
 */
abstract class MappedObject implements SharedObject
{
    private static final long serialVersionUID = 1L;

    /** This JVM's view of the primitive's region. */
    final MappedRegion region;

    MappedObject(final MappedRegion region)
    {
        this.region = region;
    }

    @Override
    public final Path path()
    {
        return region.path();
    }

    @Override
    public final boolean isClosed()
    {
        return region.isClosed();
    }

    @Override
    public final void close()
    {
        region.close();
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

package io.mp4j.shm;

import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The serialized form of every {@link SharedObject}: the name of its class and the path of its region
 * file. Deserializing a handle attaches the region (once per JVM: see {@link SharedObjects}) and
 * yields the live object, so a {@code Lock} written to an {@code ObjectOutputStream} in one JVM is read
 * back as a {@code Lock} over the same memory in another.
 *
 * <p>Only classes that implement {@link SharedObject} are ever instantiated from a handle.
 */
public final class RegionHandle implements Serializable
{
    private static final long serialVersionUID = 1L;

    private final String className;
    private final String path;

    /**
     * @param className the {@link SharedObject} class.
     * @param path      its region file.
     */
    public RegionHandle(final String className, final String path)
    {
        this.className = className;
        this.path = path;
    }

    /**
     * @param object a shared object.
     * @return its handle.
     */
    public static RegionHandle of(final SharedObject object)
    {
        return new RegionHandle(object.getClass().getName(), object.path().toString());
    }

    /**
     * @return the shared object's class name.
     */
    public String className()
    {
        return className;
    }

    /**
     * @return the region file.
     */
    public Path path()
    {
        return Paths.get(path);
    }

    /**
     * @return the live object, attached (or taken from this JVM's attachment cache).
     * @throws ObjectStreamException if the class is not a shared object or the region cannot be attached.
     */
    Object readResolve() throws ObjectStreamException
    {
        try
        {
            return SharedObjects.attach(className, Paths.get(path));
        }
        catch (final RuntimeException ex)
        {
            final InvalidObjectException ioe = new InvalidObjectException(
                "cannot attach " + className + " at " + path + ": " + ex.getMessage());
            ioe.initCause(ex);
            throw ioe;
        }
    }

    @Override
    public String toString()
    {
        return "RegionHandle{" + className + ", " + path + '}';
    }
}

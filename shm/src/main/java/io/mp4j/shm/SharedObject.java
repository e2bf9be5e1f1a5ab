package io.mp4j.shm;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * A primitive laid out in a mapped region that another JVM can attach to. Every such class has a
 * public static {@code attach(Path)} method, and serializes as a small {@link RegionHandle} (class name
 * and file path) that re-attaches on the receiving side: pass the object itself to a child process, as
 * in Python.
 *
 * <p>{@link #close()} gives back one holder's handle and unmaps this JVM's view when the last holder in
 * this JVM has closed it (see {@link SharedObjects#attach}); the file belongs to its runtime directory
 * and stays until that directory is closed. Using the object after it was unmapped throws
 * {@link IllegalStateException}; closing it while another thread of this JVM uses it is the caller's
 * error, as for {@link MappedRegion}.
 */
public interface SharedObject extends Serializable, AutoCloseable
{
    /**
     * @return the region file this object lives in.
     */
    Path path();

    /**
     * @return whether this view has been unmapped (every holder in this JVM has closed it).
     */
    boolean isClosed();

    /**
     * Give back this holder's handle; the last holder in this JVM unmaps the region. The file and the
     * state in it are untouched.
     */
    @Override
    void close();
}

package io.mp4j.shm;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * A primitive laid out in a mapped region that another JVM can attach to. Every such class has a
 * public static {@code attach(Path)} method, and serializes as a small {@link RegionHandle} (class name
 * and file path) that re-attaches on the receiving side: pass the object itself to a child process, as
 * in Python.
 *
 * <p>{@link #close()} unmaps this JVM's view; the file belongs to its runtime directory and stays until
 * that directory is closed.
 */
public interface SharedObject extends Serializable, AutoCloseable
{
    /**
     * @return the region file this object lives in.
     */
    Path path();

    /**
     * @return whether this view has been closed (unmapped).
     */
    boolean isClosed();

    /**
     * Unmap this JVM's view of the region. The file and the state in it are untouched.
     */
    @Override
    void close();
}

package io.mp4j.shm;

import java.nio.file.Path;

/**
 * A mapped file could not be used as the region asked for: it is not an mp4j region, it is of another
 * type, it is truncated, it was written by a newer layout version, or it was never fully created.
 * The message names the file and what was wrong with it.
 */
public final class InvalidRegionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file   the file that was refused.
     * @param reason what was wrong with it.
     */
    public InvalidRegionException(final Path file, final String reason)
    {
        super(file + ": " + reason);
        this.file = file;
    }

    /**
     * @param file   the file that was refused.
     * @param reason what was wrong with it.
     * @param cause  the underlying failure.
     */
    public InvalidRegionException(final Path file, final String reason, final Throwable cause)
    {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    /**
     * @return the file that was refused.
     */
    public Path file()
    {
        return file;
    }
}

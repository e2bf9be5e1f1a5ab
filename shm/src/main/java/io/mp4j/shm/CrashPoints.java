package io.mp4j.shm;

/**
 * A test-only hook: a JVM started with {@code -Dmp4j.test.crashPoint=<name>} halts (exit status 86, no
 * shutdown hooks, as abruptly as SIGKILL as far as shared memory is concerned) when it reaches the point
 * of that name, so that a test can kill a process exactly between two stores of a multi-store update and
 * check that what it left half-written is recovered. One started with {@code -Dmp4j.test.pausePoint=<name>}
 * and {@code -Dmp4j.test.pauseDir=<dir>} instead pauses the thread that reaches the point: it creates
 * {@code <dir>/<name>.reached}, then waits (at most a minute) until {@code <dir>/<name>.go} exists, so that a
 * test can make another process act exactly inside a race window. Only the first thread to reach the pause
 * point pauses; later arrivals pass, so a point on a path that runs again after the window stays usable.
 *
 * <p>Public only so that the other mp4j modules can carry points of their own. Not for direct use.
 *
 * <p>Call sites read {@link #ENABLED} first: a static final boolean, constant-folded by the JIT, so a JVM
 * without the property pays nothing on the paths that carry a crash point.
 */
public final class CrashPoints
{
    /** The system property naming the point at which this JVM halts. */
    public static final String PROPERTY = "mp4j.test.crashPoint";

    /** The exit status of a JVM halted at its crash point. */
    public static final int EXIT_STATUS = 86;

    /** The system property naming the point at which a thread of this JVM pauses. */
    public static final String PAUSE_PROPERTY = "mp4j.test.pausePoint";

    /** The system property naming the directory of the pause point's files. */
    public static final String PAUSE_DIR_PROPERTY = "mp4j.test.pauseDir";

    private static final String NAME = System.getProperty(PROPERTY);

    private static final String PAUSE = System.getProperty(PAUSE_PROPERTY);

    private static final java.util.concurrent.atomic.AtomicBoolean PAUSED = new java.util.concurrent.atomic.AtomicBoolean();

    /** Whether this JVM has a crash or pause point at all. */
    public static final boolean ENABLED = NAME != null && !NAME.isEmpty() || PAUSE != null && !PAUSE.isEmpty();

    private CrashPoints()
    {
    }

    /**
     * Halt this JVM if {@code point} is its crash point; pause the calling thread if it is its pause point
     * and no thread has paused there yet.
     *
     * @param point the name of the point reached.
     */
    public static void reached(final String point)
    {
        if (point.equals(NAME))
        {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
        if (point.equals(PAUSE) && PAUSED.compareAndSet(false, true))
        {
            pause(point);
        }
    }

    private static void pause(final String point)
    {
        final java.nio.file.Path dir = java.nio.file.Paths.get(System.getProperty(PAUSE_DIR_PROPERTY, "."));
        try
        {
            java.nio.file.Files.createFile(dir.resolve(point + ".reached"));
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        while (!java.nio.file.Files.exists(dir.resolve(point + ".go")) && System.nanoTime() - deadline < 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // a test hook polling its test's file
        }
    }
}

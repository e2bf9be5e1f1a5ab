package io.mp4j.shm;

/**
 * A test-only hook: a JVM started with {@code -Dmp4j.test.crashPoint=<name>} halts (exit status 86, no
 * shutdown hooks, as abruptly as SIGKILL as far as shared memory is concerned) when it reaches the point
 * of that name, so that a test can kill a process exactly between two stores of a multi-store update and
 * check that what it left half-written is recovered.
 *
 * <p>Call sites read {@link #ENABLED} first: a static final boolean, constant-folded by the JIT, so a JVM
 * without the property pays nothing on the paths that carry a crash point.
 */
final class CrashPoints
{
    /** The system property naming the point at which this JVM halts. */
    static final String PROPERTY = "mp4j.test.crashPoint";

    /** The exit status of a JVM halted at its crash point. */
    static final int EXIT_STATUS = 86;

    private static final String NAME = System.getProperty(PROPERTY);

    /** Whether this JVM has a crash point at all. */
    static final boolean ENABLED = NAME != null && !NAME.isEmpty();

    private CrashPoints()
    {
    }

    /**
     * Halt this JVM if {@code point} is its crash point.
     *
     * @param point the name of the point reached.
     */
    static void reached(final String point)
    {
        if (point.equals(NAME))
        {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}

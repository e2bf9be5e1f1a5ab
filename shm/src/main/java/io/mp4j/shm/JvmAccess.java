package io.mp4j.shm;

/**
 * Whether this JVM was started with the module flags Agrona needs. Without
 * {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}, Agrona's first buffer fails with an
 * {@link IllegalAccessError} about {@code jdk.internal.misc.Unsafe} that does not say what to do; mp4j
 * checks first and says it.
 */
final class JvmAccess
{
    /** The package Agrona's {@code UnsafeApi} links against. */
    static final String UNSAFE_PACKAGE = "jdk.internal.misc";

    private static final boolean EXPORTED = Object.class.getModule().isExported(UNSAFE_PACKAGE, JvmAccess.class.getModule());

    private JvmAccess()
    {
    }

    /**
     * @throws IllegalStateException if the JVM does not export {@code jdk.internal.misc} to mp4j, naming the
     *                               flags and where to find them.
     */
    static void check()
    {
        if (!EXPORTED)
        {
            throw new IllegalStateException(message(JvmAccess.class.getModule().isNamed() ? JvmAccess.class.getModule().getName() : "ALL-UNNAMED"));
        }
    }

    static String message(final String target)
    {
        return "mp4j needs JVM flags this JVM was started without: --add-exports=java.base/" + UNSAFE_PACKAGE + "=" + target +
            " and the others that io.mp4j.JvmFlags.required() returns (also in the file io/mp4j/jvm-flags.txt of mp4j-core, " +
            "for 'java @jvm-flags.txt'); see the README, \"JVM flags your own program needs\"";
    }
}

package io.mp4j.shm;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without mp4j's flags gets an exception that names them, not Agrona's IllegalAccessError.
 */
class JvmAccessTest
{
    /** Run in a JVM without the flags: creating a lock must fail with the clear message. */
    public static void main(final String[] args)
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            Lock.create(dir, "l");
            System.out.println("created");
        }
        catch (final IllegalStateException ex)
        {
            System.out.println("ISE: " + ex.getMessage());
        }
        catch (final Throwable ex)
        {
            System.out.println("OTHER: " + ex);
        }
    }

    @Test
    void aJvmWithoutTheFlagsIsToldWhichFlagsItNeeds() throws Exception
    {
        final String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), JvmAccessTest.class.getName()))
            .redirectErrorStream(true).start();
        try
        {
            final String out = read(child.getInputStream());
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not end");
            assertEquals(0, child.exitValue(), out);
            assertTrue(out.startsWith("ISE: mp4j needs JVM flags this JVM was started without: " +
                "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), out);
            assertTrue(out.contains("io.mp4j.JvmFlags.required()"), out);
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String read(final InputStream in) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

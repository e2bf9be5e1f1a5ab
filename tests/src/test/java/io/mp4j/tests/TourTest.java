package io.mp4j.tests;

import io.mp4j.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the {@code mp4j} command line in a JVM of its own, as a user would, and checks what it prints.
 */
@ExtendWith(NoLeaks.class)
class TourTest
{
    static String runMp4j(final String... args) throws Exception
    {
        final List<String> command = JvmFlags.childCommand(List.of(), "io.mp4j.examples.Main", args);
        final java.lang.Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            process.getOutputStream().close();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "mp4j " + String.join(" ", args) + " did not finish");
            assertEquals(0, process.exitValue(), output);
            return output;
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void helpListsTheCommands() throws Exception
    {
        final String output = runMp4j("--help");
        assertTrue(output.contains("usage: mp4j <command>"), output);
        assertTrue(output.contains("tour [NAME...]"), output);
    }

    @Test
    void tourProcessRunsTheThreeProcessSections() throws Exception
    {
        final String output = runMp4j("tour", "process");
        for (final String heading : List.of("== Creating Processes ==", "== Daemon Processes ==", "== Handling Process Termination =="))
        {
            assertTrue(output.contains(heading), heading + " missing from:\n" + output);
        }
        for (int i = 0; i < 4; i++)
        {
            assertTrue(output.matches("(?s).*Worker " + i + ", PID: \\d+.*"), output);
        }
        assertTrue(output.matches("(?s).*Main process PID: \\d+.*"), output);
        assertTrue(output.contains("Background process running..."), output);
        assertTrue(output.contains("Main process exiting, daemon will be terminated"), output);
        assertTrue(output.contains("still running after its parent exited: false"), output);
        assertTrue(output.contains("Working..."), output);
        assertTrue(output.contains("Graceful shutdown"), output);
        assertTrue(output.contains("Exit code: -15"), output);
    }
}

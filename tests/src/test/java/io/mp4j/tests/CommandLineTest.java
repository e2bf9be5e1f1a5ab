package io.mp4j.tests;

import io.mp4j.JvmFlags;
import io.mp4j.bench.Json;
import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import io.mp4j.shm.RuntimeDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the {@code mp4j} command line in a JVM of its own, as a user would, and checks what it prints.
 */
@ExtendWith(NoLeaks.class)
class CommandLineTest
{
    static String runMp4j(final String... args) throws Exception
    {
        return runMp4j(List.of(), args);
    }

    static String runMp4j(final List<String> jvmOptions, final String... args) throws Exception
    {
        final List<String> command = JvmFlags.childCommand(jvmOptions, "io.mp4j.examples.Main", args);
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

    @Test
    @SuppressWarnings("unchecked")
    void statOnceJsonNamesARegionThisTestCreated() throws Exception
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create();
             MappedRegion region = MappedRegion.create(dir.resolve("stat-probe"), RegionType.VALUE, 0, 64).publish())
        {
            final String output = runMp4j("stat", "--once", "--json");
            final Map<String, Object> doc = (Map<String, Object>)Json.parse(output);
            final List<Map<String, Object>> contexts = (List<Map<String, Object>>)doc.get("contexts");
            final Map<String, Object> ours = contexts.stream()
                .filter(c -> dir.path().toString().equals(c.get("path"))).findFirst()
                .orElseThrow(() -> new AssertionError("our directory is not listed:\n" + output));
            assertEquals(Boolean.TRUE, ours.get("ownerAlive"));
            final List<Map<String, Object>> regions = (List<Map<String, Object>>)ours.get("regions");
            assertEquals(1, regions.size(), output);
            assertEquals("stat-probe", regions.get(0).get("name"));
            assertEquals("VALUE", regions.get(0).get("type"));
            assertEquals(64.0, regions.get(0).get("payloadBytes"));
            assertEquals((double)ProcessHandle.current().pid(), regions.get(0).get("creatorPid"));
        }
    }

    @Test
    void statOncePrintsATable() throws Exception
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create();
             MappedRegion region = MappedRegion.create(dir.resolve("table-probe"), RegionType.LOCK, 0, 64).publish())
        {
            final String output = runMp4j("stat", "--once");
            assertTrue(output.contains(dir.path().toString()), output);
            assertTrue(output.matches("(?s).*table-probe\\s+LOCK\\s+64\\s+" + ProcessHandle.current().pid() + "\\s+yes.*"), output);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void benchOnlyProcessStartProducesValidJson() throws Exception
    {
        final String output = runMp4j(List.of("-Dmp4j.bench.smoke=true"), "bench", "--only", "process_start", "--json");
        final Map<String, Object> doc = (Map<String, Object>)Json.parse(output.substring(output.indexOf("{\n")));
        assertEquals(Boolean.FALSE, doc.get("failed"), output);
        final Map<String, Object> summary = (Map<String, Object>)doc.get("summary");
        for (final String figure : List.of("process_start_spawn_ms", "process_start_spare_ms"))
        {
            assertTrue(((Double)summary.get(figure)) > 0, figure + " in " + summary);
        }
        assertTrue(((Map<String, Object>)doc.get("machine")).containsKey("nproc"));
    }

    @Test
    void tourSharedRunsTheQueuePipeValueAndSyncSections() throws Exception
    {
        final String output = runMp4j("tour", "shared");
        for (final String heading : List.of("== Sharing Data with Queue ==", "== Sharing Data with Pipe ==",
            "== Shared Memory with Value and Array ==", "== Process Synchronization =="))
        {
            assertTrue(output.contains(heading), heading + " missing from:\n" + output);
        }
        for (int i = 0; i < 5; i++)
        {
            assertTrue(output.contains("Produced: " + i) && output.contains("Consumed: " + i), output);
        }
        assertTrue(output.contains("Receiver got: Hello from sender"), output);
        assertTrue(output.contains("Receiver got: [1, 2, 3]"), output);
        assertTrue(output.contains("Sender received: Thanks!"), output);
        assertTrue(output.contains("Array: [2.0, 4.0, 6.0, 8.0]"), output);
        assertEquals(2, output.split("Counter: 40000", -1).length - 1, output);
    }

    @Test
    void counterIsExactWithTheLockAndAtomicallyAndTheUnlockedVariantRuns() throws Exception
    {
        final String output = runMp4j("counter", "--jvms", "2", "--increments", "20000");
        assertTrue(output.matches("(?s).*locked\\s+40,000 / 40,000\\s+exact.*"), output);
        assertTrue(output.matches("(?s).*atomic\\s+40,000 / 40,000\\s+exact.*"), output);
        // lost updates are likely but not certain on any one run: only the line is required
        assertTrue(output.matches("(?s).*unlocked\\s+[\\d,]+ / 40,000\\s+.*"), output);
    }
}

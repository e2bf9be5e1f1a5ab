package io.mp4j.tests;

import io.mp4j.JvmFlags;
import io.mp4j.bench.Json;
import io.mp4j.shm.Await;
import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.queue.Pipe;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Condition;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.Value;
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
    void tourRunsEverySectionOfTheSeedInOrder() throws Exception
    {
        final String output = runMp4j("tour");
        final List<String> headings = List.of("Creating Processes", "Process Pool", "Pool Methods", "Sharing Data with Queue",
            "Sharing Data with Pipe", "Shared Memory with Value and Array", "Manager for Complex Shared Objects",
            "Process Synchronization", "Daemon Processes", "Handling Process Termination", "ProcessPoolExecutor",
            "Comparing Threads vs Processes");
        int at = -1;
        for (final String heading : headings)
        {
            final int next = output.indexOf("== " + heading + " ==");
            assertTrue(next > at, heading + " missing or out of order in:\n" + output);
            at = next;
        }
        assertEquals(headings.size(), output.split("\n-> ", -1).length - 1, "one lesson line per section:\n" + output);
        for (int i = 0; i < 4; i++)
        {
            assertTrue(output.matches("(?s).*Worker " + i + ", PID: \\d+.*"), output);
        }
        assertTrue(output.matches("(?s).*Main process PID: \\d+.*"), output);
        assertTrue(output.contains("map: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"), output);
        assertTrue(output.contains("starmap: [3, 7, 11]"), output);
        assertTrue(output.contains("apply_async: 100"), output);
        for (int i = 0; i < 5; i++)
        {
            assertTrue(output.contains("Produced: " + i) && output.contains("Consumed: " + i), output);
        }
        assertTrue(output.contains("Receiver got: Hello from sender"), output);
        assertTrue(output.contains("Receiver got: [1, 2, 3]"), output);
        assertTrue(output.contains("Sender received: Thanks!"), output);
        assertTrue(output.contains("Array: [2.0, 4.0, 6.0, 8.0]"), output);
        assertEquals(2, output.split("Counter: 40000", -1).length - 1, output);
        assertTrue(output.contains("Background process running..."), output);
        assertTrue(output.contains("still running after its parent exited: false"), output);
        assertTrue(output.contains("Graceful shutdown"), output);
        assertTrue(output.contains("Exit code: -15"), output);
        assertTrue(output.contains("Result: "), output);
        assertTrue(output.contains("GIL"), output);
    }

    @Test
    void tourRunsOneSectionByName() throws Exception
    {
        final String output = runMp4j("tour", "termination");
        assertTrue(output.contains("== Handling Process Termination =="), output);
        assertTrue(output.contains("Exit code: -15"), output);
        assertTrue(!output.contains("== Creating Processes =="), output);
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
    void statNeitherBlocksOnAFifoNorPrintsControlCharactersOfFileNames(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path base)
        throws Exception
    {
        final java.nio.file.Path dir = java.nio.file.Files.createDirectory(base.resolve(RuntimeDirectory.PREFIX + "planted"));
        // a FIFO as owner file: reading it would block until someone writes
        final java.lang.Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve(RuntimeDirectory.OWNER_FILE).toString()).start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        java.nio.file.Files.write(dir.resolve("clear\u001b[2Jscreen"), new byte[200]);
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final int status = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
            () -> io.mp4j.examples.StatCommand.run(List.of("--once", "--base", base.toString()),
                new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8)));
        final String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, output);
        assertTrue(output.contains("clear?[2Jscreen"), output);
        assertTrue(output.chars().noneMatch(c -> c == 0x1b), "an escape character reached the terminal: " + output);
    }

    @Test
    @SuppressWarnings("unchecked")
    void statTellsWhatEachRegionHoldsNow() throws Exception
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create();
             Value value = Value.create(dir, "value", "l", 42L);
             Lock lock = Lock.create(dir, "lock");
             RLock rlock = RLock.create(dir, "rlock");
             BoundedSemaphore semaphore = BoundedSemaphore.create(dir, "semaphore", 5);
             Event event = Event.create(dir, "event");
             Barrier barrier = Barrier.create(dir, "barrier", 3);
             Queue<String> queue = Queue.create(dir, "queue");
             Condition condition = Condition.create(dir, "condition"))
        {
            final Thread waiter = new Thread(() ->
            {
                try (SharedLock.Held held = condition.locked())
                {
                    condition.await(java.time.Duration.ofSeconds(60));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, "condition-waiter");
            waiter.start();
            Await.until("the waiter to wait", () -> condition.waiters() == 1);
            lock.lock();
            rlock.lock();
            rlock.lock();
            assertTrue(semaphore.tryAcquire());
            assertTrue(semaphore.tryAcquire());
            event.set();
            queue.put("hello");
            final Pipe pipe = Pipe.create(dir, "pipe");
            pipe.second().sendBytes(new byte[40]);
            pipe.second().close();
            final String output = runMp4j("stat", "--once", "--json");
            final Map<String, Object> doc = (Map<String, Object>)Json.parse(output);
            final Map<String, Object> ours = ((List<Map<String, Object>>)doc.get("contexts")).stream()
                .filter(c -> dir.path().toString().equals(c.get("path"))).findFirst()
                .orElseThrow(() -> new AssertionError("our directory is not listed:\n" + output));
            final Map<String, String> state = new java.util.HashMap<>();
            for (final Map<String, Object> region : (List<Map<String, Object>>)ours.get("regions"))
            {
                state.put((String)region.get("name"), (String)region.get("state"));
            }
            final long pid = ProcessHandle.current().pid();
            assertEquals("value 42", state.get("value"), output);
            assertEquals("free", state.get("value.lock"), output);
            assertTrue(state.get("lock").startsWith("held by pid " + pid + " thread "), output);
            assertTrue(state.get("rlock").matches("held by pid " + pid + " thread \\d+, depth 2"), output);
            assertEquals("3 of 5 permits", state.get("semaphore"), output);
            assertEquals("set", state.get("event"), output);
            assertEquals("0 of 3 parties waiting, generation 0", state.get("barrier"), output);
            assertTrue(state.get("queue").matches("[1-9]\\d* bytes queued of \\d+"), output);
            assertEquals("1 waiting", state.get("condition"), output);
            try (SharedLock.Held held = condition.locked())
            {
                condition.signal();
            }
            waiter.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(state.get("pipe").matches("end 0 held, [1-9]\\d* bytes to read; end 1 closed, 0 bytes to read"), output);
            pipe.first().close();
            lock.unlock();
            rlock.unlock();
            rlock.unlock();
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
    void counterIsExactWithTheLockAndAtomicallyAndTheUnlockedVariantRuns() throws Exception
    {
        final String output = runMp4j("counter", "--jvms", "2", "--increments", "20000");
        assertTrue(output.matches("(?s).*locked\\s+40,000 / 40,000\\s+exact.*"), output);
        assertTrue(output.matches("(?s).*atomic\\s+40,000 / 40,000\\s+exact.*"), output);
        // lost updates are likely but not certain on any one run: only the line is required
        assertTrue(output.matches("(?s).*unlocked\\s+[\\d,]+ / 40,000\\s+.*"), output);
    }
}

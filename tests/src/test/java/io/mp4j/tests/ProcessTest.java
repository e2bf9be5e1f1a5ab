package io.mp4j.tests;

import io.mp4j.Context;
import io.mp4j.Process;
import io.mp4j.ProcessInfo;
import io.mp4j.StartMethod;
import io.mp4j.shm.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class ProcessTest
{
    static void noop()
    {
    }

    static void fail(final String message)
    {
        throw new IllegalStateException(message);
    }

    static void blockForever() throws InterruptedException
    {
        // the behaviour under test: a child that runs until it is stopped
        new CountDownLatch(1).await(); // never counted down: runs until the test stops this process by pid
    }

    static void exitWith(final int status)
    {
        System.exit(status);
    }

    static void hookThenBlock(final String dir) throws Exception
    {
        final Path hookFile = Path.of(dir, "hook-ran");
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                Files.writeString(hookFile, "graceful shutdown");
                System.out.println("hook says goodbye");
            }
            catch (final IOException ex)
            {
                throw new RuntimeException(ex);
            }
        }));
        Files.writeString(Path.of(dir, "ready"), "ready");
        new CountDownLatch(1).await(); // never counted down: runs until the test stops this process by pid
    }

    static void printLines(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            System.out.println("line " + i);
        }
        Runtime.getRuntime().halt(0);
    }

    static void describeSelf(final String dir) throws IOException
    {
        final ProcessInfo self = Process.currentProcess();
        final ProcessInfo parent = Process.parentProcess();
        Files.writeString(Path.of(dir, "self"), self.name() + " " + self.pid() + " " + self.daemon() + " " +
            self.isChild() + " " + parent.pid() + " " + parent.name() + " " + self.isAlive() + " " + parent.isAlive());
    }

    static void readStdin(final String dir) throws IOException
    {
        Files.writeString(Path.of(dir, "stdin-read"), Integer.toString(System.in.read()));
    }

    @Test
    void aChildThatReadsSystemInSeesEndOfFileAndJoinReturns(@TempDir final Path dir) throws Exception
    {
        final Process p = Process.of(ProcessTest::readStdin, dir.toString());
        p.start();
        try
        {
            // before the fix the read blocked on the pipe the parent closes only after join() returns
            assertTrue(p.join(Await.DEFAULT), "join did not return: the child is blocked reading System.in");
            assertEquals(0, p.exitCode().getAsInt(), String.join("\n", p.stderrTail()));
            assertEquals("-1", Files.readString(dir.resolve("stdin-read")));
        }
        finally
        {
            p.kill();
            p.join();
        }
    }

    @Test
    void exitCodeIsZeroAfterANormalReturn() throws Exception
    {
        final Process p = Process.of(ProcessTest::noop);
        assertTrue(p.exitCode().isEmpty());
        p.start();
        p.join();
        assertEquals(0, p.exitCode().getAsInt());
        assertFalse(p.isAlive());
    }

    @Test
    void joinWithATimeoutTooLongForNanosecondsWaitsAsLongAsItTakes() throws Exception
    {
        final Process p = Process.of(ProcessTest::noop);
        p.start();
        assertTrue(p.join(java.time.temporal.ChronoUnit.FOREVER.getDuration()));   // threw ArithmeticException
        assertEquals(0, p.exitCode().getAsInt());
    }

    @Test
    void exitCodeIsOneWhenTheTargetThrowsAndTheTraceReachesStderr() throws Exception
    {
        final Process p = Process.of(ProcessTest::fail, "boom from the child");
        p.start();
        p.join();
        assertEquals(1, p.exitCode().getAsInt());
        final String stderr = String.join("\n", p.stderrTail());
        assertTrue(stderr.contains("Process " + p.name() + ":"), stderr);
        assertTrue(stderr.contains("IllegalStateException: boom from the child"), stderr);
        assertTrue(stderr.contains("ProcessTest.fail"), stderr);
    }

    @Test
    void exitCodeIsWhatTheChildPassedToExit() throws Exception
    {
        final Process p = Process.of(ProcessTest::exitWith, 3);
        p.start();
        p.join();
        assertEquals(3, p.exitCode().getAsInt());
    }

    @Test
    void terminateGivesMinus15AndRunsTheChildsShutdownHooks(@TempDir final Path dir) throws Exception
    {
        try (CapturedOutput out = new CapturedOutput())
        {
            final Process p = Process.of(ProcessTest::hookThenBlock, dir.toString());
            p.start();
            Await.until("child ready", () -> Files.exists(dir.resolve("ready")));
            p.terminate();
            p.join();
            assertEquals(-15, p.exitCode().getAsInt());
            assertEquals("graceful shutdown", Files.readString(dir.resolve("hook-ran")));
            // what the child prints while shutting down is not lost
            assertTrue(out.text().contains("hook says goodbye"), out.text());
        }
    }

    @Test
    void killGivesMinus9() throws Exception
    {
        final Process p = Process.of(ProcessTest::blockForever);
        p.start();
        p.kill();
        p.join();
        assertEquals(-9, p.exitCode().getAsInt());
    }

    @Test
    void joinWithTimeoutReturnsWhileTheChildStillRuns() throws Exception
    {
        final Process p = Process.of(ProcessTest::blockForever);
        p.start();
        assertFalse(p.join(Duration.ofMillis(200)));
        assertTrue(p.isAlive());
        assertTrue(p.exitCode().isEmpty());
        assertTrue(Process.activeChildren().contains(p));
        p.kill();
        assertTrue(p.join(Duration.ofSeconds(30)));
        assertFalse(Process.activeChildren().contains(p));
    }

    @Test
    void outputOfAChildThatExitsAtOnceIsNotLost() throws Exception
    {
        final int lines = 2000;
        final String text;
        try (CapturedOutput out = new CapturedOutput())
        {
            final Process p = Process.of(ProcessTest::printLines, lines);
            p.start();
            p.join();
            assertEquals(0, p.exitCode().getAsInt());
            text = out.text();
        }
        final List<String> got = text.lines().filter(l -> l.startsWith("line ")).toList();
        assertEquals(lines, got.size());
        assertEquals("line 0", got.get(0));
        assertEquals("line " + (lines - 1), got.get(lines - 1));
    }

    @Test
    void childKnowsItsNameDaemonFlagAndParent(@TempDir final Path dir) throws Exception
    {
        final Process p = Process.of(ProcessTest::describeSelf, dir.toString()).name("describer").daemon(true);
        p.start();
        p.join();
        assertEquals(0, p.exitCode().getAsInt());
        final String[] fields = Files.readString(dir.resolve("self")).split(" ");
        assertEquals("describer", fields[0]);
        assertEquals(p.pid(), Long.parseLong(fields[1]));
        assertEquals("true", fields[2]);
        assertEquals("true", fields[3]);
        assertEquals(ProcessHandle.current().pid(), Long.parseLong(fields[4]));
        assertEquals("MainProcess", fields[5]);
        // judged by pid and start time: the parent's start time travelled in the child's spec
        assertEquals("true", fields[6], "the child sees itself alive");
        assertEquals("true", fields[7], "the child sees its parent alive");
    }

    @Test
    void currentProcessOfTheMainJvm()
    {
        assertEquals("MainProcess", Process.currentProcess().name());
        assertEquals(ProcessHandle.current().pid(), Process.currentProcess().pid());
        assertFalse(Process.currentProcess().isChild());
        assertNull(Process.parentProcess());
        assertTrue(Process.currentProcess().isAlive());
        assertTrue(Process.cpuCount() >= 1);
    }

    @Test
    void defaultNamesFollowPython()
    {
        final Process a = Process.of(ProcessTest::noop);
        final Process b = Process.of(ProcessTest::noop);
        assertTrue(a.name().matches("Process-\\d+"), a.name());
        final int n = Integer.parseInt(a.name().substring("Process-".length()));
        assertEquals("Process-" + (n + 1), b.name());
    }

    @Test
    void misuseIsRefusedClearly() throws Exception
    {
        final Process p = Process.of(ProcessTest::noop);
        final IllegalStateException notStarted = assertThrows(IllegalStateException.class, p::join);
        assertTrue(notStarted.getMessage().contains("has not been started"), notStarted.getMessage());
        assertThrows(IllegalStateException.class, p::pid);
        p.start();
        final IllegalStateException twice = assertThrows(IllegalStateException.class, p::start);
        assertTrue(twice.getMessage().contains("only be started once"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> p.daemon(true));
        p.join();
        p.close();
        assertThrows(IllegalStateException.class, p::join);
    }

    @Test
    void closingARunningProcessIsRefused() throws Exception
    {
        final Process p = Process.of(ProcessTest::blockForever);
        p.start();
        assertThrows(IllegalStateException.class, p::close);
        p.kill();
        p.join();
        p.close();
    }

    /** Not serializable on purpose. */
    static final class Opaque
    {
    }

    static void takeOpaque(final Opaque ignored)
    {
    }

    @Test
    void aNonSerializableArgumentFailsAtStartNamingItsClass()
    {
        final Process p = Process.of(ProcessTest::takeOpaque, new Opaque());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, p::start);
        assertTrue(ex.getMessage().contains(Opaque.class.getName()), ex.getMessage());
        assertFalse(p.isAlive());
    }

    @Test
    void aNonSerializableCaptureFailsAtStart()
    {
        final Opaque captured = new Opaque();
        final Process p = Process.of(() -> System.out.println(captured));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, p::start);
        assertTrue(ex.getMessage().contains(Opaque.class.getName()), ex.getMessage());
    }

    @Test
    void aChildJvmThatCannotStartReportsItsStderrAndDoesNotHang() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-XX:+NoSuchOptionForMp4jTest")))
        {
            final Process p = Process.of(ProcessTest::noop).context(ctx);
            p.start();
            assertTrue(p.join(Duration.ofSeconds(60)));
            assertEquals(1, p.exitCode().getAsInt());
            final String stderr = String.join("\n", p.stderrTail());
            assertTrue(stderr.contains("NoSuchOptionForMp4jTest"), stderr);
        }
    }

    static void takeInstant(final java.time.Instant ignored)
    {
    }

    @Test
    void aJvmWideSerialFilterInTheChildRefusesAnArgumentNamingTheClassAndTheFilter() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-Djdk.serialFilter=!java.time.Instant")))
        {
            final Process p = Process.of(ProcessTest::takeInstant, java.time.Instant.EPOCH).context(ctx);
            p.start();
            assertTrue(p.join(Duration.ofSeconds(60)));
            assertEquals(1, p.exitCode().getAsInt());
            final String stderr = String.join("\n", p.stderrTail());
            assertTrue(stderr.contains("cannot read the task from the parent"), stderr);
            assertTrue(stderr.contains("java.time.Instant"), stderr);
            assertTrue(stderr.contains("jdk.serialFilter"), stderr);
        }
    }

    @Test
    void spareStartMethodRunsEachProcessInAFreshJvm() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPARE, List.of()))
        {
            assertTrue(ctx.awaitSpare(60, TimeUnit.SECONDS));
            final Process first = Process.of(ProcessTest::exitWith, 7).context(ctx);
            first.start();
            first.join();
            assertEquals(7, first.exitCode().getAsInt());
            assertTrue(ctx.awaitSpare(60, TimeUnit.SECONDS));
            final Process second = Process.of(ProcessTest::fail, "second").context(ctx);
            second.start();
            second.join();
            assertEquals(1, second.exitCode().getAsInt());
            assertNotEquals(first.pid(), second.pid());
        }
    }

    @Test
    void daemonChildDiesWhenItsParentJvmIsKilled() throws Exception
    {
        final List<String> command = io.mp4j.JvmFlags.childCommand(List.of(), DaemonParentMain.class.getName());
        final java.lang.Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        long childPid = -1;
        try
        {
            final BufferedReader reader = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
            final Pattern childLine = Pattern.compile("daemon-child-pid=(\\d+)");
            final List<String> seen = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null)
            {
                seen.add(line);
                final Matcher m = childLine.matcher(line);
                if (m.find())
                {
                    childPid = Long.parseLong(m.group(1));
                    break;
                }
            }
            assertTrue(childPid > 0, "parent did not report its child: " + seen);
            final Optional<ProcessHandle> child = ProcessHandle.of(childPid);
            assertTrue(child.isPresent() && child.get().isAlive(), "daemon child should be running");

            parent.destroyForcibly();
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
            final long pid = childPid;
            Await.until("daemon child " + pid + " to exit after its parent was killed",
                () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        }
        finally
        {
            parent.destroyForcibly();
            if (childPid > 0)
            {
                ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void nonDaemonChildIsJoinedAndDaemonChildTerminatedWhenTheParentExitsNormally() throws Exception
    {
        final List<String> command = io.mp4j.JvmFlags.childCommand(List.of(), ExitingParentMain.class.getName());
        final java.lang.Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            final String output = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, parent.exitValue(), output);
            // the non-daemon child finished its work after main returned: the parent waited for it
            assertTrue(output.contains("non-daemon child done"), output);
            final Matcher m = Pattern.compile("daemon-child-pid=(\\d+)").matcher(output);
            assertTrue(m.find(), output);
            final long pid = Long.parseLong(m.group(1));
            Await.until("daemon child to be gone", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        }
        finally
        {
            parent.destroyForcibly();
        }
    }

    @Test
    void theGlobalRuntimeDirectoryOutlivesTheExitTimeJoinOfNonDaemonChildren() throws Exception
    {
        final List<String> command = io.mp4j.JvmFlags.childCommand(List.of(), ValueAfterMainParentMain.class.getName());
        final java.lang.Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            final String output = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, parent.exitValue(), output);
            // before the fix the directory's cleanup hook ran beside the join: "cannot attach ... no such region"
            assertTrue(output.contains("OK 1"), output);
            assertFalse(output.contains("Process "), output);
            final Matcher m = Pattern.compile("runtime-dir=(\\S+)").matcher(output);
            assertTrue(m.find(), output);
            assertFalse(Files.exists(Path.of(m.group(1))), "the parent left its runtime directory: " + output);
        }
        finally
        {
            parent.destroyForcibly();
        }
    }

    @Test
    void aChildInheritsTheParentsJvmOptionsButNotItsRecordingOrLogFile(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        final String jfr = "-XX:StartFlightRecording=filename=" + dir.resolve("parent.jfr");
        final String log = "-Xlog:gc:file=" + dir.resolve("parent-gc.log");
        final List<String> command = io.mp4j.JvmFlags.childCommand(
            List.of("-Xmx300m", jfr, log), PrintChildFlagsMain.class.getName());
        final java.lang.Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            final String output = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, parent.exitValue(), output);
            final Matcher m = Pattern.compile("child-flags=(.*)").matcher(output);
            assertTrue(m.find(), output);
            final String childFlags = m.group(1);
            assertTrue(childFlags.contains("-Xmx300m"), childFlags);
            assertFalse(childFlags.contains("StartFlightRecording"), childFlags);
            assertFalse(childFlags.contains("parent-gc.log"), childFlags);
            assertTrue(output.contains("child exit 0"), output);
        }
        finally
        {
            parent.destroyForcibly();
        }
    }

    private static int freePort() throws IOException
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    void aChildGetsNeitherTheDebuggerFromJavaToolOptionsNorTheJmxPortOfItsParent() throws Exception
    {
        final int jmxPort = freePort();
        final List<String> command = new ArrayList<>(io.mp4j.JvmFlags.childCommand(List.of(
            "-Dcom.sun.management.jmxremote.port=" + jmxPort, "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false"), PrintChildFlagsMain.class.getName()));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_TOOL_OPTIONS",
            "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + freePort());
        builder.environment().put("JDK_JAVA_OPTIONS", "-Dmp4jtest.jdk.option=1");
        final java.lang.Process parent = builder.start();
        try
        {
            final String output = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, parent.exitValue(), output);
            // before the fix the child re-read JAVA_TOOL_OPTIONS (exit 2, "bind failed") and inherited the JMX
            // port (exit 1, "Port already in use")
            assertTrue(output.contains("child exit 0"), output);
            final Matcher m = Pattern.compile("child-flags=(.*)").matcher(output);
            assertTrue(m.find(), output);
            final String childFlags = m.group(1);
            assertFalse(childFlags.contains("jdwp"), childFlags);
            assertFalse(childFlags.contains("jmxremote"), childFlags);
            // the option from JDK_JAVA_OPTIONS reaches the child once, on its command line, not again from the environment
            assertEquals(1, childFlags.split("-Dmp4jtest.jdk.option=1", -1).length - 1, childFlags);
            assertEquals(1, output.split("Picked up JAVA_TOOL_OPTIONS", -1).length - 1, output);
        }
        finally
        {
            parent.destroyForcibly();
        }
    }

    /** The options {@link PrintChildCommandMain}, started with {@code parentOptions}, would give a child. */
    private static List<String> childOptionsOf(final List<String> parentOptions, final String... extraOptions) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(io.mp4j.JvmFlags.javaExecutable().toString());
        command.addAll(parentOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PrintChildCommandMain.class.getName());
        command.addAll(List.of(extraOptions));
        final java.lang.Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            final String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, jvm.exitValue(), output);
            final List<String> options = new ArrayList<>();
            for (final String line : output.split("\\R"))
            {
                if (line.startsWith("arg="))
                {
                    options.add(line.substring(4));
                }
            }
            final int cp = options.indexOf("-cp");
            assertTrue(cp > 0, output);
            return options.subList(1, cp);
        }
        finally
        {
            jvm.destroyForcibly();
        }
    }

    @Test
    void anExtraChildOptionComesAfterTheInheritedOnesEvenWhereItRepeatsOne() throws Exception
    {
        final List<String> options = childOptionsOf(List.of("-Xmx256m", "-Xmx512m"), "-Xmx256m");
        // before the fix the set kept -Xmx256m where the parent had it, before -Xmx512m, which won
        assertEquals("-Xmx256m", options.get(options.size() - 1), options.toString());
        assertEquals(options.indexOf("-Xmx256m"), options.lastIndexOf("-Xmx256m"), options.toString());
        assertTrue(options.contains("-Xmx512m"), options.toString());
    }

    @Test
    void aChildGetsNoLogOptionOfTheParentThatWritesToAFileNamedWithoutThePid(@TempDir final Path dir) throws Exception
    {
        final String bare = "-Xlog:gc*:" + dir.resolve("bare-gc.log");
        final String withFile = "-Xlog:gc:file=" + dir.resolve("file-gc.log") + "::filecount=2";
        final String legacy = "-Xloggc:" + dir.resolve("legacy-gc.log");
        final String perPid = "-Xlog:gc:" + dir.resolve("gc-%p.log");
        final String console = "-Xlog:gc:stderr";
        final List<String> options = childOptionsOf(List.of(bare, withFile, legacy, perPid, console));
        // before the fix only the file= form was dropped: children overwrote bare-gc.log and legacy-gc.log
        assertFalse(options.contains(bare), options.toString());
        assertFalse(options.contains(withFile), options.toString());
        assertFalse(options.contains(legacy), options.toString());
        assertTrue(options.contains(perPid), options.toString());
        assertTrue(options.contains(console), options.toString());
    }

    @SuppressWarnings("unchecked")
    private static java.util.Set<Process> trackedChildren() throws ReflectiveOperationException
    {
        final java.lang.reflect.Field field = Process.class.getDeclaredField("CHILDREN");
        field.setAccessible(true);
        return (java.util.Set<Process>)field.get(null);
    }

    @Test
    void startForgetsChildrenThatFinishedWithoutBeingJoined() throws Exception
    {
        final List<Process> finished = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final Process p = Process.of(ProcessTest::noop);
            p.start();
            finished.add(p);
        }
        for (final Process p : finished)
        {
            Await.until(p.name() + " to exit", () -> !p.isAlive());
            final String pumps = "mp4j-child-" + p.pid() + "-";
            Await.until("the output of " + p.name() + " to be copied", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith(pumps)));
        }
        assertTrue(trackedChildren().containsAll(finished));
        final Process next = Process.of(ProcessTest::noop);
        next.start();
        try
        {
            // before the fix the set kept every child that was never joined until the JVM exited
            for (final Process p : finished)
            {
                assertFalse(trackedChildren().contains(p), p + " is still tracked");
            }
            assertTrue(trackedChildren().contains(next));
        }
        finally
        {
            next.join();
        }
    }
}

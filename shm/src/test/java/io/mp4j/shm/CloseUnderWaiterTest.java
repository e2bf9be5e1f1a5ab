package io.mp4j.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a primitive while another thread of the same JVM waits in it: the waiter leaves with an
 * {@link IllegalStateException}, and the mapping is not pulled from under it (which killed the JVM with
 * SIGSEGV). Run in a child JVM ({@link CloseUnderWaiterChild}), so that a crash fails the test instead of
 * killing the test runner; the child is killed by pid at the end, pass or fail.
 */
class CloseUnderWaiterTest
{
    private static final long CHILD_NANOS = TimeUnit.SECONDS.toNanos(180);

    private final List<java.lang.Process> children = new ArrayList<>();

    @TempDir
    Path errorDir;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        for (final java.lang.Process child : children)
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lock", "rlock", "lockInterruptibly", "lockTimed", "event", "semaphore", "barrier", "condition"})
    void aWaiterLeavesWithIllegalStateExceptionWhenThePrimitiveIsClosedUnderIt(final String primitive) throws Exception
    {
        run(primitive, "backoff", 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lock", "event", "semaphore", "barrier", "condition"})
    void aSpinningWaiterLeavesWithIllegalStateExceptionWhenThePrimitiveIsClosedUnderIt(final String primitive) throws Exception
    {
        run(primitive, "spin", 100);
    }

    private void run(final String primitive, final String idle, final int rounds) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dmp4j."))
            {
                command.add(arg);
            }
        }
        command.add("-Xmx64m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-XX:ErrorFile=" + errorDir.resolve("hs_err_%p.log"));
        command.add("-D" + IdleStrategies.PROPERTY + "=" + idle);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CloseUnderWaiterChild.class.getName());
        command.add(primitive);
        command.add(String.valueOf(rounds));
        final java.lang.Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(child);
        final byte[] out = child.getInputStream().readAllBytes();
        assertTrue(child.waitFor(CHILD_NANOS, TimeUnit.NANOSECONDS), "the child did not end");
        final String printed = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), primitive + " (" + idle + "): the child failed; it printed:\n" + printed);
        assertTrue(printed.contains("ok"), printed);
    }
}

package io.mp4j.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Optional;

/**
 * Process identity as mp4j records it in shared memory: a pid plus the process start time, so that
 * a pid the kernel has handed to a new process is never mistaken for the process that used it before.
 *
 * <p>On Linux the start time is field 22 of {@code /proc/<pid>/stat} (clock ticks since boot): exact,
 * cheap to read, and the same value whichever process reads it. Elsewhere it falls back to
 * {@link ProcessHandle.Info#startInstant()} in milliseconds. A zombie (exited, not yet reaped) counts
 * as dead: it holds nothing and will never release anything.
 */
public final class ProcessIds
{
    /** Start time reported for a process that does not exist (or is a zombie). */
    public static final long NO_PROCESS = -1L;

    private static final Path PROC = Paths.get("/proc");
    private static final boolean HAS_PROC = Files.isRegularFile(PROC.resolve("self/stat"));
    private static final long CURRENT_PID = ProcessHandle.current().pid();
    private static final long CURRENT_START_TIME = startTime(CURRENT_PID);

    private ProcessIds()
    {
    }

    /**
     * @return the pid of this JVM.
     */
    public static long currentPid()
    {
        return CURRENT_PID;
    }

    /**
     * @return the start time of this JVM, in the units of {@link #startTime(long)}.
     */
    public static long currentStartTime()
    {
        return CURRENT_START_TIME;
    }

    /**
     * The start time of a process, comparable only with other values from this method on the same host.
     *
     * @param pid the process id.
     * @return the start time, or {@link #NO_PROCESS} if no such live process exists.
     */
    public static long startTime(final long pid)
    {
        if (pid <= 0)
        {
            return NO_PROCESS;
        }
        if (HAS_PROC)
        {
            return procStartTime(pid);
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive())
        {
            return NO_PROCESS;
        }
        return handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Whether the process identified by this pid and start time is still running.
     *
     * @param pid       the process id recorded by the process itself.
     * @param startTime its start time as recorded by {@link #startTime(long)}.
     * @return true if a live process with this pid exists and started at this time.
     */
    public static boolean isAlive(final long pid, final long startTime)
    {
        final long actual = startTime(pid);
        return actual != NO_PROCESS && actual == startTime;
    }

    private static long procStartTime(final long pid)
    {
        final String stat;
        try
        {
            stat = new String(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("stat")), StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            return NO_PROCESS;
        }
        // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
        final int afterName = stat.lastIndexOf(')');
        if (afterName < 0)
        {
            return NO_PROCESS;
        }
        final String[] fields = stat.substring(afterName + 2).split(" ");
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.length < 20)
        {
            return NO_PROCESS;
        }
        final String state = fields[0];
        if ("Z".equals(state) || "X".equals(state) || "x".equals(state))
        {
            return NO_PROCESS;
        }
        try
        {
            return Long.parseLong(fields[19]);
        }
        catch (final NumberFormatException ex)
        {
            return NO_PROCESS;
        }
    }
}

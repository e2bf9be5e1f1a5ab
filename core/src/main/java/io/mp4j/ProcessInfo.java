package io.mp4j;

import io.mp4j.shm.ProcessIds;

/**
 * What a process knows of itself or of its parent: Python's {@code current_process()} and
 * {@code parent_process()}. See {@link Process#currentProcess()} and {@link Process#parentProcess()}.
 *
 * <p>A process is identified by its pid and its start time, as the shared-memory primitives identify
 * their owners ({@link ProcessIds}): the kernel hands the pid of a process that exited to a new one,
 * which must not make the old process look alive.
 */
public final class ProcessInfo
{
    private final String name;
    private final long pid;
    private final long startTime;
    private final boolean daemon;
    private final boolean child;

    /**
     * @param startTime the start time of {@code pid} as {@link ProcessIds#startTime(long)} read it while that
     *                  process was known to be running, or {@link ProcessIds#NO_PROCESS} if unknown.
     */
    ProcessInfo(final String name, final long pid, final long startTime, final boolean daemon, final boolean child)
    {
        this.name = name;
        this.pid = pid;
        this.startTime = startTime;
        this.daemon = daemon;
        this.child = child;
    }

    /**
     * @return the process name: {@code MainProcess} for a JVM that mp4j did not start, else the name
     * its parent gave it ({@code Process-1} by default).
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the operating system's process id.
     */
    public long pid()
    {
        return pid;
    }

    /**
     * @return whether the process is a daemon child.
     */
    public boolean daemon()
    {
        return daemon;
    }

    /**
     * @return whether the process was started by mp4j as a child of another JVM.
     */
    public boolean isChild()
    {
        return child;
    }

    /**
     * @return the start time of the process, in the units of {@link ProcessIds#startTime(long)}, or
     * {@link ProcessIds#NO_PROCESS} if it is unknown.
     */
    long startTime()
    {
        return startTime;
    }

    /**
     * @return whether the process is still running: a live process has this pid and started at the time
     * recorded when this process was known, so a pid reused by another process after this one exited reads
     * as not alive.
     */
    public boolean isAlive()
    {
        return ProcessIds.isAlive(pid, startTime);
    }

    @Override
    public String toString()
    {
        return "ProcessInfo{name=" + name + ", pid=" + pid + (daemon ? ", daemon" : "") + '}';
    }
}

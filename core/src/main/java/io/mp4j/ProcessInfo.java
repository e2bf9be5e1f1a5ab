package io.mp4j;

import java.util.Optional;

/**
 * What a process knows of itself or of its parent: Python's {@code current_process()} and
 * {@code parent_process()}. See {@link Process#currentProcess()} and {@link Process#parentProcess()}.
 */
public final class ProcessInfo
{
    private final String name;
    private final long pid;
    private final boolean daemon;
    private final boolean child;

    ProcessInfo(final String name, final long pid, final boolean daemon, final boolean child)
    {
        this.name = name;
        this.pid = pid;
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
     * @return whether the process is still running.
     */
    public boolean isAlive()
    {
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && handle.get().isAlive();
    }

    @Override
    public String toString()
    {
        return "ProcessInfo{name=" + name + ", pid=" + pid + (daemon ? ", daemon" : "") + '}';
    }
}

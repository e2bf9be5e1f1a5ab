package io.mp4j;

/**
 * The worker JVM running a task died before returning its result: killed by a signal (exit code
 * {@code -9} for SIGKILL), ended by {@code System.exit}, or out of memory. The pool has already started
 * a replacement and its other tasks carry on; only the tasks that were on the dead worker fail (unless
 * the pool was built with {@link Pool.Builder#retryOnWorkerDeath(boolean)}, which runs each such task
 * once more before failing it).
 */
public final class WorkerDiedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long workerPid;
    private final int exitCode;

    /**
     * @param message   what happened.
     * @param workerPid the dead worker's pid.
     * @param exitCode  its exit code, as {@link Process#exitCode()} reports it.
     */
    public WorkerDiedException(final String message, final long workerPid, final int exitCode)
    {
        super(message);
        this.workerPid = workerPid;
        this.exitCode = exitCode;
    }

    /**
     * @return the pid of the worker that died.
     */
    public long workerPid()
    {
        return workerPid;
    }

    /**
     * @return its exit code: {@code -N} after signal N, else the status it exited with.
     */
    public int exitCode()
    {
        return exitCode;
    }
}

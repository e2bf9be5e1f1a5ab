package io.mp4j;

/**
 * A task run by a {@link Pool} or {@link ProcessPoolExecutor} worker threw. The cause is the exception
 * the task threw, deserialized in this JVM with the worker's stack trace (or, if it could not be
 * serialized, a stand-in with its class name, message and stack trace). The pool stays usable.
 *
 * <pre>{@code
 * try
 * {
 *     pool.map(Demo::parse, lines);
 * }
 * catch (RemoteTaskException ex)
 * {
 *     ex.getCause().printStackTrace();   // the stack trace in the worker JVM
 * }
 * }</pre>
 */
public final class RemoteTaskException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long workerPid;

    /**
     * @param message   what failed, and where.
     * @param workerPid the pid of the worker that ran the task.
     * @param cause     the task's exception, with its remote stack trace.
     */
    public RemoteTaskException(final String message, final long workerPid, final Throwable cause)
    {
        super(message, cause);
        this.workerPid = workerPid;
    }

    /**
     * @return the pid of the worker JVM in which the task threw.
     */
    public long workerPid()
    {
        return workerPid;
    }
}

package io.mp4j;

/**
 * Stands in for an exception thrown in a worker that could not be serialized: its class name and
 * message, and the worker's stack trace as its own.
 */
final class RemoteError extends Exception
{
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;

    RemoteError(final Throwable original)
    {
        super(original.getClass().getName() + (original.getMessage() == null ? "" : ": " + original.getMessage()),
            original.getCause() == null || original.getCause() == original ? null : new RemoteError(original.getCause()));
        this.remoteClassName = original.getClass().getName();
        setStackTrace(original.getStackTrace());
    }

    /**
     * @return the class name of the exception thrown in the worker.
     */
    String remoteClassName()
    {
        return remoteClassName;
    }
}

package io.mp4j.manager;

/**
 * The manager's server process is gone (killed, crashed or shut down): its connection broke or it cannot
 * be reached any more. The objects it held are lost. Thrown by the next call through any of its proxies,
 * including one that was blocked waiting (on a lock, a queue) when the server died.
 */
public class ManagerDiedException extends ManagerException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message which manager, and what was seen.
     * @param cause   the I/O failure.
     */
    public ManagerDiedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

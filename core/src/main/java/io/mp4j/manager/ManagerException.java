package io.mp4j.manager;

/**
 * A call through a manager proxy failed for a reason that is not the remote method's own exception: the
 * manager could not be reached, a value could not be sent, or the remote method threw a checked exception
 * the proxy's interface does not declare (then it is the cause, with the remote stack trace).
 */
public class ManagerException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     */
    public ManagerException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed.
     * @param cause   why.
     */
    public ManagerException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

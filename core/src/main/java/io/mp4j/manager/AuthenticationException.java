package io.mp4j.manager;

/**
 * The HMAC challenge-response with a manager failed: this side's key is not the manager's (the manager
 * refused it, and logged the refusal), or the peer could not prove it holds our key. Python's
 * {@code multiprocessing.AuthenticationError}.
 */
public class AuthenticationException extends ManagerException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message which manager, and which side failed.
     */
    public AuthenticationException(final String message)
    {
        super(message);
    }
}

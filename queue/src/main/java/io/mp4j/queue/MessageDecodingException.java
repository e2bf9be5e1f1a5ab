package io.mp4j.queue;

/**
 * A received message could not be turned back into an object: the deserialization filter refused one
 * of its classes, a class is missing in the receiving JVM, or the bytes are not a valid encoding. The
 * message was consumed: it is not delivered again.
 */
public final class MessageDecodingException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the class where known.
     * @param cause   the underlying failure.
     */
    public MessageDecodingException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

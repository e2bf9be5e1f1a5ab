package io.mp4j.queue;

/**
 * Python's {@code queue.Full}: the queue stayed full for the whole of a non-blocking or timed operation
 * ({@code FullException} is thrown by the Python-style methods; the Java-style {@code offer}/{@code poll}
 * return {@code false}/{@code null} instead). Unchecked, like {@link java.util.NoSuchElementException}.
 */
public final class FullException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the queue.
     */
    public FullException(final String message)
    {
        super(message);
    }
}

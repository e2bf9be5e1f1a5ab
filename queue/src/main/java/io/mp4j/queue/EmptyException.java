package io.mp4j.queue;

/**
 * Python's {@code queue.Empty}: the queue stayed empty for the whole of a non-blocking or timed operation
 * ({@code EmptyException} is thrown by the Python-style methods; the Java-style {@code offer}/{@code poll}
 * return {@code false}/{@code null} instead). Unchecked, like {@link java.util.NoSuchElementException}.
 */
public final class EmptyException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the queue.
     */
    public EmptyException(final String message)
    {
        super(message);
    }
}

package io.mp4j.queue;

import java.io.EOFException;
import java.io.UncheckedIOException;

/**
 * Python's {@code EOFError} and {@code BrokenPipeError} for a {@link Connection}: the peer end was
 * closed, or the process holding it died, and no message is left to receive (thrown by {@code recv}),
 * or nobody will ever receive what would be sent (thrown by {@code send}). The cause is a
 * {@link EOFException} with the same message, which names the peer's pid.
 */
public final class EndOfStreamException extends UncheckedIOException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened to the peer.
     */
    public EndOfStreamException(final String message)
    {
        super(message, new EOFException(message));
    }
}

package io.mp4j.queue;

/**
 * Python's {@code BufferTooShort}: {@link Connection#recvBytesInto(byte[], int)} was given a buffer too
 * small for the message. The message was consumed; it is available as {@link #message()}.
 */
public final class BufferTooShortException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient byte[] message;

    /**
     * @param message   the complete message.
     * @param available the room there was.
     */
    public BufferTooShortException(final byte[] message, final int available)
    {
        super("buffer too short: length=" + message.length + ", available=" + available);
        this.message = message;
    }

    /**
     * @return the message that did not fit.
     */
    public byte[] message()
    {
        return message;
    }
}

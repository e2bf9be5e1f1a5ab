package io.mp4j.queue;

/**
 * A message is longer than the queue can ever hold. Thrown by {@code put}/{@code offer} before anything
 * is written; nothing is truncated and nothing waits. The message names both numbers, as
 * {@code maxMessageLength=131072, length=200000}.
 */
public final class MessageTooLargeException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final int maxMessageLength;
    private final long length;

    /**
     * @param what             the queue or connection, for the message.
     * @param maxMessageLength the largest encoded message it accepts.
     * @param length           the encoded length of the rejected message.
     */
    public MessageTooLargeException(final String what, final int maxMessageLength, final long length)
    {
        super(what + ": message too large: maxMessageLength=" + maxMessageLength + ", length=" + length);
        this.maxMessageLength = maxMessageLength;
        this.length = length;
    }

    /**
     * @return the largest encoded message the queue accepts.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the encoded length of the rejected message.
     */
    public long length()
    {
        return length;
    }
}

package io.mp4j.queue;

import org.agrona.concurrent.UnsafeBuffer;

import java.time.Instant;

/**
 * A child JVM started with a JVM-wide {@code jdk.serialFilter}: decodes an {@link Instant} (allowed by the
 * codec's own filter) through the default codec and prints what happened.
 */
public final class SerialFilterChild
{
    private SerialFilterChild()
    {
    }

    public static void main(final String[] args)
    {
        final JavaSerializationCodec codec = new JavaSerializationCodec();
        final byte[] bytes = codec.encode(Instant.ofEpochSecond(42));
        try
        {
            System.out.println("DECODED " + codec.decode(new UnsafeBuffer(bytes), 0, bytes.length));
        }
        catch (final MessageDecodingException ex)
        {
            System.out.println("REFUSED " + ex.getMessage());
        }
    }
}

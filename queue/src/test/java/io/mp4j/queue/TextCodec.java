package io.mp4j.queue;

import org.agrona.DirectBuffer;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A codec of the tests that Java serialization cannot be mistaken for: it encodes an object as the text
 * "text:" + its toString and decodes to "decoded(" + that text + ")".
 */
final class TextCodec implements ObjectCodec, Serializable
{
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] encode(final Object value)
    {
        return ("text:" + value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object decode(final DirectBuffer buffer, final int offset, final int length)
    {
        return "decoded(" + buffer.getStringWithoutLengthUtf8(offset, length) + ")";
    }
}

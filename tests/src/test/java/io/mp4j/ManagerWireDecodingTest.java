package io.mp4j;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manager wire's value decoder against forged frames: a length is checked against the bytes the frame
 * holds before anything is allocated for it. In the package of the wire, to call its decoder directly.
 */
class ManagerWireDecodingTest
{
    private static ByteBuffer frame(final byte tag, final int length, final byte[] body)
    {
        final ByteBuffer b = ByteBuffer.allocate(1 + 4 + body.length);
        b.put(tag).putInt(length).put(body).flip();
        return b;
    }

    @Test
    void aLengthBeyondTheFrameIsRefusedNamingTheTagTheLengthAndTheBytesLeft()
    {
        for (final byte tag : new byte[]{ ManagerWire.TAG_BYTES, ManagerWire.TAG_OBJECT, ManagerWire.TAG_STRING })
        {
            // 5 bytes claiming 2 GB: this was an OutOfMemoryError for bytes and objects
            final StreamCorruptedException forged = assertThrows(StreamCorruptedException.class,
                () -> ManagerWire.getValue(frame(tag, 0x7ffffff0, new byte[0])));
            assertTrue(forged.getMessage().contains("length " + 0x7ffffff0) && forged.getMessage().contains("only 0 bytes left"),
                forged.getMessage());
            final StreamCorruptedException negative = assertThrows(StreamCorruptedException.class,
                () -> ManagerWire.getValue(frame(tag, -1, new byte[8])));
            assertTrue(negative.getMessage().contains("length -1") && negative.getMessage().contains("only 8 bytes left"),
                negative.getMessage());
            final StreamCorruptedException oneShort = assertThrows(StreamCorruptedException.class,
                () -> ManagerWire.getValue(frame(tag, 9, new byte[8])));
            assertTrue(oneShort.getMessage().contains("length 9"), oneShort.getMessage());
        }
        final StreamCorruptedException noLength = assertThrows(StreamCorruptedException.class,
            () -> ManagerWire.getValue(ByteBuffer.wrap(new byte[]{ ManagerWire.TAG_BYTES, 0, 0 })));
        assertTrue(noLength.getMessage().contains("TAG_BYTES") && noLength.getMessage().contains("only 2 bytes left"),
            noLength.getMessage());
    }

    @Test
    void valuesThatFitTheirFrameStillDecode() throws Exception
    {
        assertArrayEquals(new byte[]{ 1, 2, 3 }, (byte[])ManagerWire.getValue(frame(ManagerWire.TAG_BYTES, 3, new byte[]{ 1, 2, 3 })));
        assertArrayEquals(new byte[0], (byte[])ManagerWire.getValue(frame(ManagerWire.TAG_BYTES, 0, new byte[0])));
        assertEquals("abc", ManagerWire.getValue(frame(ManagerWire.TAG_STRING, 3, "abc".getBytes())));
        final ByteArrayOutputStream object = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(object))
        {
            out.writeObject(java.util.List.of(1, "two"));
        }
        final byte[] body = object.toByteArray();
        assertEquals(java.util.List.of(1, "two"), ManagerWire.getValue(frame(ManagerWire.TAG_OBJECT, body.length, body)));
    }
}

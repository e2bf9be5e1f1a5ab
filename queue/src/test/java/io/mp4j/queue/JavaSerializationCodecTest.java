package io.mp4j.queue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JavaSerializationCodec} against hostile input: forged lengths and graphs built to be expensive.
 */
class JavaSerializationCodecTest
{
    private final JavaSerializationCodec codec = new JavaSerializationCodec();

    private Object decode(final byte[] bytes)
    {
        return codec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static byte[] serialize(final Object value) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    @Test
    void aForgedArrayLengthIsRefusedBeforeAnythingIsAllocated() throws IOException
    {
        // a long[0] whose length, the stream's last 4 bytes, claims 0x7ffffff0 elements (16 GiB)
        final byte[] forged = serialize(new long[0]);
        final int at = forged.length - 4;
        forged[at] = 0x7f;
        forged[at + 1] = (byte)0xff;
        forged[at + 2] = (byte)0xff;
        forged[at + 3] = (byte)0xf0;
        final MessageDecodingException ex = assertThrows(MessageDecodingException.class, () -> decode(forged));
        assertTrue(ex.getMessage().contains("of length " + 0x7ffffff0) && ex.getMessage().contains(forged.length + " bytes"),
            ex.getMessage());
    }

    @Test
    void aLegitimateArrayAndAGraphAFewLevelsDeepStillDecode() throws IOException
    {
        final long[] longs = new long[1000];
        for (int i = 0; i < longs.length; i++)
        {
            longs[i] = i * 31L;
        }
        final Map<String, List<Object>> graph = new HashMap<>();
        graph.put("longs", new ArrayList<>(List.of(longs, new HashSet<>(Set.of(1, 2, 3)))));
        Exception chain = new IllegalStateException("root");
        for (int i = 0; i < 5; i++)
        {
            chain = new RuntimeException("wrapped " + i, chain);
        }
        graph.put("error", new ArrayList<>(List.of(chain, new HashMap<>(Map.of("k", new ArrayList<>(List.of("v")))))));
        final Map<?, ?> copy = (Map<?, ?>)decode(codec.encode(graph));
        assertArrayEquals(longs, (long[])((List<?>)copy.get("longs")).get(0));
        assertEquals(Set.of(1, 2, 3), ((List<?>)copy.get("longs")).get(1));
        assertEquals("wrapped 4", ((Exception)((List<?>)copy.get("error")).get(0)).getMessage());
        // and a message of a single 1 KiB array, as long as the array's elements allow
        assertArrayEquals(new byte[1024], (byte[])decode(codec.encode(new byte[1024])));
    }

    @Test
    void setsNestedDeepAreRefusedQuickly() throws IOException
    {
        // each level holds two sets that both hold the two sets of the level below: hashing a level
        // walks every path below it, 2^depth of them
        final Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 90; i++)
        {
            final Set<Object> t1 = new HashSet<>();
            final Set<Object> t2 = new HashSet<>();
            t1.add("x");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        final byte[] bytes = serialize(root);
        assertTrue(bytes.length < 8 * 1024, "a small message: " + bytes.length);
        final MessageDecodingException ex = assertTimeoutPreemptively(Duration.ofSeconds(5),
            () -> assertThrows(MessageDecodingException.class, () -> decode(bytes)));
        assertTrue(ex.getMessage().contains("depth 21") && ex.getMessage().contains("maxdepth=20"), ex.getMessage());
    }

    @Test
    void aCodecReceivedInAMessageCannotWidenWhatThisJvmAccepts() throws Exception
    {
        final JavaSerializationCodec wide = new JavaSerializationCodec("*");
        final byte[] refusedByDefault = wide.encode(new AtomicLong(7));
        assertEquals(7L, ((AtomicLong)wide.decode(new UnsafeBuffer(refusedByDefault), 0, refusedByDefault.length)).get(),
            "the sender's own codec decodes it");

        final JavaSerializationCodec received = (JavaSerializationCodec)decode(codec.encode(wide));
        final MessageDecodingException ex = assertThrows(MessageDecodingException.class,
            () -> received.decode(new UnsafeBuffer(refusedByDefault), 0, refusedByDefault.length));
        assertTrue(ex.getMessage().contains(AtomicLong.class.getName()) && ex.getMessage().contains("received in a message"),
            ex.getMessage());
        assertEquals(List.of(1L, "x"), received.decode(new UnsafeBuffer(received.encode(List.of(1L, "x"))), 0,
            received.encode(List.of(1L, "x")).length), "what this JVM allows still decodes");

        // narrowed, it stays narrowed wherever it travels, even through a trusted channel
        final Object again;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialize(received)));
             JavaSerializationCodec.TrustedSenders trusted = JavaSerializationCodec.trustingSenders())
        {
            again = in.readObject();
        }
        assertThrows(MessageDecodingException.class,
            () -> ((JavaSerializationCodec)again).decode(new UnsafeBuffer(refusedByDefault), 0, refusedByDefault.length));
    }

    @Test
    void aCodecFromATrustedChannelKeepsItsPatterns() throws Exception
    {
        // what ChildSpec and the pool's tasks do: the parent's codecs keep the allow-lists it gave them
        final JavaSerializationCodec allowing = new JavaSerializationCodec(AtomicLong.class.getName());
        final Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialize(allowing)));
             JavaSerializationCodec.TrustedSenders trusted = JavaSerializationCodec.trustingSenders())
        {
            copy = in.readObject();
        }
        assertEquals(allowing.filterDescription(), ((JavaSerializationCodec)copy).filterDescription());
        final byte[] bytes = allowing.encode(new AtomicLong(3));
        assertEquals(3L, ((AtomicLong)((JavaSerializationCodec)copy).decode(new UnsafeBuffer(bytes), 0, bytes.length)).get());

        // and a message decoded inside a trusted read is still a message
        final byte[] message = codec.encode(new JavaSerializationCodec("*"));
        final Object fromMessage;
        try (JavaSerializationCodec.TrustedSenders trusted = JavaSerializationCodec.trustingSenders())
        {
            fromMessage = decode(message);
        }
        final byte[] atomic = new JavaSerializationCodec("*").encode(new AtomicLong(1));
        assertThrows(MessageDecodingException.class,
            () -> ((JavaSerializationCodec)fromMessage).decode(new UnsafeBuffer(atomic), 0, atomic.length));
    }
}

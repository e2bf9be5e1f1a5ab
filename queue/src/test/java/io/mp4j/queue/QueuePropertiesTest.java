package io.mp4j.queue;

import io.mp4j.shm.RuntimeDirectory;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties over real processes: for any message sizes (0 bytes to beyond the maximum), counts,
 * producers and consumers, the multiset received equals the multiset of accepted messages sent, and
 * each consumer sees each producer's messages in order.
 */
class QueuePropertiesTest
{
    private static final int CAPACITY = 4096;
    private static final int MAX = CAPACITY / 8;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private RuntimeDirectory dir;
    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeTry
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterTry
    void tearDown() throws Exception
    {
        for (final ChildJvm child : children)
        {
            child.close();
        }
        children.clear();
        dir.close();
    }

    /**
     * The message number {@code seq} of producer {@code id}, {@code size} bytes: from 8 bytes on it starts
     * with the producer and sequence numbers.
     */
    static byte[] message(final int id, final int seq, final int size)
    {
        final byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)(id * 31 + seq + i);
        }
        if (size >= 8)
        {
            ByteBuffer.wrap(bytes).putInt(id).putInt(seq);
        }
        return bytes;
    }

    @Property(tries = 4, shrinking = ShrinkingMode.OFF)
    void receivedMultisetEqualsSentAndProducerOrderHolds(
        @ForAll @IntRange(min = 1, max = 2) final int producers,
        @ForAll @IntRange(min = 1, max = 2) final int consumers,
        @ForAll @Size(max = 40) final List<@IntRange(min = 0, max = MAX + 200) Integer> sizes) throws Exception
    {
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q", CAPACITY, null))
        {
            final String sizeList = sizes.stream().map(String::valueOf).collect(Collectors.joining(","));
            final List<ChildJvm> consumerJvms = new ArrayList<>();
            final List<Path> outputs = new ArrayList<>();
            for (int c = 0; c < consumers; c++)
            {
                final Path out = dir.resolve("out" + c);
                outputs.add(out);
                final ChildJvm child = ChildJvm.start(QueueChild.class, "consume-bytes", q.path().toString(), out.toString());
                children.add(child);
                consumerJvms.add(child);
            }
            final List<ChildJvm> producerJvms = new ArrayList<>();
            for (int p = 0; p < producers; p++)
            {
                final ChildJvm child = ChildJvm.start(QueueChild.class, "produce-bytes", q.path().toString(), Integer.toString(p), sizeList);
                children.add(child);
                producerJvms.add(child);
            }
            final long oversized = sizes.stream().filter(s -> s > MAX).count();
            for (final ChildJvm producer : producerJvms)
            {
                assertEquals("done " + oversized, producer.awaitLine("done", WAIT), "oversized messages rejected at put");
                producer.assertExitsCleanly(WAIT);
            }
            for (int c = 0; c < consumers; c++)
            {
                q.put("STOP");
            }
            for (final ChildJvm consumer : consumerJvms)
            {
                consumer.assertExitsCleanly(WAIT);
            }

            final Map<String, Integer> expected = new HashMap<>();
            for (int p = 0; p < producers; p++)
            {
                for (int i = 0; i < sizes.size(); i++)
                {
                    if (sizes.get(i) <= MAX)
                    {
                        expected.merge(key(message(p, i, sizes.get(i))), 1, Integer::sum);
                    }
                }
            }
            final Map<String, Integer> received = new HashMap<>();
            for (final Path out : outputs)
            {
                final int[] last = { -1, -1 };
                for (final byte[] m : readMessages(out))
                {
                    received.merge(key(m), 1, Integer::sum);
                    if (m.length >= 8)
                    {
                        final ByteBuffer b = ByteBuffer.wrap(m);
                        final int id = b.getInt();
                        final int seq = b.getInt();
                        assertTrue(seq > last[id], "producer " + id + " out of order: " + seq + " after " + last[id]);
                        last[id] = seq;
                    }
                }
            }
            assertEquals(expected, received);
        }
    }

    private static String key(final byte[] m)
    {
        return Base64.getEncoder().encodeToString(m);
    }

    static List<byte[]> readMessages(final Path file) throws Exception
    {
        final List<byte[]> messages = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file))))
        {
            while (true)
            {
                final int length;
                try
                {
                    length = in.readInt();
                }
                catch (final EOFException end)
                {
                    break;
                }
                final byte[] m = new byte[length];
                in.readFully(m);
                messages.add(m);
            }
        }
        return messages;
    }
}

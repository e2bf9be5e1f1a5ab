package io.mp4j.queue;

import io.mp4j.shm.RuntimeDirectory;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For any message sizes, from empty to many times a ring record, a pipe delivers every message whole
 * and in order (a sender thread and a receiver over a 1 KiB ring, so most messages are fragmented).
 */
class PipePropertiesTest
{
    @Property(tries = 30)
    void everyMessageArrivesWholeAndInOrder(
        @ForAll @Size(max = 30) final List<@IntRange(min = 0, max = 5000) Integer> sizes,
        @ForAll final boolean asObjects) throws Exception
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            final Pipe pipe = Pipe.create(dir, "p", false, 1024, null);
            try (Connection reader = pipe.first(); Connection writer = pipe.second())
            {
                final CompletableFuture<Void> sender = TestThreads.run(() ->
                {
                    for (int i = 0; i < sizes.size(); i++)
                    {
                        final byte[] m = QueuePropertiesTest.message(0, i, sizes.get(i));
                        if (asObjects)
                        {
                            writer.send(new java.util.ArrayList<>(List.of(i, "é".repeat(m.length))));
                        }
                        else
                        {
                            writer.sendBytes(m);
                        }
                    }
                });
                for (int i = 0; i < sizes.size(); i++)
                {
                    if (asObjects)
                    {
                        assertEquals(List.of(i, "é".repeat(sizes.get(i))), reader.recv(java.time.Duration.ofSeconds(60)));
                    }
                    else
                    {
                        assertTrue(reader.poll(java.time.Duration.ofSeconds(60)), "sender failed: " + sender);
                        assertArrayEquals(QueuePropertiesTest.message(0, i, sizes.get(i)), reader.recvBytes());
                    }
                }
                sender.get(60, TimeUnit.SECONDS);
            }
        }
    }
}

package io.mp4j;

import io.mp4j.shm.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A record too long for the ring travels in a file ({@code MSG_BLOB}). In the package of
 * {@link WorkerChannel}, which is internal: the pool's tests see only that nothing is left behind, not
 * that a write refused for a full ring (back-pressure, retried by the caller) creates no file at all.
 */
class WorkerChannelBlobTest
{
    private static final int CAPACITY = 4096;

    private static UnsafeBuffer message(final int length, final int seed)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            b.putByte(i, (byte)(seed * 31 + i));
        }
        return b;
    }

    private static List<String> namesIn(final Path dir) throws Exception
    {
        try (Stream<Path> files = Files.list(dir))
        {
            final List<String> names = new ArrayList<>();
            files.forEach(f -> names.add(f.getFileName().toString()));
            return names;
        }
    }

    @Test
    void aWriteRefusedByAFullRingCreatesNoFileAndWhatWasAcceptedArrivesOnceEach(@TempDir final Path dir) throws Exception
    {
        final WorkerChannel channel = WorkerChannel.create(dir.resolve("worker"), CAPACITY);
        try
        {
            final OneToOneRingBuffer ring = channel.tasks();
            final int length = ring.maxMsgLength() + 100;
            int accepted = 0;
            while (true)
            {
                final boolean room = channel.hasRoomForFileRecord(ring);
                final boolean taken = channel.offer(ring, WorkerChannel.MSG_TASK, message(length, accepted), 0, length);
                assertTrue(taken || !room, "a ring said to have room refused a record naming a file");
                if (!taken)
                {
                    break;
                }
                accepted++;
                assertTrue(accepted < CAPACITY, "the ring never filled");
            }
            assertFalse(channel.hasRoomForFileRecord(ring));
            assertTrue(accepted > 1);
            assertEquals(accepted + 1, namesIn(dir).size(), "the region and one file per accepted record");
            for (final String name : namesIn(dir))
            {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve(name))), name);
            }

            try (WatchService watch = FileSystems.getDefault().newWatchService())
            {
                final WatchKey key = dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
                for (int retry = 0; retry < 5; retry++)
                {
                    assertFalse(channel.offer(ring, WorkerChannel.MSG_TASK, message(length, -1), 0, length), "the ring is still full");
                }
                // events come in order: once our marker's creation is seen, any file the refused writes made was seen
                Files.createFile(dir.resolve("marker"));
                final List<String> created = new ArrayList<>();
                Await.until("the marker's creation event", () ->
                {
                    for (final WatchEvent<?> event : key.pollEvents())
                    {
                        created.add(String.valueOf(event.context()));
                    }
                    key.reset();
                    return created.contains("marker");
                });
                assertEquals(List.of("marker"), created, "a write the full ring refused created files");
            }
            Files.delete(dir.resolve("marker"));

            final List<Integer> seeds = new ArrayList<>();
            final int read = ring.read(channel.unblobbing((type, buffer, index, len) ->
            {
                assertEquals(WorkerChannel.MSG_TASK, type);
                assertEquals(length, len);
                final int seed = seeds.size();
                for (int i = 0; i < len; i++)
                {
                    assertEquals((byte)(seed * 31 + i), buffer.getByte(index + i), "byte " + i + " of record " + seed);
                }
                seeds.add(seed);
            }), Integer.MAX_VALUE);
            assertEquals(accepted, read, "each accepted record arrives once");
            assertEquals(List.of("worker"), namesIn(dir), "the reader deleted every file it read");
        }
        finally
        {
            channel.closeAndDelete();
        }
    }

    @Test
    void closingTheChannelDeletesTheFilesOfRecordsNeverRead(@TempDir final Path dir) throws Exception
    {
        final WorkerChannel channel = WorkerChannel.create(dir.resolve("worker"), CAPACITY);
        final int length = channel.tasks().maxMsgLength() + 1;
        assertTrue(channel.offer(channel.tasks(), WorkerChannel.MSG_TASK, message(length, 1), 0, length));
        assertTrue(channel.offer(channel.results(), WorkerChannel.MSG_RESULT, message(length, 2), 0, length));
        // another worker's channel in the same directory keeps its files
        final WorkerChannel other = WorkerChannel.create(dir.resolve("worker1"), CAPACITY);
        try
        {
            assertTrue(other.offer(other.tasks(), WorkerChannel.MSG_TASK, message(length, 3), 0, length));
            assertEquals(5, namesIn(dir).size());
            channel.closeAndDelete();
            final List<String> left = namesIn(dir);
            assertEquals(2, left.size(), String.valueOf(left));
            assertTrue(left.contains("worker1"), String.valueOf(left));
        }
        finally
        {
            other.closeAndDelete();
        }
        assertEquals(List.of(), namesIn(dir));
    }
}

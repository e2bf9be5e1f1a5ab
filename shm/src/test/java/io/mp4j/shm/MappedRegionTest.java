package io.mp4j.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MappedRegionTest
{
    @AutoClose
    private final RuntimeDirectory dir = RuntimeDirectory.create();

    @Test
    void createThenAttachSeesHeaderAndPayload() throws IOException
    {
        final Path file = dir.resolve("r1");
        try (MappedRegion created = MappedRegion.create(file, RegionType.VALUE, 7, 64))
        {
            created.buffer().putLong(8, 42L);
            created.publish();
            try (MappedRegion attached = MappedRegion.attach(file, RegionType.VALUE))
            {
                assertEquals(RegionType.VALUE, attached.type());
                assertEquals(7, attached.variant());
                assertEquals(64, attached.payloadLength());
                assertEquals(ProcessIds.currentPid(), attached.creatorPid());
                assertEquals(ProcessIds.currentStartTime(), attached.creatorStartTime());
                assertTrue(attached.isCreatorAlive());
                assertEquals(42L, attached.buffer().getLong(8));
            }
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(MappedRegion.HEADER_LENGTH + 64, Files.size(file));
    }

    @Test
    void createRefusesAnExistingFile()
    {
        final Path file = dir.resolve("r2");
        MappedRegion.create(file, RegionType.LOCK, 0, 8).publish().close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> MappedRegion.create(file, RegionType.LOCK, 0, 8));
        assertTrue(ex.getMessage().contains("already exists"), ex.getMessage());
    }

    @Test
    void attachRejectsWrongType()
    {
        final Path file = dir.resolve("r3");
        MappedRegion.create(file, RegionType.QUEUE, 0, 8).publish().close();
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.VALUE));
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("wrong type: the region is a QUEUE, not a VALUE"), ex.getMessage());
    }

    @Test
    void attachRejectsWrongMagic() throws IOException
    {
        final Path file = dir.resolve("r4");
        Files.write(file, new byte[256]);
        Files.write(file, "GARBAGE!".getBytes(), StandardOpenOption.WRITE);
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.VALUE));
        assertTrue(ex.getMessage().contains("not an mp4j region"), ex.getMessage());
    }

    @Test
    void attachRejectsNewerLayoutVersion()
    {
        final Path file = dir.resolve("r5");
        try (MappedRegion region = MappedRegion.create(file, RegionType.VALUE, 0, 8))
        {
            region.wholeBuffer().putInt(MappedRegion.VERSION_OFFSET, MappedRegion.LAYOUT_VERSION + 1);
        }
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.VALUE));
        assertTrue(ex.getMessage().contains("layout version " + (MappedRegion.LAYOUT_VERSION + 1) + " is newer"), ex.getMessage());
    }

    @Test
    void attachRejectsAFileShorterThanTheHeader() throws IOException
    {
        final Path file = dir.resolve("r6");
        Files.write(file, new byte[10]);
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.VALUE));
        assertTrue(ex.getMessage().contains("truncated: 10 bytes"), ex.getMessage());
    }

    @Test
    void attachRejectsATruncatedPayload() throws IOException
    {
        final Path file = dir.resolve("r7");
        MappedRegion.create(file, RegionType.ARRAY, 0, 4096).publish().close();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(MappedRegion.HEADER_LENGTH + 100);
        }
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.ARRAY));
        assertTrue(ex.getMessage().contains("truncated: 228 bytes, but the header promises"), ex.getMessage());
    }

    @Test
    void regionInfoReportsACorruptPayloadLengthThatWouldOverflow() throws IOException
    {
        final Path file = dir.resolve("r7b");
        MappedRegion.create(file, RegionType.ARRAY, 0, 64).publish().close();
        assertNull(RegionInfo.read(file).problem());
        for (final long corrupt : new long[]{ Long.MAX_VALUE, Long.MAX_VALUE - 100, -1 })
        {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.seek(MappedRegion.PAYLOAD_LENGTH_OFFSET);
                raf.writeLong(Long.reverseBytes(corrupt));   // the header is little-endian
            }
            // HEADER_LENGTH + Long.MAX_VALUE is negative: the file looked long enough, and no problem was reported
            final String problem = RegionInfo.read(file).problem();
            assertTrue(problem != null && problem.contains("payload length " + corrupt), String.valueOf(problem));
        }
    }

    @Test
    void regionInfoStateIsEmptyOnceTheFileNoLongerHoldsTheRegionItRead() throws IOException
    {
        final MappedEvent event = MappedEvent.create(dir, "e");
        final MappedValue value = MappedValue.create(dir, "v", "i", 42);
        try
        {
            event.set();
            final RegionInfo info = RegionInfo.read(event.path());
            assertEquals(MappedEvent.describe(event.region.buffer()), info.state());
            assertFalse(info.state().isEmpty());
            // replaced by a region of another type, and a longer one: before, the event's inspector read the value's
            // payload as an event's and described it
            Files.copy(value.path(), event.path(), StandardCopyOption.REPLACE_EXISTING);
            assertEquals("", info.state());
            assertEquals(RegionInfo.read(value.path()).state(), RegionInfo.read(event.path()).state());
        }
        finally
        {
            event.close();
            value.close();
        }
    }

    @Test
    void attachRejectsAnUnpublishedHeaderAfterABoundedWait()
    {
        final Path file = dir.resolve("r8");
        MappedRegion.create(file, RegionType.VALUE, 0, 8).close();
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.VALUE));
        assertTrue(ex.getMessage().contains("never published"), ex.getMessage());
    }

    @Test
    void attachRejectsUnknownTypeCode()
    {
        final Path file = dir.resolve("r9");
        try (MappedRegion region = MappedRegion.create(file, RegionType.VALUE, 0, 8))
        {
            region.wholeBuffer().putInt(MappedRegion.TYPE_OFFSET, 9999);
            region.publish();
        }
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, null));
        assertTrue(ex.getMessage().contains("unknown region type code 9999"), ex.getMessage());
    }

    @Test
    void attachRejectsAForgedHeaderLength()
    {
        final Path file = dir.resolve("r9b");
        try (MappedRegion region = MappedRegion.create(file, RegionType.VALUE, 0, 8))
        {
            region.wholeBuffer().putInt(MappedRegion.HEADER_LENGTH_OFFSET, 256);
            region.publish();
        }
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.VALUE));
        assertTrue(ex.getMessage().contains("header length 256, expected " + MappedRegion.HEADER_LENGTH), ex.getMessage());
    }

    @Test
    void attachReportsAMissingFile()
    {
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(dir.resolve("missing"), RegionType.VALUE));
        assertTrue(ex.getMessage().contains("no such region"), ex.getMessage());
    }

    @Test
    void attachRefusesAFileOfAnotherUser() throws IOException
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        final Path file = dir.resolve("foreign");
        MappedRegion.create(file, RegionType.SHARED_MEMORY, 0, 64).publish().close();
        Files.setAttribute(file, "unix:uid", 65534);
        for (final Executable attach : new Executable[]{
            () -> MappedRegion.attach(file, RegionType.SHARED_MEMORY).close(),
            () -> SharedMemory.attach(file).close() })
        {
            final InvalidRegionException ex = assertThrows(InvalidRegionException.class, attach);
            assertEquals(file, ex.file());
            assertTrue(ex.getMessage().contains(file + ": a foreign file: it belongs to uid 65534"), ex.getMessage());
        }
    }

    @Test
    void attachRefusesASymbolicLinkToAValidRegion() throws IOException
    {
        final Path file = dir.resolve("real");
        MappedRegion.create(file, RegionType.SHARED_MEMORY, 0, 64).publish().close();
        final Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        for (final Executable attach : new Executable[]{
            () -> MappedRegion.attach(link, RegionType.SHARED_MEMORY).close(),
            () -> SharedMemory.attach(link).close() })
        {
            final InvalidRegionException ex = assertThrows(InvalidRegionException.class, attach);
            assertTrue(ex.getMessage().contains(link + ": a symbolic link"), ex.getMessage());
        }
        MappedRegion.attach(file, RegionType.SHARED_MEMORY).close();
    }

    @Test
    void createRejectsANegativeLength()
    {
        assertThrows(IllegalArgumentException.class, () -> MappedRegion.create(dir.resolve("neg"), RegionType.VALUE, 0, -1));
    }

    @Test
    void closedRegionRefusesItsBuffer()
    {
        final MappedRegion region = MappedRegion.create(dir.resolve("c"), RegionType.VALUE, 0, 8).publish();
        region.close();
        region.close();
        assertThrows(IllegalStateException.class, region::buffer);
    }

    @Test
    void magicSpellsTheFormatName()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putLong(0, MappedRegion.MAGIC, java.nio.ByteOrder.LITTLE_ENDIAN);
        final byte[] bytes = new byte[8];
        buffer.getBytes(0, bytes);
        assertEquals("MP4JRGN1", new String(bytes));
    }

    @Test
    void zeroFilledOnCreate() throws IOException
    {
        final Path file = dir.resolve("z");
        MappedRegion.create(file, RegionType.SHARED_MEMORY, 0, 3 << 20).publish().close();
        try (FileChannel channel = FileChannel.open(file))
        {
            assertEquals(MappedRegion.HEADER_LENGTH + (3 << 20), channel.size());
        }
    }

    @Test
    void attachWaitsForACreatorStillWritingTheHeader() throws Exception
    {
        // what an attacher sees between the creator's zero-fill and its header: a file of zeros
        final Path file = dir.resolve("in-progress");
        Files.write(file, new byte[MappedRegion.HEADER_LENGTH + 64]);
        final java.util.concurrent.CompletableFuture<MappedRegion> attacher = new java.util.concurrent.CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                attacher.complete(MappedRegion.attach(file, RegionType.VALUE));
            }
            catch (final RuntimeException ex)
            {
                attacher.completeExceptionally(ex);
            }
        });
        thread.start();
        final Path staged = dir.resolve("staged");
        try (MappedRegion source = MappedRegion.create(staged, RegionType.VALUE, 0, 64).publish())
        {
            final byte[] header = new byte[MappedRegion.HEADER_LENGTH];
            source.wholeBuffer().getBytes(0, header);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE))
            {
                channel.write(java.nio.ByteBuffer.wrap(header), 0);
            }
        }
        try (MappedRegion attached = attacher.get(30, java.util.concurrent.TimeUnit.SECONDS))
        {
            assertEquals(RegionType.VALUE, attached.type());
            assertEquals(64, attached.payloadLength());
        }
        thread.join();
    }

    @Test
    void attachRefusesAnAllZeroFileAfterABoundedWait() throws IOException
    {
        final Path file = dir.resolve("zeros");
        Files.write(file, new byte[MappedRegion.HEADER_LENGTH]);
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class,
            () -> MappedRegion.attach(file, RegionType.VALUE));
        assertTrue(ex.getMessage().contains("an all-zero header was never written"), ex.getMessage());
    }
}

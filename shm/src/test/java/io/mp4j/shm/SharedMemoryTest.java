package io.mp4j.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedMemoryTest
{
    @TempDir
    Path base;

    @Test
    void createAttachSeeSameBytes()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            SharedMemory created = SharedMemory.create(dir, "block", 1000);
            SharedMemory attached = SharedMemory.attach(dir, "block"))
        {
            assertEquals(1000, created.size());
            assertEquals(1000, attached.size());
            assertEquals("block", attached.name());
            assertTrue(created.isCreator());
            assertFalse(attached.isCreator());
            created.buffer().putLong(992, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, attached.buffer().getLong(992));
            final ByteBuffer bb = attached.byteBuffer();
            assertEquals(0, bb.position());
            assertEquals(1000, bb.limit());
            bb.put(0, (byte)42);
            assertEquals(42, created.buffer().getByte(0));
        }
    }

    @Test
    void unlinkDeletesTheFileButViewsStayValid()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            SharedMemory shm = SharedMemory.create(dir, "gone", 64))
        {
            shm.unlink();
            assertFalse(Files.exists(shm.path()));
            shm.buffer().putInt(0, 7);
            assertEquals(7, shm.buffer().getInt(0));
            assertThrows(InvalidRegionException.class, () -> SharedMemory.attach(dir, "gone"));
            shm.unlink();
        }
    }

    @Test
    void attachRefusesOtherRegionTypes()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            ShareableList list = ShareableList.create(dir, "list", java.util.List.of(1)))
        {
            final InvalidRegionException ex = assertThrows(InvalidRegionException.class, () -> SharedMemory.attach(dir, "list"));
            assertTrue(ex.getMessage().contains("wrong type"), ex.getMessage());
        }
    }

    @Test
    void serializesAsAHandleThatReattaches() throws Exception
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            SharedMemory shm = SharedMemory.create(dir, "sent", 16))
        {
            shm.buffer().putInt(4, 99);
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes))
            {
                out.writeObject(shm);
            }
            assertTrue(bytes.size() < 400, "handle is small: " + bytes.size());
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()));
                SharedMemory copy = (SharedMemory)in.readObject())
            {
                assertNotSame(shm, copy);
                assertEquals(99, copy.buffer().getInt(4));
                assertFalse(copy.isCreator());
            }
        }
    }

    @Test
    void closedViewRefusesAccessAndDirectoryCloseRemovesLeakedBlocks()
    {
        final Path file;
        try (RuntimeDirectory dir = RuntimeDirectory.create(base))
        {
            final SharedMemory shm = SharedMemory.create(dir, "leaked", 32);
            file = shm.path();
            shm.close();
            assertThrows(IllegalStateException.class, shm::byteBuffer);
            assertThrows(IllegalStateException.class, shm::buffer);
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void negativeSizeIsRefused()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base))
        {
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(dir, "neg", -1));
        }
    }
}

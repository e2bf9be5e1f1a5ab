package io.mp4j.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShareableListTest
{
    @TempDir
    Path base;

    @Test
    void holdsEachTypeAndIsSeenByAnotherView()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            ShareableList sl = ShareableList.create(dir, "sl", List.of(42, 3.5, true, "hello", 7L, new byte[]{ 1, 2, 3 }));
            ShareableList other = ShareableList.attach(dir, "sl"))
        {
            assertEquals(6, other.size());
            assertEquals(42, other.get(0));
            assertEquals(3.5, other.get(1));
            assertEquals(true, other.get(2));
            assertEquals("hello", other.get(3));
            assertEquals(7L, other.get(4));
            assertArrayEquals(new byte[]{ 1, 2, 3 }, (byte[])other.get(5));
            assertEquals(ShareableList.SlotType.STRING, other.type(3));
            assertEquals(8, other.capacity(3));

            sl.set(0, -5);
            sl.set(3, "howdy!!!");
            sl.setLong(4, Long.MIN_VALUE);
            assertEquals(-5, other.get(0));
            assertEquals("howdy!!!", other.get(3));
            assertEquals(Long.MIN_VALUE, other.getLong(4));
            assertEquals(3, other.indexOf("howdy!!!"));
            assertEquals(1, other.count(true));
        }
    }

    @Test
    void countIndexOfAndLastIndexOfCompareByteArraysByContent()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            ShareableList sl = ShareableList.create(dir, "sl", List.of(new byte[]{ 1, 2 }, "x", new byte[]{ 1, 2 }, new byte[]{ 3 })))
        {
            assertEquals(2, sl.count(new byte[]{ 1, 2 }));   // was 0: byte[].equals is identity
            assertEquals(1, sl.count(new byte[]{ 3 }));
            assertEquals(0, sl.count(new byte[]{ 4 }));
            assertEquals(1, sl.count("x"));
            assertEquals(0, sl.indexOf(new byte[]{ 1, 2 }));
            assertEquals(2, sl.lastIndexOf(new byte[]{ 1, 2 }));
            assertEquals(-1, sl.lastIndexOf(new byte[]{ 4 }));
            assertTrue(sl.contains(new byte[]{ 3 }));
        }
    }

    @Test
    void slotTypesAreFixed()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            ShareableList sl = ShareableList.create(dir, "typed", List.of(1, "a")))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> sl.set(0, "text"));
            assertTrue(ex.getMessage().contains("slot 0 holds INT"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> sl.set(1, 2));
            assertThrows(IllegalArgumentException.class, () -> sl.set(0, 2L));
            assertTrue(assertThrows(UnsupportedOperationException.class, () -> sl.add(3)).getMessage().contains("fixed length"));
            assertThrows(UnsupportedOperationException.class, () -> sl.remove(0));
            assertThrows(IndexOutOfBoundsException.class, () -> sl.get(2));
            assertThrows(IllegalArgumentException.class, () -> ShareableList.create(dir, "bad", List.of(new Object())));
        }
    }

    @Test
    void overlongStringIsRefusedAndCapacityRoundsUpToEight()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            ShareableList sl = ShareableList.create(dir, "cap", List.of("hello world", "")))
        {
            assertEquals(16, sl.capacity(0));
            assertEquals(8, sl.capacity(1));
            sl.set(0, "sixteen bytes!!!");
            assertEquals("sixteen bytes!!!", sl.get(0));
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> sl.set(0, "seventeen bytes!!"));
            assertTrue(ex.getMessage().contains("exceeds the slot's capacity of 16 bytes"), ex.getMessage());
            assertEquals("sixteen bytes!!!", sl.get(0), "a refused value leaves the slot as it was");
            sl.set(1, "a\u0000");
            assertEquals("a\u0000", sl.get(1), "trailing NULs survive");
            sl.set(1, "\u00e9\u00e9\u00e9\u00e9");
            assertEquals("\u00e9\u00e9\u00e9\u00e9", sl.get(1));
            assertThrows(IllegalArgumentException.class, () -> sl.set(1, "\u00e9\u00e9\u00e9\u00e9\u00e9"), "10 bytes of UTF-8");
        }
    }

    @Test
    void serializesAsAHandle() throws Exception
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            ShareableList sl = ShareableList.create(dir, "sent", List.of(1L, 2.0)))
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes))
            {
                out.writeObject(sl);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()));
                ShareableList copy = (ShareableList)in.readObject())
            {
                copy.set(0, 10L);
                assertEquals(10L, sl.get(0));
                assertEquals(List.of(10L, 2.0), List.copyOf(copy));
            }
        }
    }

    @Test
    void emptyListWorks()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(base);
            ShareableList sl = ShareableList.create(dir, "empty", List.of()))
        {
            assertEquals(0, ShareableList.attach(dir, "empty").size());
            assertEquals("ShareableList([], name='empty')", sl.toString());
        }
    }
}

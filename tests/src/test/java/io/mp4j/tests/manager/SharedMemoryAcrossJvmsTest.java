package io.mp4j.tests.manager;

import io.mp4j.Process;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.ShareableList;
import io.mp4j.shm.SharedMemory;
import io.mp4j.shm.Await;
import io.mp4j.tests.CapturedOutput;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class SharedMemoryAcrossJvmsTest
{
    static void writePattern(final String dirName, final String blockName)
    {
        try (RuntimeDirectory dir = RuntimeDirectory.openNamed(dirName);
            SharedMemory shm = SharedMemory.attach(dir, blockName))
        {
            if (dir.isOwner())
            {
                throw new AssertionError("the child should have joined the parent's directory");
            }
            final byte[] pattern = new byte[shm.size()];
            java.util.Arrays.fill(pattern, (byte)0xA5);
            shm.buffer().putBytes(0, pattern);
            shm.buffer().putLongVolatile(0, 42L);
        }
    }

    static void readThroughHandle(final SharedMemory shm, final long expected)
    {
        if (shm.buffer().getLongVolatile(0) != expected || shm.byteBuffer().get(shm.size() - 1) != (byte)0xA5)
        {
            throw new AssertionError("the child sees other bytes");
        }
        shm.close();
    }

    static void editList(final String dirName, final String listName)
    {
        try (RuntimeDirectory dir = RuntimeDirectory.openNamed(dirName);
            ShareableList sl = ShareableList.attach(dir, listName))
        {
            sl.set(0, 99);
            sl.set(1, "howdy");
            try
            {
                sl.set(1, "much too long for the slot");
                throw new AssertionError("an overlong string was accepted");
            }
            catch (final IllegalArgumentException expected)
            {
                System.out.println("refused: " + expected.getMessage());
            }
            try
            {
                sl.set(2, "text");
                throw new AssertionError("a value of another type was accepted");
            }
            catch (final IllegalArgumentException expected)
            {
                System.out.println("refused: " + expected.getMessage());
            }
            sl.set(2, 2.5);
        }
    }

    static void createAndDie()
    {
        final SharedMemory leaked = SharedMemory.create(4096);
        System.out.println("leaked " + leaked.path());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static String uniqueName()
    {
        return "mgrtest-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
    }

    @Test
    void blockWrittenByOneJvmIsReadByAnotherAttachedByName() throws Exception
    {
        final String dirName = uniqueName();
        try (RuntimeDirectory dir = RuntimeDirectory.openNamed(dirName);
            SharedMemory shm = SharedMemory.create(dir, "block", 1 << 20))
        {
            final Process writer = Process.of(SharedMemoryAcrossJvmsTest::writePattern, dirName, "block");
            writer.start();
            writer.join();
            assertEquals(0, writer.exitCode().getAsInt(), String.join("\n", writer.stderrTail()));
            assertEquals(42L, shm.buffer().getLongVolatile(0));
            final byte[] all = new byte[shm.size()];
            shm.byteBuffer().get(all);
            for (int i = 8; i < all.length; i++)
            {
                if (all[i] != (byte)0xA5)
                {
                    throw new AssertionError("byte " + i + " is " + all[i]);
                }
            }
            final Process reader = Process.of(SharedMemoryAcrossJvmsTest::readThroughHandle, shm, 42L);
            reader.start();
            reader.join();
            assertEquals(0, reader.exitCode().getAsInt(), String.join("\n", reader.stderrTail()));
            shm.unlink();
            assertFalse(Files.exists(shm.path()));
        }
    }

    @Test
    void shareableListSlotsKeepTheirTypeAndCapacityAcrossJvms() throws Exception
    {
        final String dirName = uniqueName();
        try (RuntimeDirectory dir = RuntimeDirectory.openNamed(dirName);
            ShareableList sl = ShareableList.create(dir, "sl", List.of(1, "hello", 1.0, true, 5L));
            CapturedOutput out = new CapturedOutput())
        {
            final Process editor = Process.of(SharedMemoryAcrossJvmsTest::editList, dirName, "sl");
            editor.start();
            editor.join();
            assertEquals(0, editor.exitCode().getAsInt(), String.join("\n", editor.stderrTail()));
            assertEquals(List.of(99, "howdy", 2.5, true, 5L), List.copyOf(sl));
            assertTrue(out.text().contains("exceeds the slot's capacity of 8 bytes"), out.text());
            assertTrue(out.text().contains("slot 2 holds DOUBLE, not STRING"), out.text());
        }
    }

    @Test
    void blocksOfAKilledJvmAreSweptWithItsRuntimeDirectory() throws Exception
    {
        final Path file;
        try (CapturedOutput out = new CapturedOutput())
        {
            final Process p = Process.of(SharedMemoryAcrossJvmsTest::createAndDie);
            p.start();
            p.join();
            final Matcher m = Pattern.compile("leaked (\\S+)").matcher(Await.value("the path", () -> out.text().contains("leaked") ? out.text() : null));
            assertTrue(m.find());
            file = Path.of(m.group(1));
        }
        assertTrue(Files.exists(file), "halt skipped every cleanup, as SIGKILL would");
        RuntimeDirectory.sweepStale(file.getParent().getParent());
        assertFalse(Files.exists(file), "the next mp4j process sweeps it");
    }
}

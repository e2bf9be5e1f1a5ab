package io.mp4j.shm;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SerializationTest
{
    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

    @Test
    void everyPrimitiveTravelsAsAHandleAndResolvesToTheCachedAttachment() throws Exception
    {
        final List<SharedObject> objects = List.of(
            MappedValue.create(dir, "value", "d", 1.5),
            MappedArray.create(dir, "array", "l", 3),
            MappedLock.create(dir, "lock"),
            MappedRLock.create(dir, "rlock"),
            MappedSemaphore.create(dir, "semaphore", 1),
            MappedBoundedSemaphore.create(dir, "bounded", 1),
            MappedEvent.create(dir, "event"),
            MappedCondition.create(dir, "condition"),
            MappedBarrier.create(dir, "barrier", 2));
        for (final SharedObject object : objects)
        {
            assertSame(object, LockTest.roundTrip(object), object.toString());
        }
    }

    @Test
    void aClosedAttachmentIsReplacedByAFreshOne() throws Exception
    {
        final MappedEvent event = MappedEvent.create(dir, "event");
        event.set();
        event.close();
        final MappedEvent back = (MappedEvent)LockTest.roundTrip(event);
        assertFalse(back.isClosed());
        assertTrue(back.isSet());
        assertEquals(event.path(), back.path());
    }

    @Test
    void handlesToAFileOfAnotherUserAreRefused() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        final MappedEvent event = MappedEvent.create(dir, "event");
        final Path eventFile = event.path();
        event.close();
        final SharedMemory block = SharedMemory.create(dir, "block", 16);
        final byte[] blockHandle = serialize(block);
        final Path blockFile = block.path();
        block.close();
        Files.setAttribute(eventFile, "unix:uid", 65534);
        Files.setAttribute(blockFile, "unix:uid", 65534);

        final InvalidObjectException refused = assertThrows(InvalidObjectException.class,
            () -> LockTest.roundTrip(new RegionHandle(MappedEvent.class.getName(), eventFile.toString())));
        assertTrue(refused.getCause() instanceof InvalidRegionException, String.valueOf(refused.getCause()));
        assertTrue(refused.getMessage().contains(eventFile + ": a foreign file: it belongs to uid 65534"), refused.getMessage());

        final InvalidRegionException blockRefused = assertThrows(InvalidRegionException.class, () -> deserialize(blockHandle));
        assertTrue(blockRefused.getMessage().contains(blockFile + ": a foreign file: it belongs to uid 65534"),
            blockRefused.getMessage());
    }

    private static byte[] serialize(final Object object) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(final byte[] bytes) throws Exception
    {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)))
        {
            return in.readObject();
        }
    }

    @Test
    void handlesOnlyResolveSharedObjects()
    {
        final RegionHandle bogus = new RegionHandle(String.class.getName(), dir.resolve("x").toString());
        assertThrows(InvalidObjectException.class, () -> LockTest.roundTrip(bogus));
        final RegionHandle missing = new RegionHandle(Lock.class.getName(), dir.resolve("missing").toString());
        assertThrows(InvalidObjectException.class, () -> LockTest.roundTrip(missing));
    }
}

package io.mp4j.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InvalidObjectException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SerializationTest
{
    RuntimeDirectory dir;

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown()
    {
        dir.close();
    }

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
    void handlesOnlyResolveSharedObjects()
    {
        final RegionHandle bogus = new RegionHandle(String.class.getName(), dir.resolve("x").toString());
        assertThrows(InvalidObjectException.class, () -> LockTest.roundTrip(bogus));
        final RegionHandle missing = new RegionHandle(Lock.class.getName(), dir.resolve("missing").toString());
        assertThrows(InvalidObjectException.class, () -> LockTest.roundTrip(missing));
    }
}

package io.mp4j.shm;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the last close of an object gives back: the mapping of the lock a Value, an Array or a Condition
 * holds (one /dev/shm mapping leaked per object before), and its entry in the {@link SharedObjects} cache.
 */
class ReleaseOnCloseTest
{
    @AutoClose
    private final RuntimeDirectory dir = RuntimeDirectory.create();

    /** Mappings of this JVM of files in the test's directory, read from /proc/self/maps. */
    private long mappings() throws IOException
    {
        final String prefix = dir.path().toString() + "/";
        try (var lines = Files.lines(Paths.get("/proc/self/maps")))
        {
            return lines.filter(line -> line.contains(prefix)).count();
        }
    }

    @Test
    void closingAValueArrayOrConditionWithItsOwnLockUnmapsTheLock() throws IOException
    {
        final MappedValue value = MappedValue.create(dir, "v", ElementType.INT, 0);
        final MappedArray array = MappedArray.create(dir, "a", ElementType.INT, 4);
        final MappedCondition condition = MappedCondition.create(dir, "c");
        final SharedObject[] locks = {(SharedObject)value.getLock(), (SharedObject)array.getLock(), (SharedObject)condition.getLock()};
        value.close();
        array.close();
        condition.close();
        for (final SharedObject lock : locks)
        {
            assertTrue(lock.isClosed(), "the own lock was not released: " + lock);
        }
        assertEquals(0, mappings(), "mappings left after every object was closed");
    }

    @Test
    void anAttachedValueGivesBackTheHoldItTookOnTheLock()
    {
        final MappedValue value = MappedValue.create(dir, "v", ElementType.INT, 0);
        final MappedValue attached = MappedValue.attach(value.path());
        final SharedObject lock = (SharedObject)value.getLock();
        attached.close();
        assertFalse(lock.isClosed(), "the attachment's close released the creator's hold on the lock");
        value.getLock().lock();
        value.getLock().unlock();
        value.close();
        assertTrue(lock.isClosed());
    }

    @Test
    void anObjectMadeWithTheCallersLockKeepsItMappedUntilBothAreClosed()
    {
        final Lock lock = Lock.create(dir, "l");
        final Value value = Value.create(dir, "v", ElementType.INT, 0, lock);
        final Array array = Array.create(dir, "a", ElementType.INT, 2, lock);
        final Condition condition = Condition.create(dir, "c", lock);
        lock.close();
        assertFalse(((SharedObject)lock).isClosed(), "the caller's close unmapped a lock three objects still use");
        try (SharedLock.Held held = condition.locked())
        {
            value.setInt(1);
            array.setInt(0, 1);
        }
        value.close();
        array.close();
        assertFalse(((SharedObject)lock).isClosed());
        condition.close();
        assertTrue(((SharedObject)lock).isClosed());
    }

    @Test
    void theLastCloseForgetsTheCachedAttachment()
    {
        final int before = SharedObjects.size();
        for (int i = 0; i < 50; i++)
        {
            final Event event = Event.create(dir, "e" + i);
            final Event again = (Event)SharedObjects.attach(MappedEvent.class.getName(), ((SharedObject)event).path());
            again.close();
            assertEquals(before + 1, SharedObjects.size(), "an object still held by its creator was forgotten");
            event.close();
            final Supplier<String> message = () -> "closed objects stay cached: " + SharedObjects.size() + " (" + before + " before)";
            assertEquals(before, SharedObjects.size(), message);
        }
    }

    @Test
    void aValueMadeAndClosedAgainAndAgainLeaksNoMapping() throws IOException
    {
        for (int i = 0; i < 100; i++)
        {
            MappedValue.create(dir, "v" + i, ElementType.LONG, 0L).close();
        }
        assertEquals(0, mappings());
    }
}

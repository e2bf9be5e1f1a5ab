package io.mp4j.shm;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RLockTest
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
        if (dir != null)
        {
            dir.close();
        }
    }

    @Test
    void reentryAndOwnership() throws Exception
    {
        final MappedRLock lock = MappedRLock.create(dir, "r");
        assertThrows(IllegalMonitorStateException.class, lock::release);
        lock.acquire();
        lock.acquire();
        assertEquals(2, lock.getHoldCount());
        final boolean other = CompletableFuture.supplyAsync(() -> lock.acquire(Duration.ofMillis(10))).get(10, TimeUnit.SECONDS);
        assertFalse(other);
        final Throwable thrown = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                lock.release();
                return null;
            }
            catch (final Throwable t)
            {
                return t;
            }
        }).get(10, TimeUnit.SECONDS);
        assertTrue(thrown instanceof IllegalMonitorStateException, String.valueOf(thrown));
        lock.release();
        assertTrue(lock.isLocked());
        lock.release();
        assertFalse(lock.isLocked());
        assertEquals(0, lock.getHoldCount());
    }

    @Test
    void deadOwnerRecoveredWithDepthOne() throws Exception
    {
        final MappedRLock lock = MappedRLock.create(dir, "r");
        LockTest.fakeDeadOwner(lock);
        assertTrue(lock.acquire(Duration.ofSeconds(10)));
        assertTrue(lock.previousOwnerDied());
        assertEquals(1, lock.getHoldCount());
        lock.release();
        assertFalse(lock.isLocked());
    }

    @Property(tries = 20)
    void depthKNeedsKReleases(@ForAll @IntRange(min = 1, max = 50) final int depth)
    {
        try (RuntimeDirectory d = RuntimeDirectory.create())
        {
            final MappedRLock lock = MappedRLock.create(d, "r");
            for (int i = 0; i < depth; i++)
            {
                assertTrue(lock.tryLock());
            }
            for (int i = 0; i < depth; i++)
            {
                assertTrue(lock.isLocked(), "released too early after " + i + " releases");
                lock.release();
            }
            assertFalse(lock.isLocked());
            assertThrows(IllegalMonitorStateException.class, lock::release);
        }
    }
}

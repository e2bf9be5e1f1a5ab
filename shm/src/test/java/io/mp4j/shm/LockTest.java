package io.mp4j.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockTest
{
    /** A pid above Linux's pid_max: never a live process. */
    static final long DEAD_PID = 4_194_304L * 4;

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
        assertFalse(Files.exists(dir.path()));
    }

    @Test
    void acquireReleaseAndPythonSemantics() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        assertTrue(lock.acquire());
        assertTrue(lock.isLocked());
        assertTrue(lock.isHeldByCurrentThread());
        assertFalse(lock.previousOwnerDied());
        final boolean other = CompletableFuture.supplyAsync(() -> lock.acquire(false)).get(10, TimeUnit.SECONDS);
        assertFalse(other);
        final boolean timed = CompletableFuture.supplyAsync(() -> lock.acquire(Duration.ofMillis(20))).get(10, TimeUnit.SECONDS);
        assertFalse(timed);
        // Python: any thread may release a Lock
        CompletableFuture.runAsync(lock::release).get(10, TimeUnit.SECONDS);
        assertFalse(lock.isLocked());
        assertThrows(IllegalStateException.class, lock::release);
    }

    @Test
    void unlockByNonOwnerIsIllegalMonitorState() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        lock.lock();
        final Throwable thrown = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                lock.unlock();
                return null;
            }
            catch (final Throwable t)
            {
                return t;
            }
        }).get(10, TimeUnit.SECONDS);
        assertTrue(thrown instanceof IllegalMonitorStateException, String.valueOf(thrown));
        lock.unlock();
        assertThrows(IllegalMonitorStateException.class, lock::unlock);
    }

    @Test
    void blockedAcquirerGetsTheLockOnRelease() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        lock.lock();
        final CountDownLatch started = new CountDownLatch(1);
        final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() ->
        {
            started.countDown();
            lock.lock();
            final boolean held = lock.isHeldByCurrentThread();
            lock.unlock();
            return held;
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        lock.unlock();
        assertTrue(waiter.get(10, TimeUnit.SECONDS));
    }

    @Test
    void tryLockWithTimeoutAndGuards() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
        lock.unlock();
        try (SharedLock.Held held = lock.locked())
        {
            assertTrue(lock.isHeldByCurrentThread());
        }
        assertFalse(lock.isLocked());
        assertEquals(42, (int)lock.call(() -> 42));
        lock.run(() -> assertTrue(lock.isHeldByCurrentThread()));
        assertFalse(lock.isLocked());
        assertThrows(UnsupportedOperationException.class, lock::newCondition);
    }

    @Test
    void manyThreadsOneMappedLock() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        final MappedValue counter = MappedValue.createRaw(dir, "c", ElementType.LONG, 0);
        final int threads = 4;
        final int each = 20_000;
        final CompletableFuture<?>[] futures = new CompletableFuture<?>[threads];
        for (int t = 0; t < threads; t++)
        {
            // half the threads use their own attachment of the same file
            final Lock mine = t % 2 == 0 ? lock : Lock.attach(lock.path());
            futures[t] = CompletableFuture.runAsync(() ->
            {
                for (int i = 0; i < each; i++)
                {
                    mine.lock();
                    try
                    {
                        counter.setLong(counter.getLong() + 1);
                    }
                    finally
                    {
                        mine.unlock();
                    }
                }
            });
        }
        CompletableFuture.allOf(futures).get(60, TimeUnit.SECONDS);
        assertEquals((long)threads * each, counter.getLong());
    }

    @Test
    void deadOwnerIsRecoveredAndReported() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        fakeDeadOwner(lock);
        assertTrue(lock.isLocked());
        assertTrue(lock.acquire(Duration.ofSeconds(10)));
        assertTrue(lock.previousOwnerDied());
        assertEquals(1, lock.recoveries());
        lock.unlock();
        lock.lock();
        assertFalse(lock.previousOwnerDied());
        lock.unlock();
    }

    @Test
    void pollingTryLockAlsoRecovers() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        fakeDeadOwner(lock);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean acquired = false;
        while (!acquired && System.nanoTime() < deadline)
        {
            acquired = lock.tryLock();
            Thread.onSpinWait();
        }
        assertTrue(acquired);
        assertTrue(lock.previousOwnerDied());
    }

    @Test
    void reusedPidWithAnotherStartTimeCountsAsDead() throws Exception
    {
        // pid 1 is alive, but the recorded start time is not init's: the recorded owner is gone
        final MappedLock lock = MappedLock.create(dir, "l");
        fakeOwner(lock, 1, ProcessIds.startTime(1) + 1);
        assertTrue(lock.acquire(Duration.ofSeconds(10)));
        assertTrue(lock.previousOwnerDied());
    }

    @Test
    void liveOwnerIsNeverRobbed() throws Exception
    {
        // pid 1 with its true start time: alive, so waiters time out instead of recovering
        final MappedLock lock = MappedLock.create(dir, "l");
        fakeOwner(lock, 1, ProcessIds.startTime(1));
        assertFalse(lock.acquire(Duration.ofMillis(50)));
        assertFalse(lock.tryLock());
        assertEquals(1, lock.ownerPid());
        assertEquals(0, lock.recoveries());
    }

    static void fakeOwner(final SharedObject object, final long pid, final long startTime)
    {
        try (MappedRegion region = MappedRegion.attach(object.path(), null))
        {
            region.buffer().putLong(RobustMutex.START_TIME_OFFSET, startTime);
            region.buffer().putLong(RobustMutex.TAG_OFFSET, pid << 32 | 7);
            region.buffer().putLongVolatile(RobustMutex.OWNER_OFFSET, pid << 32 | 7);
        }
    }

    static void fakeDeadOwner(final SharedObject object)
    {
        try (MappedRegion region = MappedRegion.attach(object.path(), null))
        {
            region.buffer().putLong(RobustMutex.START_TIME_OFFSET, 12345);
            region.buffer().putLong(RobustMutex.TAG_OFFSET, DEAD_PID << 32 | 7);
            region.buffer().putLongVolatile(RobustMutex.OWNER_OFFSET, DEAD_PID << 32 | 7);
        }
    }

    @Test
    void serializesAsHandleAndResolvesToTheSameAttachment() throws Exception
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        final Object back = roundTrip(lock);
        assertSame(lock, back);
        final MappedLock other = MappedLock.attach(lock.path());
        other.close();
        assertTrue(other.isClosed());
    }

    @Test
    void wrongTypeOrGarbageIsAClearException() throws Exception
    {
        final MappedEvent event = MappedEvent.create(dir, "e");
        final InvalidRegionException wrong = assertThrows(InvalidRegionException.class, () -> Lock.attach(event.path()));
        assertTrue(wrong.getMessage().contains("EVENT") || wrong.getMessage().contains("type"), wrong.getMessage());
        Files.write(dir.resolve("garbage"), new byte[256]);
        assertThrows(InvalidRegionException.class, () -> Lock.attach(dir.resolve("garbage")));
        assertThrows(InvalidRegionException.class, () -> Lock.attach(dir.resolve("missing")));
    }

    static Object roundTrip(final Object object) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())))
        {
            return in.readObject();
        }
    }
}

package io.mp4j.shm;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SemaphoreTest
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
    void countsAndTimesOut() throws Exception
    {
        final MappedSemaphore sem = MappedSemaphore.create(dir, "s", 2);
        assertTrue(sem.acquire(false));
        assertTrue(sem.tryAcquire());
        assertFalse(sem.tryAcquire());
        assertFalse(sem.acquire(Duration.ofMillis(10)));
        assertEquals(0, sem.getValue());
        sem.release(3);
        assertEquals(3, sem.getValue());
        assertThrows(IllegalArgumentException.class, () -> sem.release(0));
        assertTrue(Semaphore.attach(sem.path()) instanceof Semaphore);
        assertFalse(Semaphore.attach(sem.path()) instanceof BoundedSemaphore);
        assertThrows(InvalidRegionException.class, () -> BoundedSemaphore.attach(sem.path()));
    }

    @Test
    void waiterWokenByReleaseFromAnotherThread() throws Exception
    {
        final MappedSemaphore sem = MappedSemaphore.create(dir, "s", 0);
        final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return sem.acquire(Duration.ofSeconds(30));
            }
            catch (final InterruptedException ex)
            {
                return false;
            }
        });
        sem.release();
        assertTrue(waiter.get(30, TimeUnit.SECONDS));
        assertEquals(0, sem.getValue());
    }

    @Test
    void boundedRefusesOverRelease()
    {
        // with and without the holder table: release takes a different path in each
        for (final boolean holderTable : new boolean[] {true, false})
        {
            final MappedBoundedSemaphore sem = (MappedBoundedSemaphore)BoundedSemaphore.create(dir, "b-" + holderTable, 2, holderTable);
            assertEquals(holderTable, sem.recoversDeadHolders());
            assertThrows(IllegalStateException.class, sem::release);
            assertThrows(IllegalStateException.class, () -> sem.release(3));
            assertTrue(sem.tryAcquire());
            sem.release();
            final IllegalStateException ex = assertThrows(IllegalStateException.class, sem::release);
            assertTrue(ex.getMessage().contains("bound=2"), ex.getMessage());
            assertEquals(2, sem.getValue());
            assertTrue(sem.tryAcquire());
            assertThrows(IllegalStateException.class, () -> sem.release(2), "a release of n refuses nothing but all n");
            assertEquals(1, sem.getValue());
            sem.release();
            assertEquals(2, sem.getValue());
            assertTrue(Semaphore.attach(sem.path()) instanceof BoundedSemaphore);
        }
    }

    /**
     * A dead holder's permit is not given back when the value is already at the bound (a release by another
     * process returned it meanwhile, or the slot was left over): reclaiming recovers nothing, frees the slot
     * and leaves the value at the bound.
     */
    @Test
    void reclaimedPermitsNeverTakeABoundedSemaphoreAboveItsBound()
    {
        final MappedBoundedSemaphore sem = MappedBoundedSemaphore.create(dir, "b", 1);
        final int slot = MappedSemaphore.SLOTS_OFFSET;
        try (MappedRegion region = MappedRegion.attach(sem.path(), RegionType.SEMAPHORE))
        {
            assertEquals(1, region.buffer().getLong(MappedSemaphore.VALUE_OFFSET));
            region.buffer().putLong(slot + MappedSemaphore.SLOT_HELD_OFFSET, 1);
            region.buffer().putLong(slot + MappedSemaphore.SLOT_START_TIME_OFFSET, 99);
            region.buffer().putLongVolatile(slot + MappedSemaphore.SLOT_PID_OFFSET, LockTest.DEAD_PID);
        }
        assertEquals(0, sem.reclaimDeadHolders());
        assertEquals(1, sem.getValue());
        assertEquals(0, sem.reclaimedPermits());
        try (MappedRegion region = MappedRegion.attach(sem.path(), RegionType.SEMAPHORE))
        {
            assertEquals(0, region.buffer().getLongVolatile(slot + MappedSemaphore.SLOT_PID_OFFSET), "the dead holder's slot is freed");
        }
    }

    @Test
    void deadHolderPermitsAreReclaimedOnce() throws Exception
    {
        final MappedBoundedSemaphore sem = MappedBoundedSemaphore.create(dir, "b", 1);
        // a dead process holds the only permit
        try (MappedRegion region = MappedRegion.attach(sem.path(), RegionType.SEMAPHORE))
        {
            region.buffer().putLong(MappedSemaphore.VALUE_OFFSET, 0);
            final int slot = MappedSemaphore.SLOTS_OFFSET;
            region.buffer().putLong(slot + MappedSemaphore.SLOT_HELD_OFFSET, 1);
            region.buffer().putLong(slot + MappedSemaphore.SLOT_START_TIME_OFFSET, 99);
            region.buffer().putLongVolatile(slot + MappedSemaphore.SLOT_PID_OFFSET, LockTest.DEAD_PID);
        }
        assertTrue(sem.acquire(Duration.ofSeconds(10)));
        assertEquals(1, sem.reclaimedPermits());
        assertEquals(0, sem.reclaimDeadHolders());
        sem.release();
        assertEquals(1, sem.getValue());
    }

    @Test
    void manyThreadsNeverExceedPermits() throws Exception
    {
        final MappedSemaphore sem = MappedSemaphore.create(dir, "s", 2, true);
        final MappedValue inside = MappedValue.createRaw(dir, "inside", ElementType.INT, 0);
        final MappedValue maxInside = MappedValue.createRaw(dir, "max", ElementType.INT, 0);
        final CompletableFuture<?>[] futures = new CompletableFuture<?>[4];
        for (int t = 0; t < futures.length; t++)
        {
            futures[t] = CompletableFuture.runAsync(() ->
            {
                for (int i = 0; i < 5_000; i++)
                {
                    try
                    {
                        sem.acquire();
                    }
                    catch (final InterruptedException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                    final long now = inside.incrementAndGet();
                    long max;
                    while (now > (max = maxInside.getLong()) && !maxInside.compareAndSet(max, now))
                    {
                        Thread.onSpinWait();
                    }
                    inside.decrementAndGet();
                    sem.release();
                }
            });
        }
        CompletableFuture.allOf(futures).get(60, TimeUnit.SECONDS);
        assertTrue(maxInside.getLong() <= 2, "max inside " + maxInside.getLong());
        assertEquals(2, sem.getValue());
    }

    @Provide
    Arbitrary<List<Integer>> operations()
    {
        // 0 = tryAcquire, 1 = acquire with a tiny timeout, 2 = release
        return Arbitraries.integers().between(0, 2).list().ofMaxSize(60);
    }

    @Property(tries = 30)
    void boundedSemaphoreNeverNegativeNorOverBound(
        @ForAll @IntRange(min = 0, max = 4) final int bound, @ForAll("operations") final List<Integer> ops,
        @ForAll final boolean holderTable)
        throws InterruptedException
    {
        try (RuntimeDirectory d = RuntimeDirectory.create())
        {
            final MappedBoundedSemaphore sem = MappedBoundedSemaphore.create(d, "b", bound, holderTable);
            assertEquals(holderTable, sem.recoversDeadHolders());
            long model = bound;
            for (final int op : ops)
            {
                switch (op)
                {
                    case 0:
                        assertEquals(model > 0, sem.tryAcquire());
                        model = Math.max(0, model - 1);
                        break;
                    case 1:
                        assertEquals(model > 0, sem.acquire(Duration.ofNanos(1000)));
                        model = Math.max(0, model - 1);
                        break;
                    default:
                        if (model == bound)
                        {
                            assertThrows(IllegalStateException.class, sem::release);
                        }
                        else
                        {
                            sem.release();
                            model++;
                        }
                }
                assertEquals(model, sem.getValue());
                assertTrue(sem.getValue() >= 0 && sem.getValue() <= bound);
            }
        }
    }
}

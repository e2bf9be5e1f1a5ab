package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State left by an earlier process that had this JVM's pid (a JVM restarted in a pid namespace that hands
 * out the same pid again): same pid, another start time. It is forged here by writing the mapped file, as
 * that process would have left it, and must be recovered as the state of any dead process.
 */
class ReusedOwnPidTest
{
    /** Generous: recovery takes a liveness interval; a failure to recover shows as a timeout. */
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final long EARLIER_START_TIME = OwnerWord.START_TIME - 1;

    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

    private static void forgeLockHolder(final MappedMutexLock lock, final long owner, final int holdCount)
    {
        final AtomicBuffer buffer = lock.region.buffer();
        buffer.putLong(RobustMutex.START_TIME_OFFSET, EARLIER_START_TIME);
        buffer.putLong(RobustMutex.TAG_OFFSET, owner);
        buffer.putInt(RobustMutex.HOLD_COUNT_OFFSET, holdCount);
        buffer.putLongVolatile(RobustMutex.OWNER_OFFSET, owner);
    }

    @Test
    void anRLockHeldByTheSameThreadIdOfAnEarlierProcessIsRecoveredNotReentered()
    {
        final MappedRLock lock = MappedRLock.create(dir, "r");
        forgeLockHolder(lock, OwnerWord.current(), 3);
        assertEquals(0, lock.getHoldCount(), "not held by this thread of this JVM");
        assertTrue(lock.acquire(LONG));
        assertEquals(1, lock.getHoldCount());
        assertTrue(lock.previousOwnerDied());
        assertEquals(1, lock.recoveries());
        lock.release();
        assertTrue(lock.tryLock());
        lock.unlock();
    }

    @Test
    void withOurOwnStartTimeUnknownALiveHolderInThisJvmIsNeverJudgedDead()
    {
        final MappedLock lock = MappedLock.create(dir, "unknown");
        lock.lock();
        try
        {
            final long me = OwnerWord.current();
            // ProcessIds could not read /proc/self/stat at start: this JVM's start time is NO_PROCESS
            assertFalse(lock.mutex().isOwnerDead(me, ProcessIds.NO_PROCESS), "this live thread of this JVM was judged dead");
            assertFalse(lock.mutex().isOwnerDead(me, OwnerWord.START_TIME));
        }
        finally
        {
            lock.unlock();
        }
        // an earlier process's record of our pid: dead when our start time tells it apart, else taken for us
        forgeLockHolder(lock, OwnerWord.current(), 1);
        assertTrue(lock.mutex().isOwnerDead(OwnerWord.current(), OwnerWord.START_TIME));
        assertFalse(lock.mutex().isOwnerDead(OwnerWord.current(), ProcessIds.NO_PROCESS));
        assertTrue(OwnerWord.isEarlierProcessOfOurPid(EARLIER_START_TIME, OwnerWord.START_TIME));
        assertFalse(OwnerWord.isEarlierProcessOfOurPid(EARLIER_START_TIME, ProcessIds.NO_PROCESS));
        assertFalse(OwnerWord.isEarlierProcessOfOurPid(ProcessIds.NO_PROCESS, ProcessIds.NO_PROCESS));
        assertTrue(lock.acquire(LONG), "the forged earlier holder is recovered");
        lock.release();
    }

    @Test
    void aLockHeldByAnotherThreadIdOfAnEarlierProcessIsRecovered()
    {
        final MappedLock lock = MappedLock.create(dir, "l");
        forgeLockHolder(lock, OwnerWord.PID << 32 | 0x7FFF_FFF0L, 1);
        assertTrue(lock.acquire(LONG));
        assertTrue(lock.previousOwnerDied());
        lock.release();
    }

    @Test
    void permitsHeldByAnEarlierProcessAreReclaimed()
    {
        final MappedSemaphore sem = (MappedSemaphore)BoundedSemaphore.create(dir, "s", 1);
        final AtomicBuffer buffer = sem.region.buffer();
        final int slot = MappedSemaphore.SLOTS_OFFSET;
        buffer.putLong(MappedSemaphore.VALUE_OFFSET, 0);
        buffer.putLong(slot + MappedSemaphore.SLOT_START_TIME_OFFSET, EARLIER_START_TIME);
        buffer.putLong(slot + MappedSemaphore.SLOT_HELD_OFFSET, 1);
        buffer.putLongVolatile(slot + MappedSemaphore.SLOT_PID_OFFSET, OwnerWord.PID);
        assertEquals(1, sem.reclaimDeadHolders());
        assertEquals(1, sem.getValue());
    }

    @Test
    void aBarrierPartyOfAnEarlierProcessBreaksTheBarrier()
    {
        final MappedBarrier barrier = MappedBarrier.create(dir, "b", 3);
        final AtomicBuffer buffer = barrier.region.buffer();
        final int slot = MappedBarrier.SLOTS_OFFSET;
        buffer.putLong(slot + MappedBarrier.SLOT_GENERATION_OFFSET, 0);
        buffer.putInt(slot + MappedBarrier.SLOT_STATE_OFFSET, MappedBarrier.WAITING);
        buffer.putLong(slot + MappedBarrier.SLOT_START_TIME_OFFSET, EARLIER_START_TIME);
        buffer.putLongVolatile(slot + MappedBarrier.SLOT_OWNER_OFFSET, OwnerWord.PID << 32 | 0x7FFF_FFF0L);
        buffer.getAndAddLong(MappedBarrier.STATE_OFFSET, 1);
        assertEquals(1, barrier.nWaiting());
        // before the fix: no one judged the party dead, and this timed out (TimeoutException) instead
        assertThrows(BrokenBarrierException.class, () -> barrier.await(LONG));
    }
}

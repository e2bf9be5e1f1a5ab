package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Who is who in shared memory: the 64-bit identity of a thread of a process, and the liveness check of
 * a process recorded by pid and start time.
 *
 * <p>An owner word is {@code pid << 32 | (threadId & 0xFFFFFFFF)}: never 0 (pids are positive), unique
 * among the live threads of the host. The process start time goes in a separate word (see
 * {@link RobustMutex}).
 */
final class OwnerWord
{
    /** System property: how often, in milliseconds, a waiter checks whether the holder it waits on is alive. */
    static final String LIVENESS_PROPERTY = "mp4j.liveness.checkMillis";
    /** A waiter checks the liveness of whom it waits on at most this often (default 10 ms). */
    static final long LIVENESS_INTERVAL_NANOS =
        TimeUnit.MILLISECONDS.toNanos(Long.getLong(LIVENESS_PROPERTY, 10L));

    static final long PID = ProcessIds.currentPid();
    static final long START_TIME = ProcessIds.currentStartTime();

    private OwnerWord()
    {
    }

    @SuppressWarnings("deprecation")
    static long current()
    {
        return PID << 32 | (Thread.currentThread().getId() & 0xFFFF_FFFFL);
    }

    static long pidOf(final long owner)
    {
        return owner >>> 32;
    }

    static long threadOf(final long owner)
    {
        return owner & 0xFFFF_FFFFL;
    }

    static String describe(final long owner)
    {
        return owner == 0 ? "nobody" : "pid " + pidOf(owner) + " thread " + threadOf(owner);
    }

    /**
     * Whether the process recorded as (pid, startTime) is alive. Our own pid with another start time is
     * an earlier process that had our pid (a pid namespace that hands out the same pid again): dead;
     * unless our own start time is unknown ({@code /proc/self/stat} could not be read), when our pid is
     * always this JVM, alive.
     */
    static boolean isAlive(final long pid, final long startTime)
    {
        return pid == PID ? !isEarlierProcessOfOurPid(startTime, START_TIME) : ProcessIds.isAlive(pid, startTime);
    }

    /**
     * Whether a record of our own pid with {@code recordedStart} was left by an earlier process that had
     * our pid: only if our own start time is known and differs. Unknown ({@link ProcessIds#NO_PROCESS}),
     * nothing tells this JVM apart from an earlier process, and a live holder in this JVM must never be
     * judged dead, so our pid is taken for this JVM (as before start times were compared for our pid).
     *
     * @param recordedStart the start time recorded with our pid.
     * @param ownStart      this JVM's start time ({@link #START_TIME}; a parameter for the tests).
     * @return whether the record is of a dead process.
     */
    static boolean isEarlierProcessOfOurPid(final long recordedStart, final long ownStart)
    {
        return ownStart != ProcessIds.NO_PROCESS && recordedStart != ownStart;
    }

    /**
     * Write this process's identity into a slot of {@code pid, startTime} words, pid last with release
     * semantics so that a reader who sees the pid sees the start time.
     */
    static void putIdentity(final AtomicBuffer buffer, final int pidOffset, final int startTimeOffset)
    {
        buffer.putLong(startTimeOffset, START_TIME);
        buffer.putLongRelease(pidOffset, PID);
    }

    /**
     * Whether the process in a {@code pid, startTime} slot is dead. A slot with pid 0 is free, not dead; a
     * start time of 0 is a slot being claimed or freed, never judged. Our own pid is judged by its start
     * time too, so that an earlier process with our pid is found dead.
     */
    static boolean isSlotDead(final AtomicBuffer buffer, final int pidOffset, final int startTimeOffset)
    {
        final long pid = buffer.getLongVolatile(pidOffset);
        if (pid == 0)
        {
            return false;
        }
        final long startTime = buffer.getLongVolatile(startTimeOffset);
        return startTime != 0 && pid == buffer.getLongVolatile(pidOffset) && !isAlive(pid, startTime);
    }
}

package io.mp4j.queue;

import io.mp4j.shm.ProcessIds;

/**
 * A process identity packed in one 64-bit word, so that it can be compare-and-set: the pid in the high
 * 32 bits, the low 32 bits of the process start time ({@link ProcessIds#currentStartTime()}) in the low
 * 32 bits. A reused pid is told apart by its start time. 0 means "nobody".
 */
final class ProcessIdentity
{
    /** Nobody. */
    static final long NONE = 0L;
    /** This process. */
    static final long SELF = pack(ProcessIds.currentPid(), ProcessIds.currentStartTime());

    private ProcessIdentity()
    {
    }

    static long pack(final long pid, final long startTime)
    {
        return (pid << 32) | (startTime & 0xFFFF_FFFFL);
    }

    static long pid(final long identity)
    {
        return identity >>> 32;
    }

    /**
     * @param identity a packed identity.
     * @return whether that process is still running (false for {@link #NONE}).
     */
    static boolean isAlive(final long identity)
    {
        if (identity == NONE)
        {
            return false;
        }
        if (identity == SELF)
        {
            return true;
        }
        final long startTime = ProcessIds.startTime(pid(identity));
        return startTime != ProcessIds.NO_PROCESS && (startTime & 0xFFFF_FFFFL) == (identity & 0xFFFF_FFFFL);
    }
}

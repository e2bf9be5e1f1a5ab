package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An idle strategy that counts its idle calls, and those made with the caller's interrupt status set, and
 * parks 100 µs per call: what the interrupt tests install to see that an interrupted wait keeps waiting
 * parked instead of spinning on parks that return at once. Shared by every module's tests (the shm test-jar).
 */
public final class RecordingIdle implements IdleStrategy
{
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger callsWhileInterrupted = new AtomicInteger();

    /**
     * @return idle calls so far.
     */
    public int calls()
    {
        return calls.get();
    }

    /**
     * @return idle calls so far made while the calling thread's interrupt status was set.
     */
    public int callsWhileInterrupted()
    {
        return callsWhileInterrupted.get();
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (Thread.currentThread().isInterrupted())
        {
            callsWhileInterrupted.incrementAndGet();
        }
        calls.incrementAndGet();
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
    }

    @Override
    public void reset()
    {
    }
}

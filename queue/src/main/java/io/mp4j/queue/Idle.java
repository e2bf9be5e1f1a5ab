package io.mp4j.queue;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * The idle strategy blocking operations wait with, chosen by the system property {@value #PROPERTY}:
 * {@code backoff} (the default: spin, yield, then park from 1 us doubling to 1 ms, so an idle waiter
 * burns no CPU), {@code spin} (busy-spin: lowest latency, one core per waiter), {@code yield} or
 * {@code sleep} (1 ms sleeps). One instance per thread, reset at the start of each wait.
 */
final class Idle
{
    /** System property choosing the idle strategy. */
    static final String PROPERTY = "mp4j.idle";

    private static final String KIND = System.getProperty(PROPERTY, "backoff");
    private static final ThreadLocal<IdleStrategy> WAIT = ThreadLocal.withInitial(Idle::newStrategy);

    private Idle()
    {
    }

    static IdleStrategy newStrategy()
    {
        switch (KIND)
        {
            case "spin":
                return new BusySpinIdleStrategy();
            case "yield":
                return new YieldingIdleStrategy();
            case "sleep":
                return new SleepingMillisIdleStrategy(1);
            case "backoff":
            default:
                return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * @return this thread's strategy, reset.
     */
    static IdleStrategy current()
    {
        final IdleStrategy idle = WAIT.get();
        idle.reset();
        return idle;
    }
}

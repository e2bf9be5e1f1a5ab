package io.mp4j;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How the pool's threads wait for work (its workers, its dispatcher thread, a caller waiting on a result):
 * spin, then park with a back-off whose cap is low while the wait is young and higher once it is old.
 *
 * <p>Why not Agrona's {@code BackoffIdleStrategy} with a 1 ms cap: a round trip that misses the spin phase
 * (the worker lost its core for a moment) then waited for a park of up to 1 ms, which set the p99 of a
 * round trip and, per chunk, the spread of a map's passes. Why not a low cap for ever: an idle pool would
 * wake its threads tens of thousands of times a second. So the cap is {@link #YOUNG_PARK_CAP_NANOS} for the
 * first {@link #YOUNG_NANOS} of a wait (a pool between the calls of a busy caller), then
 * {@link #OLD_PARK_CAP_NANOS}. The spin phase yields every {@link #YIELD_EVERY_SPINS} spins (some 6 µs),
 * so that on a machine with more runnable threads than cores a spinner hands its core to the thread it
 * waits for instead of holding it for a time slice (as the shm module's {@code TimedBackoffIdleStrategy});
 * there is no yield phase after it. A parked thread uses no CPU, whatever its park length.
 */
final class PoolIdleStrategy implements IdleStrategy
{
    /** Park cap while the wait is young. Linux's default timer slack adds about 50 µs to any park. */
    static final long YOUNG_PARK_CAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    /** Park cap once the wait is old. */
    static final long OLD_PARK_CAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** How long a wait is young. */
    static final long YOUNG_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A power of two; {@code Thread.onSpinWait()} lasts about 22 ns here. */
    static final int YIELD_EVERY_SPINS = 256;

    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(1);

    private final int spinTries;

    private int spins;

    private long parkNanos = MIN_PARK_NANOS;

    private long parkingSince;

    private boolean parking;

    /**
     * @param spinTries how many idle rounds spin (with {@link Thread#onSpinWait()}) before the first park.
     */
    PoolIdleStrategy(final int spinTries)
    {
        this.spinTries = spinTries;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < spinTries)
        {
            if ((++spins & (YIELD_EVERY_SPINS - 1)) == 0)
            {
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
            return;
        }
        final long now = System.nanoTime();
        if (!parking)
        {
            parking = true;
            parkingSince = now;
        }
        LockSupport.parkNanos(parkNanos);
        final long cap = now - parkingSince < YOUNG_NANOS ? YOUNG_PARK_CAP_NANOS : OLD_PARK_CAP_NANOS;
        parkNanos = Math.min(parkNanos << 1, cap);
    }

    @Override
    public void reset()
    {
        spins = 0;
        parkNanos = MIN_PARK_NANOS;
        parking = false;
    }

    @Override
    public String alias()
    {
        return "pool";
    }
}

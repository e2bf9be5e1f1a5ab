package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * mp4j's default way to wait: spin for a stretch of <em>time</em>, then yield a few times, then park with
 * a period doubling up to a cap. Agrona's {@link org.agrona.concurrent.BackoffIdleStrategy} does the same
 * with a spin phase counted in calls, whose length in time depends on the CPU ({@code Thread.onSpinWait()}
 * lasts 5 to 140 ns depending on the model; about 22 ns here).
 *
 * <p>Why the spin phase is long (200 µs by default): a parked thread wakes 55 to 110 µs after it is
 * unparked or its park ends (timer slack plus the hypervisor), and in another process nobody can unpark it
 * at all. Two processes that hand a word to each other (a barrier, a ping-pong, a lock taken in turns)
 * and spin for less than that fall into a convoy: one parks, the other arrives, spins out its short
 * phase while the first is still asleep, and parks too, so that every later round costs a wake-up. A spin
 * phase longer than a wake-up breaks the convoy at the next round. The spin phase yields every
 * {@value #YIELD_EVERY_MICROS} µs by default, so that on a machine with more runnable threads than cores the
 * spinner hands its core to the peer it waits for instead of holding it for a whole time slice. Not more
 * often: a yield here costs about 50 µs whenever any other thread is runnable on the core (a JIT compiler,
 * a GC thread), and yielding every 20 µs put such a stall into one barrier round in ten on a quiet machine
 * (p90 58 µs against 0.6 µs without; every 5 µs, a pool round trip's p50 went from 2 µs to 24 µs).
 *
 * <p>A waiter that has waited longer than its spin and yield phases parks, and uses no CPU between its
 * wake-ups (at most one per {@code maxParkPeriodNs}). Optionally the parks of a young wait are capped lower
 * ({@code youngParkCapNs} for the first {@code youngNanos} of parking): a peer that was held up for a moment
 * (it lost its core) is then noticed within tens of microseconds, while a wait that goes on wakes rarely.
 *
 * <p>Not thread-safe, like every {@link IdleStrategy}: one instance per waiting thread;
 * {@link IdleStrategies} keeps one per thread per primitive. Example:
 * <pre>{@code
 * Event done = Event.create(dir, "done")
 *     .withIdleStrategy(() -> new TimedBackoffIdleStrategy(
 *         TimeUnit.MICROSECONDS.toNanos(50), 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)));
 * }</pre>
 */
public final class TimedBackoffIdleStrategy implements IdleStrategy
{
    /** The name under which {@link IdleStrategies#named(String)} knows it. */
    public static final String ALIAS = "backoff";
    /** How often the spin phase yields by default, in microseconds. */
    public static final int YIELD_EVERY_MICROS = 100;

    private static final int NOT_IDLE = 0;
    private static final int SPINNING = 1;
    private static final int YIELDING = 2;
    private static final int PARKING = 3;
    /** Spins between two reads of the clock, which costs 60-80 ns here. */
    private static final int SPINS_PER_CLOCK_READ = 64;

    private final long spinNanos;
    private final long yieldEveryNanos;
    private final int maxYields;
    private final long minParkPeriodNs;
    private final long youngParkCapNs;
    private final long youngNanos;
    private final long maxParkPeriodNs;

    private int state = NOT_IDLE;
    private int spins;
    private int yields;
    private long spinStart;
    private long lastYield;
    private long parkingSince;
    private long parkPeriodNs;

    /**
     * Spin yielding every {@value #YIELD_EVERY_MICROS} µs, then yield, then park with a period doubling from
     * {@code minParkPeriodNs} to {@code maxParkPeriodNs}.
     *
     * @param spinNanos       how long to spin before yielding, in nanoseconds (0: no spin phase).
     * @param maxYields       how many times to yield after spinning, before parking.
     * @param minParkPeriodNs the first park, in nanoseconds.
     * @param maxParkPeriodNs the longest park, in nanoseconds: a parked waiter notices a change at most this late.
     * @throws IllegalArgumentException if a value is negative, or the park periods are not 1 &lt;= min &lt;= max.
     */
    public TimedBackoffIdleStrategy(
        final long spinNanos, final int maxYields, final long minParkPeriodNs, final long maxParkPeriodNs)
    {
        this(spinNanos, TimeUnit.MICROSECONDS.toNanos(YIELD_EVERY_MICROS), maxYields, minParkPeriodNs, maxParkPeriodNs, 0,
            maxParkPeriodNs);
    }

    /**
     * @param spinNanos       how long to spin before yielding, in nanoseconds (0: no spin phase).
     * @param yieldEveryNanos how often the spin phase yields, in nanoseconds ({@code Long.MAX_VALUE}: never).
     * @param maxYields       how many times to yield after spinning, before parking.
     * @param minParkPeriodNs the first park, in nanoseconds.
     * @param youngParkCapNs  the longest park while the parking is young.
     * @param youngNanos      how long the parking is young, in nanoseconds (0: never).
     * @param maxParkPeriodNs the longest park after that, in nanoseconds: a parked waiter notices a change at
     *                        most this late.
     * @throws IllegalArgumentException if a value is negative, or the park periods are not
     *                                  1 &lt;= min &lt;= young cap &lt;= max.
     */
    public TimedBackoffIdleStrategy(
        final long spinNanos, final long yieldEveryNanos, final int maxYields, final long minParkPeriodNs,
        final long youngParkCapNs, final long youngNanos, final long maxParkPeriodNs)
    {
        if (spinNanos < 0 || maxYields < 0 || youngNanos < 0 || yieldEveryNanos < 1)
        {
            throw new IllegalArgumentException("spinNanos, maxYields and youngNanos must not be negative, yieldEveryNanos " +
                "must be positive: " + spinNanos + ", " + maxYields + ", " + youngNanos + ", " + yieldEveryNanos);
        }
        if (minParkPeriodNs < 1 || youngParkCapNs < minParkPeriodNs || maxParkPeriodNs < youngParkCapNs)
        {
            throw new IllegalArgumentException("park periods must be 1 <= min <= young cap <= max: min " + minParkPeriodNs +
                ", young cap " + youngParkCapNs + ", max " + maxParkPeriodNs);
        }
        this.spinNanos = spinNanos;
        this.yieldEveryNanos = yieldEveryNanos;
        this.maxYields = maxYields;
        this.minParkPeriodNs = minParkPeriodNs;
        this.youngParkCapNs = youngParkCapNs;
        this.youngNanos = youngNanos;
        this.maxParkPeriodNs = maxParkPeriodNs;
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
    @SuppressWarnings("fallthrough") // the last yield falls through into the first park
    public void idle()
    {
        switch (state)
        {
            case NOT_IDLE:
                spinStart = System.nanoTime();
                lastYield = spinStart;
                spins = 0;
                yields = 0;
                state = spinNanos > 0 ? SPINNING : YIELDING;
                Thread.onSpinWait();
                break;

            case SPINNING:
                Thread.onSpinWait();
                if (++spins == SPINS_PER_CLOCK_READ)
                {
                    spins = 0;
                    final long now = System.nanoTime();
                    if (now - spinStart >= spinNanos)
                    {
                        state = YIELDING;
                    }
                    else if (now - lastYield >= yieldEveryNanos)
                    {
                        lastYield = now;
                        Thread.yield();
                    }
                }
                break;

            case YIELDING:
                if (++yields > maxYields)
                {
                    state = PARKING;
                    parkPeriodNs = minParkPeriodNs;
                    parkingSince = youngNanos > 0 ? System.nanoTime() : 0;
                }
                else
                {
                    Thread.yield();
                    break;
                }
                // fall through: the first park

            case PARKING:
            default:
                LockSupport.parkNanos(parkPeriodNs);
                final long cap = youngNanos > 0 && System.nanoTime() - parkingSince < youngNanos ? youngParkCapNs : maxParkPeriodNs;
                parkPeriodNs = Math.min(parkPeriodNs << 1, cap);
                break;
        }
    }

    @Override
    public void reset()
    {
        state = NOT_IDLE;
    }

    @Override
    public String alias()
    {
        return ALIAS;
    }

    @Override
    public String toString()
    {
        return "TimedBackoffIdleStrategy{spinNanos=" + spinNanos + ", yieldEveryNanos=" + yieldEveryNanos +
            ", maxYields=" + maxYields + ", minParkPeriodNs=" + minParkPeriodNs + ", youngParkCapNs=" + youngParkCapNs +
            ", youngNanos=" + youngNanos + ", maxParkPeriodNs=" + maxParkPeriodNs + '}';
    }
}

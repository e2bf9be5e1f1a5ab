package io.mp4j.shm;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How the primitives of this package wait: every blocking call spins on a word in shared memory and
 * calls an Agrona {@link IdleStrategy} between attempts. An {@code IdleStrategy} has state and is not
 * thread-safe, so strategies are configured as a {@link Supplier}; each primitive keeps one instance per
 * waiting thread, made on that thread's first wait and reset before each later one, so neither the
 * uncontended path nor a warm waiting path allocates.
 *
 * <p>The strategy of a primitive is found in this order:
 * <ol>
 *     <li>the one set on the primitive itself ({@code withIdleStrategy(...)} on each primitive);</li>
 *     <li>the one set for its runtime directory with {@link #setForDirectory(RuntimeDirectory, Supplier)};</li>
 *     <li>the JVM default, {@link #setDefault(Supplier)}, initially named by the system property
 *     {@value #PROPERTY}: {@code backoff} (the default), {@code spin}, {@code yield}, {@code sleep}
 *     or {@code noop}.</li>
 * </ol>
 *
 * <p>{@code backoff} is a {@link TimedBackoffIdleStrategy}: it spins for {@link #BACKOFF_SPIN_MICROS} µs
 * (200 unless {@code mp4j.idle.spinMicros} says otherwise; 0 on one processor), yielding every 100 µs, yields
 * {@link #BACKOFF_YIELDS} times, then parks from 1 µs doubling to 1 ms, so a waiter that waits long burns
 * next to no CPU and wakes at most about a millisecond late. {@code spin} busy-spins (lowest latency, a
 * whole core per waiter), {@code yield} calls {@link Thread#yield()}, {@code sleep} sleeps 1 ms between
 * attempts.
 *
 * <p>Example, a latency-critical process that busy-spins on everything in one directory:
 * <pre>{@code
 * RuntimeDirectory dir = RuntimeDirectory.openNamed("trading");
 * IdleStrategies.setForDirectory(dir, BusySpinIdleStrategy::new);
 * Lock lock = Lock.create(dir, "book");                  // spins
 * Event ready = Event.create(dir, "ready")
 *     .withIdleStrategy(IdleStrategies.named("sleep"));  // but this one sleeps
 * }</pre>
 */
public final class IdleStrategies
{
    /** System property naming the default idle strategy: backoff, spin, yield, sleep or noop. */
    public static final String PROPERTY = "mp4j.idle";
    /** The default value of {@value #PROPERTY}. */
    public static final String DEFAULT_NAME = "backoff";

    private static final Map<Path, Supplier<IdleStrategy>> BY_DIRECTORY = new ConcurrentHashMap<>();
    private static volatile Supplier<IdleStrategy> defaultSupplier = named(System.getProperty(PROPERTY, DEFAULT_NAME));

    private IdleStrategies()
    {
    }

    /**
     * @param name backoff, spin, yield, sleep or noop (case-insensitive).
     * @return a supplier of fresh strategies of that kind.
     * @throws IllegalArgumentException for another name.
     */
    public static Supplier<IdleStrategy> named(final String name)
    {
        switch (name.trim().toLowerCase(Locale.ROOT))
        {
            case "backoff":
                return IdleStrategies::backoff;
            case "spin":
                return BusySpinIdleStrategy::new;
            case "yield":
                return YieldingIdleStrategy::new;
            case "sleep":
                return () -> new SleepingMillisIdleStrategy(1);
            case "noop":
                return NoOpIdleStrategy::new;
            default:
                throw new IllegalArgumentException(
                    PROPERTY + "=" + name + " is not one of backoff, spin, yield, sleep, noop");
        }
    }

    /**
     * Whether this JVM may use more than one processor's worth of CPU ({@link Runtime#availableProcessors()},
     * read once: it follows the CPU affinity and a container's CPU limit, so a quota of one CPU or less
     * counts as one processor even where the threads run on several; {@code -XX:ActiveProcessorCount=N}
     * overrides it). Only then can a waiter's spin phase help: on one processor the spinner holds the core
     * its peer in another process needs to make the awaited change, and gives it up only at its next yield
     * (every 100 µs in {@code backoff}'s spin phase), once per side and round. So on one processor
     * {@code backoff} has no spin phase (it yields a few times, then parks), and the pool's and the
     * manager's waits yield as often as they look at the clock: a {@code Barrier(2)} round between two
     * processes pinned to one core took 210 µs with a 200 µs spin phase and 10 µs without.
     */
    public static final boolean MULTIPROCESSOR = Runtime.getRuntime().availableProcessors() > 1;

    /**
     * How long mp4j's {@code backoff} spins before it yields and parks, in microseconds: longer than a
     * wake-up from a park here (55-110 µs), so that two processes handing a word to each other do not fall
     * into a convoy of wake-ups (see {@link TimedBackoffIdleStrategy}). 200 by default, 0 on one processor
     * (see {@link #MULTIPROCESSOR}); the system property {@code mp4j.idle.spinMicros} sets it.
     */
    public static final int BACKOFF_SPIN_MICROS = Integer.getInteger("mp4j.idle.spinMicros", MULTIPROCESSOR ? 200 : 0);
    /** Yields of mp4j's {@code backoff} after its spin phase, before it parks. */
    public static final int BACKOFF_YIELDS = 10;

    /**
     * @return mp4j's back-off: spins for {@link #BACKOFF_SPIN_MICROS} µs, yields {@link #BACKOFF_YIELDS}
     * times, then parks from 1 µs doubling to 1 ms.
     */
    public static IdleStrategy backoff()
    {
        return new TimedBackoffIdleStrategy(TimeUnit.MICROSECONDS.toNanos(BACKOFF_SPIN_MICROS), BACKOFF_YIELDS,
            TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * @return the JVM default supplier.
     */
    public static Supplier<IdleStrategy> getDefault()
    {
        return defaultSupplier;
    }

    /**
     * Change the JVM default, for primitives with no strategy of their own or of their directory.
     *
     * @param supplier gives a fresh strategy per wait.
     */
    public static void setDefault(final Supplier<IdleStrategy> supplier)
    {
        defaultSupplier = requireSupplier(supplier);
    }

    /**
     * Set the strategy of every primitive in a runtime directory (in this JVM) that has none of its own.
     *
     * @param directory the runtime directory.
     * @param supplier  gives a fresh strategy per wait, or null to fall back to the JVM default again.
     */
    public static void setForDirectory(final RuntimeDirectory directory, final Supplier<IdleStrategy> supplier)
    {
        final Path key = directory.path().toAbsolutePath().normalize();
        if (supplier == null)
        {
            BY_DIRECTORY.remove(key);
        }
        else
        {
            BY_DIRECTORY.put(key, supplier);
        }
    }

    /**
     * @param regionFile a region file.
     * @return the supplier for primitives in that file's directory, else the JVM default.
     */
    public static Supplier<IdleStrategy> forRegion(final Path regionFile)
    {
        if (!BY_DIRECTORY.isEmpty())
        {
            final Path parent = regionFile.toAbsolutePath().normalize().getParent();
            final Supplier<IdleStrategy> supplier = parent == null ? null : BY_DIRECTORY.get(parent);
            if (supplier != null)
            {
                return supplier;
            }
        }
        return defaultSupplier;
    }

    static Supplier<IdleStrategy> requireSupplier(final Supplier<IdleStrategy> supplier)
    {
        if (supplier == null)
        {
            throw new NullPointerException("idle strategy supplier");
        }
        return supplier;
    }

    /**
     * A timeout in nanoseconds, saturated as {@link TimeUnit#toNanos(long)} does: a duration too long for
     * a long of nanoseconds (e.g. {@code Duration.ofSeconds(Long.MAX_VALUE)},
     * {@code ChronoUnit.FOREVER.getDuration()}) is {@link Long#MAX_VALUE}, i.e. forever, instead of an
     * {@link ArithmeticException}; a too negative one is 0.
     *
     * @param timeout the timeout; null means forever.
     * @return its nanoseconds, {@link Long#MAX_VALUE} for null or too long, 0 for too negative.
     */
    public static long toNanos(final java.time.Duration timeout)
    {
        if (timeout == null)
        {
            return Long.MAX_VALUE;
        }
        try
        {
            return timeout.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            return timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }

    static long toNanos(final long timeout, final TimeUnit unit)
    {
        return unit.toNanos(timeout);
    }
}

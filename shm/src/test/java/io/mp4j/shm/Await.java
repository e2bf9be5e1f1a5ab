package io.mp4j.shm;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bounded waits on a condition: how tests synchronise with other threads and processes, never by sleeping.
 * Shared by every module's tests (the shm test-jar).
 */
public final class Await
{
    /** The bound used unless a test gives one: generous, because a loaded 2-core CI machine is slow. */
    public static final Duration DEFAULT = Duration.ofSeconds(60);

    private Await()
    {
    }

    /**
     * Poll until the condition holds, failing the test after the bound.
     *
     * @param what      what is awaited, for the failure message.
     * @param condition the condition.
     */
    public static void until(final String what, final BooleanSupplier condition)
    {
        until(what, DEFAULT, condition);
    }

    /**
     * Poll until the condition holds, failing the test after the bound.
     *
     * @param what      what is awaited, for the failure message.
     * @param bound     how long at most.
     * @param condition the condition.
     */
    public static void until(final String what, final Duration bound, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + bound.toNanos();
        long pauseMicros = 50;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after " + bound + " waiting for " + what);
            }
            // a poll interval, not synchronisation: the loop re-checks the condition
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(pauseMicros));
            pauseMicros = Math.min(pauseMicros * 2, 20_000);
        }
    }

    /**
     * Poll until the supplier gives a non-null value, failing after the bound.
     *
     * @param what     what is awaited.
     * @param supplier the value source.
     * @param <T>      the value type.
     * @return the value.
     */
    public static <T> T value(final String what, final Supplier<T> supplier)
    {
        final Object[] box = new Object[1];
        until(what, () -> (box[0] = supplier.get()) != null);
        @SuppressWarnings("unchecked") final T value = (T)box[0];
        return value;
    }
}

package io.mp4j.shm;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How a test waits for a condition another thread or process brings about: with a bound, never with a sleep.
 * Shared by every module's tests (the shm test-jar).
 */
public final class Await
{
    /** The bound of {@link #until(String, BooleanSupplier)}: long, so that only a hang fails on a loaded machine. */
    public static final Duration BOUND = Duration.ofSeconds(30);

    private Await()
    {
    }

    /**
     * Wait until {@code condition} holds, for at most {@link #BOUND}.
     *
     * @param what      what is awaited, for the failure message.
     * @param condition polled, yielding between polls.
     * @throws AssertionError if the bound passed first.
     */
    public static void until(final String what, final BooleanSupplier condition)
    {
        until(what, BOUND, condition);
    }

    /**
     * Wait until {@code condition} holds, for at most {@code bound}.
     *
     * @param what      what is awaited, for the failure message.
     * @param bound     how long at most.
     * @param condition polled, yielding between polls.
     * @throws AssertionError if the bound passed first.
     */
    public static void until(final String what, final Duration bound, final BooleanSupplier condition)
    {
        final long start = System.nanoTime();
        final long boundNanos = bound.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - start > boundNanos)
            {
                throw new AssertionError("not within " + bound + ": " + what);
            }
            Thread.yield();
        }
    }
}

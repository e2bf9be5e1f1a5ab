package io.mp4j.cluster;

import org.apache.ignite.IgniteInterruptedException;

/**
 * Ignite's report of an interrupt, recognised and turned into {@code java.util.concurrent}'s. Ignite throws its
 * unchecked {@link IgniteInterruptedException} as it is from atomics, semaphores and queues, and a cache wraps it
 * (in a {@code javax.cache.CacheException}); every cluster object accepts both forms, so that an interrupt which
 * lands in a round trip to the cluster always comes out as an {@link InterruptedException}.
 */
final class IgniteInterrupts
{
    private IgniteInterrupts()
    {
    }

    /**
     * @param ex what an Ignite call threw.
     * @return whether it reports an interrupt, as it is or wrapped.
     */
    static boolean isInterrupt(final RuntimeException ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof IgniteInterruptedException)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param ex      what an Ignite call threw.
     * @param message the message of the {@code InterruptedException}.
     * @return an {@code InterruptedException} caused by {@code ex}, the interrupt status cleared (as the waits of
     * {@code java.util.concurrent} leave it), if {@code ex} reports an interrupt.
     * @throws RuntimeException {@code ex} itself, if it does not.
     */
    static InterruptedException interrupted(final RuntimeException ex, final String message)
    {
        if (!isInterrupt(ex))
        {
            throw ex;
        }
        Thread.interrupted();
        final InterruptedException interrupted = new InterruptedException(message);
        interrupted.initCause(ex);
        return interrupted;
    }
}

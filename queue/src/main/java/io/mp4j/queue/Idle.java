package io.mp4j.queue;

import io.mp4j.shm.IdleStrategies;
import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy blocking operations of this module wait with: the JVM default of
 * {@link IdleStrategies} (system property {@code mp4j.idle}: {@code backoff} by default, so an idle
 * waiter burns no CPU, or {@code spin}, {@code yield}, {@code sleep}). One instance per thread, reset
 * at the start of each wait, so waiting allocates nothing once warm.
 */
final class Idle
{
    private static final ThreadLocal<IdleStrategy> WAIT = ThreadLocal.withInitial(() -> IdleStrategies.getDefault().get());

    private Idle()
    {
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

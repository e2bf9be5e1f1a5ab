package io.mp4j.shm;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The most negative timeouts mean "do not wait", as zero does: no arithmetic on them wraps into a wait.
 */
class ExtremeTimeoutTest
{
    @Test
    void waitForWithTheMostNegativeTimeoutReturnsFalseAtOnce()
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            final Condition cond = Condition.create(dir, "c");
            assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
            {
                try (SharedLock.Held held = cond.locked())
                {
                    assertFalse(cond.waitFor(() -> false, Duration.ofNanos(Long.MIN_VALUE)));
                    assertFalse(cond.waitFor(() -> false, Duration.ofSeconds(Long.MIN_VALUE)));
                }
            });
            cond.close();
        }
    }
}

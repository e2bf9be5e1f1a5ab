package io.mp4j.tests.pool;

import io.mp4j.examples.tour.PoolSections;
import io.mp4j.examples.tour.Section;
import io.mp4j.tests.CapturedOutput;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tour's pool sections print what the seed's examples print.
 */
@ExtendWith(NoLeaks.class)
class PoolSectionsTest
{
    private static String run(final Section section) throws Exception
    {
        try (CapturedOutput out = new CapturedOutput())
        {
            section.run();
            return out.text();
        }
    }

    @Test
    void processPoolAndPoolMethods() throws Exception
    {
        final String pool = run(new PoolSections.ProcessPool());
        assertTrue(pool.matches("(?s)Sequential: \\d+\\.\\d\\ds\\nParallel: \\d+\\.\\d\\ds\\n"), pool);
        final String methods = run(new PoolSections.PoolMethods());
        assertTrue(methods.contains("map: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\n"), methods);
        assertTrue(methods.contains("starmap: [3, 7, 11]\n"), methods);
        assertTrue(methods.contains("apply_async: 100\n"), methods);
        assertTrue(methods.contains("map_async: [0, 1, 4, 9, 16]\n"), methods);
    }

    @Test
    void executorAndThreadsVsProcesses() throws Exception
    {
        final String executor = run(new PoolSections.Executor());
        assertTrue(executor.contains("Result: 333332833333500000\n"), executor);
        assertTrue(executor.contains("All results: [333332833333500000, 333332833333500000, 333332833333500000, 333332833333500000]"), executor);
        final String tvp = run(new PoolSections.ThreadsVsProcesses());
        assertTrue(tvp.matches("(?s)Sequential: .*\\nThreads: .*no GIL.*\\nProcesses: .*"), tvp);
    }
}

package io.mp4j.tests.shm;

import io.mp4j.Context;
import io.mp4j.Pool;
import io.mp4j.Process;
import io.mp4j.StartMethod;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Value;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A JVM limited to one processor (as by a container's CPU limit or an affinity mask) does not spin while
 * it waits for another process, whose progress needs that processor; a JVM with more processors does.
 */
@ExtendWith(NoLeaks.class)
class OneProcessorTest
{
    static final Duration BOUND = Duration.ofSeconds(120);
    static final int ROUNDS = 2_000;

    /** In the child: report what it saw, then meet the parent at the barrier for every round. */
    static void reportAndMeet(final Value processors, final Value spinMicros, final Barrier barrier)
        throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        processors.setInt(IdleStrategies.MULTIPROCESSOR ? Runtime.getRuntime().availableProcessors() : 1);
        spinMicros.setInt(IdleStrategies.BACKOFF_SPIN_MICROS);
        for (int i = 0; i < ROUNDS; i++)
        {
            barrier.await(BOUND);
        }
    }

    @Test
    void aChildOnOneProcessorWaitsWithoutSpinningAndStillMeetsItsPeer() throws Exception
    {
        assumeTrue(System.getProperty("mp4j.idle.spinMicros") == null, "a spin phase set by property applies everywhere");
        try (RuntimeDirectory dir = RuntimeDirectory.create();
             Context oneProcessor = Context.create(StartMethod.SPAWN, List.of("-XX:ActiveProcessorCount=1")))
        {
            final Value processors = Value.createRaw(dir, "processors", ElementType.INT, -1);
            final Value spinMicros = Value.createRaw(dir, "spin", ElementType.INT, -1);
            final Barrier barrier = Barrier.create(dir, "rounds", 2);
            final Process child = Process.of(OneProcessorTest::reportAndMeet, processors, spinMicros, barrier)
                .context(oneProcessor);
            child.start();
            try
            {
                for (int i = 0; i < ROUNDS; i++)
                {
                    barrier.await(BOUND);
                }
                assertTrue(child.join(BOUND), "child did not finish");
                assertEquals(0, child.exitCode().orElse(-999), String.join("\n", child.stderrTail()));
            }
            finally
            {
                child.kill();
            }
            assertEquals(1, processors.getInt(), "the child's view of its processors");
            assertEquals(0, spinMicros.getInt(), "the child's spin phase on one processor, in µs");
            // this JVM, on all of this machine's processors, keeps its spin phase
            assertEquals(IdleStrategies.MULTIPROCESSOR ? 200 : 0, IdleStrategies.BACKOFF_SPIN_MICROS);
            assertEquals(0, barrier.nWaiting());
        }
    }

    static int square(final int x)
    {
        return x * x;
    }

    @Test
    void aPoolOfOneProcessorWorkersAnswersEveryTaskInOrder() throws Exception
    {
        // its workers' idle loops yield at every look there, where they spin elsewhere
        try (Context oneProcessor = Context.create(StartMethod.SPAWN, List.of("-XX:ActiveProcessorCount=1"));
             Pool pool = oneProcessor.pool(2))
        {
            final List<Integer> xs = IntStream.range(0, 2_000).boxed().collect(Collectors.toList());
            assertEquals(xs.stream().map(OneProcessorTest::square).collect(Collectors.toList()),
                pool.map(OneProcessorTest::square, xs, 1));
            for (int i = 0; i < 200; i++)
            {
                assertEquals(i * i, pool.apply(OneProcessorTest::square, i));
            }
        }
    }
}

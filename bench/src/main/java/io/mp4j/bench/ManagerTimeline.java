package io.mp4j.bench;

import io.mp4j.Manager;
import io.mp4j.Process;
import io.mp4j.shm.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;

import java.util.Map;

/**
 * The timeline of {@code manager_dict}'s cold pass: a cold child's 20,000 {@code put}s then 20,000 {@code get}s
 * on a manager's dict, timed per 1,000 calls, so that what makes up a cold pass shows (two rates, with little
 * in between: both sides spinning on a core each, or a plateau where they share one; see docs/manager.md).
 * Not a harness workload: run it as {@code java @core/target/classes/io/mp4j/jvm-flags.txt -cp
 * "bench/target/mp4j-bench.jar:bench/target/lib/*" io.mp4j.bench.ManagerTimeline [runs]}.
 */
public final class ManagerTimeline
{
    private static final int BLOCK = 1_000;
    private static final int BLOCKS = ManagerDict.OPS / BLOCK;

    private ManagerTimeline()
    {
    }

    static void child(final Map<Integer, Integer> d, final Integer n, final SharedMemory res)
    {
        final AtomicBuffer out = res.buffer();
        d.size(); // connected before the clock starts, as in manager_dict
        long t = System.nanoTime();
        for (int i = 0; i < n; i++)
        {
            d.put(i, i);
            if ((i + 1) % BLOCK == 0)
            {
                final long now = System.nanoTime();
                out.putLong(8 * (i / BLOCK), now - t);
                t = now;
            }
        }
        for (int i = 0; i < n; i++)
        {
            d.get(i);
            if ((i + 1) % BLOCK == 0)
            {
                final long now = System.nanoTime();
                out.putLong(8 * (BLOCKS + i / BLOCK), now - t);
                t = now;
            }
        }
    }

    /**
     * @param args the number of runs (default 3), each with a new manager and a new child.
     * @throws Exception if a run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        for (int run = 0; run < runs; run++)
        {
            try (Manager manager = Manager.start(); SharedMemory res = SharedMemory.create(8 * 2 * BLOCKS))
            {
                final Process p = Process.of(ManagerTimeline::child, manager.<Integer, Integer>dict(), ManagerDict.OPS, res);
                p.start();
                p.join();
                if (p.exitCode().orElse(-1) != 0)
                {
                    throw new IllegalStateException("the child failed: " + p.stderrTail());
                }
                final StringBuilder line = new StringBuilder("run " + (run + 1) + "\n  put µs/call per 1,000:");
                for (int b = 0; b < 2 * BLOCKS; b++)
                {
                    if (b == BLOCKS)
                    {
                        line.append("\n  get µs/call per 1,000:");
                    }
                    line.append(String.format(" %.1f", res.buffer().getLong(8 * b) / 1e3 / BLOCK));
                }
                System.out.println(line);
            }
        }
    }
}

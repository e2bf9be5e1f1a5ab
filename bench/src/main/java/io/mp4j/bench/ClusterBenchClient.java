package io.mp4j.bench;

import io.mp4j.Context;
import io.mp4j.ProcessPoolExecutor;
import io.mp4j.SerializableCallable;
import io.mp4j.cluster.ClusterBackend;
import io.mp4j.cluster.ClusterConfig;
import io.mp4j.queue.Queue;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Lock;
import io.mp4j.shm.Value;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.IgniteLock;
import org.apache.ignite.IgniteQueue;
import org.apache.ignite.lang.IgniteCallable;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * The measuring client of {@link ClusterWorkload}: joins the cluster and prints {@code RESULT name=µs} lines.
 * Arguments: seeds, discovery port, first communication port, operations per round, measured rounds, unmeasured warm-up rounds.
 */
public final class ClusterBenchClient
{
    private ClusterBenchClient()
    {
    }

    /** An operation measured n times. */
    @FunctionalInterface
    interface Op
    {
        void run() throws Exception;
    }

    private static double meanMicros(final Op op, final int n) throws Exception
    {
        final long start = System.nanoTime();
        for (int i = 0; i < n; i++)
        {
            op.run();
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Operations per block: mp4j and raw alternate block by block. */
    private static final int BLOCK = 10;

    /**
     * mp4j and raw alternate every {@link #BLOCK} operations, taking turns going first, so that both see the
     * same load and the same state of the JIT: on this machine a side's mean drifts by tens of per cent from
     * one second to the next, which made the very same Ignite call 0.8-1.5x of itself when each side ran its
     * n operations in one go. A round is n operations per side; the first {@code warmUpRounds} rounds are not
     * measured (four JVMs on two cores are still compiling Ignite's paths for the first thousand calls).
     */
    private static void compare(final String name, final Op mp4j, final Op raw, final int n, final int warmUpRounds,
        final int rounds) throws Exception
    {
        final double[] a = new double[rounds];
        final double[] b = new double[rounds];
        final int blocks = Math.max(1, n / BLOCK);
        for (int r = -warmUpRounds; r < rounds; r++)
        {
            double mp4jMicros = 0;
            double rawMicros = 0;
            for (int i = 0; i < blocks; i++)
            {
                if (((i + r) & 1) == 0)
                {
                    mp4jMicros += meanMicros(mp4j, BLOCK);
                    rawMicros += meanMicros(raw, BLOCK);
                }
                else
                {
                    rawMicros += meanMicros(raw, BLOCK);
                    mp4jMicros += meanMicros(mp4j, BLOCK);
                }
            }
            if (r >= 0)
            {
                a[r] = mp4jMicros / blocks;
                b[r] = rawMicros / blocks;
            }
        }
        System.out.println("RESULT " + name + "_mp4j_us=" + median(a));
        System.out.println("RESULT " + name + "_raw_us=" + median(b));
        System.out.flush();
    }

    private static void single(final String name, final Op op, final int n, final int rounds) throws Exception
    {
        meanMicros(op, Math.max(1, n / 10));
        final double[] a = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            a[r] = meanMicros(op, n);
        }
        System.out.println("RESULT " + name + "=" + median(a));
        System.out.flush();
    }

    private static <T> T existing(final T structure, final String what)
    {
        if (structure == null)
        {
            throw new IllegalStateException("the raw twin of the " + what + " is not the Ignite structure mp4j made: " +
                "ClusterBackend names them differently now");
        }
        return structure;
    }

    public static void main(final String[] args) throws Exception
    {
        final int n = Integer.parseInt(args[3]);
        final int rounds = Integer.parseInt(args[4]);
        final int warmUpRounds = Integer.parseInt(args[5]);
        final ClusterBackend backend = ClusterBackend.join(ClusterConfig.builder()
            .seeds(List.of(args[0])).localAddress("127.0.0.1")
            .discoveryPort(Integer.parseInt(args[1]), 3).communicationPort(Integer.parseInt(args[2]), 11)
            .noSecret(true).build());
        try
        {
            final Ignite ignite = backend.ignite();

            // The raw twins of the counter and the queue are the very Ignite objects mp4j's wrap (opened by the
            // names ClusterBackend gives them): a structure's primary member depends on its name, and two names
            // put on two members measured placement, not mp4j (the same call came out 0.8-1.5x of itself).
            final Value counter = backend.value("bench-counter", ElementType.LONG, 0L);
            final IgniteAtomicLong rawCounter = existing(ignite.atomicLong("mp4j.value~bench-counter", 0, false), "counter");
            compare("counter", counter::incrementAndGet, rawCounter::incrementAndGet, n, warmUpRounds, rounds);

            final Lock lock = backend.lock("bench-lock");
            final IgniteLock rawLock = ignite.reentrantLock("bench-raw-lock", true, false, true);
            compare("lock", () -> { lock.lock(); lock.unlock(); }, () -> { rawLock.lock(); rawLock.unlock(); }, n, warmUpRounds, rounds);

            final Queue<Long> queue = backend.queue("bench-queue");
            final IgniteQueue<Long> rawQueue = existing(ignite.queue("mp4j.queue~bench-queue", 0, null), "queue");
            compare("queue_rtt", () -> { queue.put(1L); queue.get(); }, () -> { rawQueue.put(1L); rawQueue.take(); }, n, warmUpRounds, rounds);

            final ProcessPoolExecutor executor = backend.executor(4);
            // raw: Ignite's own ExecutorService over the same members, the same submit().get() round trip
            final ExecutorService rawExecutor = ignite.executorService(ignite.cluster().forServers());
            final SerializableCallable<Integer> task = () -> 1;
            final IgniteCallable<Integer> rawTask = () -> 1;
            compare("executor_rtt", () -> executor.submit(task).get(), () -> rawExecutor.submit(rawTask).get(), n, warmUpRounds, rounds);
            executor.shutdown();
            rawExecutor.shutdown();

            // the same operations on the memory-mapped backend, for scale (one host, no network)
            try (Context ctx = Context.create())
            {
                final Value mappedCounter = ctx.value("bench-counter", ElementType.LONG, 0L);
                single("counter_mapped_us", mappedCounter::incrementAndGet, n * 100, rounds);
                final Lock mappedLock = ctx.lock("bench-lock");
                single("lock_mapped_us", () -> { mappedLock.lock(); mappedLock.unlock(); }, n * 100, rounds);
                final Queue<Long> mappedQueue = ctx.queue("bench-queue");
                single("queue_rtt_mapped_us", () -> { mappedQueue.put(1L); mappedQueue.get(); }, n * 100, rounds);
                try (ProcessPoolExecutor mappedExecutor = ctx.executor(1))
                {
                    single("executor_rtt_mapped_us", () -> mappedExecutor.submit(task).get(), n, rounds);
                }
            }
        }
        finally
        {
            backend.close();
        }
        System.exit(0);
    }
}

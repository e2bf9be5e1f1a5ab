package io.mp4j.bench;

import io.mp4j.Pool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code threads_vs_processes}: the seed's {@code cpu_bound(n) = sum(i * i for i in range(n))} with
 * n = 2,000,000 and 4 calls: sequential, 4 threads, {@code Pool(2)} with its start-up and teardown (as
 * the seed times it), {@code map} alone on a warm {@code Pool(2)}, and {@code Pool(4)} with start-up.
 * 5 repetitions each, median seconds. Java threads have no GIL, so threads run in parallel too; a fresh
 * worker JVM also runs {@code cpu_bound} before its JIT has warmed up.
 */
public final class ThreadsVsProcesses implements Workload
{
    static final int N = 2_000_000;
    static final int COUNT = 4;
    static final int REPS = 5;

    static long cpuBound(final int n)
    {
        long sum = 0;
        for (long i = 0; i < n; i++)
        {
            sum += i * i;
        }
        return sum;
    }

    @Override
    public String name()
    {
        return "threads_vs_processes";
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        final long expected = cpuBound(N);
        final List<Integer> ns = Collections.nCopies(COUNT, N);
        final double[] seq = new double[REPS];
        final double[] thr = new double[REPS];
        final double[] pool2 = new double[REPS];
        final double[] pool4 = new double[REPS];
        final double[] warm = new double[REPS];
        for (int r = 0; r < REPS; r++)
        {
            long t0 = System.nanoTime();
            for (int i = 0; i < COUNT; i++)
            {
                if (cpuBound(N) != expected)
                {
                    throw new IllegalStateException("cpu_bound wrong");
                }
            }
            seq[r] = (System.nanoTime() - t0) / 1e9;

            t0 = System.nanoTime();
            final List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < COUNT; i++)
            {
                final Thread t = new Thread(() -> cpuBound(N));
                threads.add(t);
                t.start();
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            thr[r] = (System.nanoTime() - t0) / 1e9;

            t0 = System.nanoTime();
            final List<Long> res;
            try (Pool pool = Pool.create(2))
            {
                res = pool.map(ThreadsVsProcesses::cpuBound, ns);
            }
            pool2[r] = (System.nanoTime() - t0) / 1e9;
            if (!res.equals(Collections.nCopies(COUNT, expected)))
            {
                throw new IllegalStateException("cpu_bound wrong in the pool: " + res);
            }

            t0 = System.nanoTime();
            try (Pool pool = Pool.create(COUNT))
            {
                pool.map(ThreadsVsProcesses::cpuBound, ns);
            }
            pool4[r] = (System.nanoTime() - t0) / 1e9;
        }
        try (Pool pool = Pool.create(2))
        {
            pool.awaitReady(java.time.Duration.ofSeconds(60));
            pool.map(ThreadsVsProcesses::cpuBound, Collections.nCopies(8, 1000), 1);
            for (int r = 0; r < REPS; r++)
            {
                final long t0 = System.nanoTime();
                pool.map(ThreadsVsProcesses::cpuBound, ns);
                warm[r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("sequential", s(seq));
        out.put("threads_4", s(thr));
        out.put("pool_2_with_startup", s(pool2));
        out.put("pool_2_map_only", s(warm));
        out.put("pool_4_with_startup", s(pool4));
        summary.put("cpu_bound_sequential_s", ((Map<?, ?>)out.get("sequential")).get("s_median"));
        summary.put("cpu_bound_threads_4_s", ((Map<?, ?>)out.get("threads_4")).get("s_median"));
        summary.put("cpu_bound_pool_2_with_startup_s", ((Map<?, ?>)out.get("pool_2_with_startup")).get("s_median"));
        summary.put("cpu_bound_pool_2_map_only_s", ((Map<?, ?>)out.get("pool_2_map_only")).get("s_median"));
        return out;
    }

    private static Map<String, Object> s(final double[] seconds)
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("s_median", Stats.summary(seconds).get("median"));
        out.put("s", java.util.Arrays.stream(seconds).boxed().collect(java.util.stream.Collectors.toList()));
        return out;
    }
}

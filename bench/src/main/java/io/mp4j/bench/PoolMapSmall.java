package io.mp4j.bench;

import io.mp4j.Context;
import io.mp4j.Pool;
import io.mp4j.StartMethod;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * {@code pool_map_small}: {@code Pool(2)} and {@code square(x) = x * x} over {@code Long}s.
 * <ul>
 * <li>a) creation, 5 runs, median: from {@code Pool.create(2)} until both workers have each run a task
 *   (tasks returning the worker's pid, chunk size 1, submitted until two pids are seen: Python uses a
 *   {@code Barrier(2)}, which mp4j's shm module will give later); also the constructor alone and the
 *   terminate on leaving try-with-resources. Measured with the {@code spawn} start method (cold JVMs)
 *   and with {@code spare} (the context keeps {@code mp4j.spares} pre-started JVMs, by default
 *   {@code cpuCount()}, and the timing starts once they are all ready, so both workers are spares).</li>
 * <li>b) {@code map(square, 0..199_999)} with the default chunk size (25,000, 8 chunks), warmed by a map
 *   over 1,000; 20 passes, tasks/s from the median pass.</li>
 * <li>c) {@code map(square, 0..19_999, chunksize 1)}: one message per task each way; 5 passes. Then
 *   {@link #CHUNK1_WARM_REPS} more in the same pool, whose median is the {@code warm} figure: the first
 *   passes run while the JIT compiles the per-chunk paths of the caller and the workers.</li>
 * </ul>
 */
public final class PoolMapSmall implements Workload
{
    static final int PROCESSES = 2;
    static final int CREATE_RUNS = 5;
    static final int MAP_N = 200_000;
    static final int MAP_REPS = 20;
    static final int CHUNK1_N = 20_000;
    static final int CHUNK1_REPS = 5;
    static final int CHUNK1_WARM_REPS = Harness.count(20, 1);

    static long square(final long x)
    {
        return x * x;
    }

    static long pid(final long ignored)
    {
        return ProcessHandle.current().pid();
    }

    @Override
    public String name()
    {
        return "pool_map_small";
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        final Map<String, Object> spawn = create(StartMethod.SPAWN);
        final Map<String, Object> spare = create(StartMethod.SPARE);
        out.put("create_spawn", spawn);
        out.put("create_spare", spare);
        summary.put("pool_ready_ms", ((Map<?, ?>)spawn.get("ready_ms")).get("median"));
        summary.put("pool_ready_spare_ms", ((Map<?, ?>)spare.get("ready_ms")).get("median"));

        final List<Long> warm = range(1000);
        final List<Long> xs = range(MAP_N);
        final List<Long> xs1 = range(CHUNK1_N);
        try (Pool pool = Pool.create(PROCESSES))
        {
            pool.awaitReady(java.time.Duration.ofSeconds(60));
            pool.map(PoolMapSmall::square, warm);
            final double[] passes = new double[MAP_REPS];
            for (int i = 0; i < MAP_REPS; i++)
            {
                final long t0 = System.nanoTime();
                final List<Long> res = pool.map(PoolMapSmall::square, xs);
                passes[i] = System.nanoTime() - t0;
                check(res, MAP_N);
            }
            final Map<String, Object> b = rate(passes, MAP_N);
            b.put("chunksize", (MAP_N + 4 * PROCESSES - 1) / (4 * PROCESSES));
            out.put("map_default_chunksize", b);
            summary.put("pool_map_default_tasks_per_s", b.get("tasks_per_s"));

            final Map<String, Object> c = rate(chunk1Passes(pool, xs1, CHUNK1_REPS), CHUNK1_N);
            c.put("chunksize", 1);
            c.put("warm", rate(chunk1Passes(pool, xs1, CHUNK1_WARM_REPS), CHUNK1_N));
            out.put("map_chunksize_1", c);
            summary.put("pool_map_chunk1_tasks_per_s", c.get("tasks_per_s"));
            summary.put("pool_map_chunk1_warm_tasks_per_s", ((Map<?, ?>)c.get("warm")).get("tasks_per_s"));
        }
        return out;
    }

    private static Map<String, Object> create(final StartMethod method) throws Exception
    {
        final double[] ctor = new double[CREATE_RUNS];
        final double[] ready = new double[CREATE_RUNS];
        final double[] exit = new double[CREATE_RUNS];
        try (Context ctx = Context.create(method, List.of()))
        {
            for (int r = 0; r < CREATE_RUNS; r++)
            {
                if (method == StartMethod.SPARE && !ctx.awaitSpare(60, TimeUnit.SECONDS))
                {
                    throw new IllegalStateException("no spare JVM within 60 s");
                }
                final long t0 = System.nanoTime();
                final long t1;
                final long t2;
                try (Pool pool = Pool.builder().processes(PROCESSES).context(ctx).build())
                {
                    t1 = System.nanoTime();
                    final Set<Long> pids = new HashSet<>();
                    long i = 0;
                    while (pids.size() < PROCESSES)
                    {
                        pids.addAll(pool.map(PoolMapSmall::pid, List.of(i++, i++), 1));
                    }
                    t2 = System.nanoTime();
                }
                final long t3 = System.nanoTime();
                ctor[r] = (t1 - t0) / 1e6;
                ready[r] = (t2 - t0) / 1e6;
                exit[r] = (t3 - t2) / 1e6;
            }
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("ready_ms", Stats.summary(ready));
        out.put("ready_ms_runs", java.util.Arrays.stream(ready).boxed().collect(Collectors.toList()));
        out.put("constructor_ms", Stats.summary(ctor));
        out.put("exit_terminate_ms", Stats.summary(exit));
        return out;
    }

    static List<Long> range(final int n)
    {
        return LongStream.range(0, n).boxed().collect(Collectors.toList());
    }

    private static void check(final List<Long> res, final int n)
    {
        if (res.size() != n || res.get(n - 1) != (long)(n - 1) * (n - 1))
        {
            throw new IllegalStateException("pool.map gave a wrong result");
        }
    }

    /** Time {@code reps} passes of {@code map(square, xs, chunksize 1)}, in nanoseconds, each checked. */
    private static double[] chunk1Passes(final Pool pool, final List<Long> xs, final int reps)
    {
        final double[] passes = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            final long t0 = System.nanoTime();
            final List<Long> res = pool.map(PoolMapSmall::square, xs, 1);
            passes[i] = System.nanoTime() - t0;
            check(res, xs.size());
        }
        return passes;
    }

    private static Map<String, Object> rate(final double[] passNanos, final int n)
    {
        final Map<String, Object> s = Stats.summary(passNanos);
        final double median = (Double)s.get("median");
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("n", n);
        out.put("tasks_per_s", n / (median / 1e9));
        out.put("tasks_per_s_best_pass", n / ((Double)s.get("min") / 1e9));
        out.put("pass_ms_median", median / 1e6);
        final double[] ms = new double[passNanos.length];
        for (int i = 0; i < ms.length; i++)
        {
            ms[i] = passNanos[i] / 1e6;
        }
        out.put("pass_ms", java.util.Arrays.stream(ms).boxed().collect(Collectors.toList()));
        return out;
    }
}

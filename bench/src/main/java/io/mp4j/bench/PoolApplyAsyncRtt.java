package io.mp4j.bench;

import io.mp4j.Pool;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code pool_apply_async_rtt}: a new {@code Pool(2)} warmed with one map over 1,000; then 200 unmeasured
 * and 5,000 measured sequential {@code applyAsync(square, i).get()}. Per-call latency percentiles in
 * microseconds (nearest rank), calls/s. Then {@link #WARM_PASSES} more passes of 5,000 in the same pool;
 * {@code warm} holds the percentiles of the last, once the JIT has compiled the caller's and the workers'
 * paths (the first window runs while their compiler threads still take cores).
 */
public final class PoolApplyAsyncRtt implements Workload
{
    static final int WARMUP = 200;
    static final int N = 5_000;
    /** Passes after the baseline's window; the last one's percentiles are the warm figures. */
    static final int WARM_PASSES = Harness.count(3, 1);

    @Override
    public String name()
    {
        return "pool_apply_async_rtt";
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        try (Pool pool = Pool.create(PoolMapSmall.PROCESSES))
        {
            pool.awaitReady(java.time.Duration.ofSeconds(60));
            pool.map(PoolMapSmall::square, PoolMapSmall.range(1000));
            for (long i = 0; i < WARMUP; i++)
            {
                pool.applyAsync(PoolMapSmall::square, i).get();
            }
            final long start = System.nanoTime();
            final double[] us = pass(pool);
            final double wall = (System.nanoTime() - start) / 1e9;
            final Map<String, Object> out = new LinkedHashMap<>(Stats.summary(us));
            final double[] sorted = us.clone();
            java.util.Arrays.sort(sorted);
            out.put("p999", Stats.percentile(sorted, 99.9));
            int over = 0;
            for (final double v : us)
            {
                over += v > 1000 ? 1 : 0;
            }
            out.put("n_over_1ms", over);
            out.put("unit", "us");
            out.put("calls_per_s", N / wall);
            double[] warm = us;
            for (int pass = 0; pass < WARM_PASSES; pass++)
            {
                warm = pass(pool);
            }
            final Map<String, Object> w = new LinkedHashMap<>(Stats.summary(warm));
            w.put("pass", WARM_PASSES + 1);
            out.put("warm", w);
            summary.put("pool_apply_async_p50_us", out.get("median"));
            summary.put("pool_apply_async_p99_us", out.get("p99"));
            summary.put("pool_apply_async_warm_p50_us", w.get("median"));
            summary.put("pool_apply_async_warm_p99_us", w.get("p99"));
            return out;
        }
    }

    /** {@link #N} sequential round trips, each checked: their latencies in microseconds. */
    private static double[] pass(final Pool pool) throws Exception
    {
        final double[] us = new double[N];
        for (int i = 0; i < N; i++)
        {
            final long x = i;
            final long t0 = System.nanoTime();
            final long r = pool.applyAsync(PoolMapSmall::square, x).get();
            us[i] = (System.nanoTime() - t0) / 1e3;
            if (r != x * x)
            {
                throw new IllegalStateException("wrong result " + r + " for " + x);
            }
        }
        return us;
    }
}

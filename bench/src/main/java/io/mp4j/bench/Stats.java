package io.mp4j.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Percentiles by the nearest-rank method, as the CPython baseline computes them:
 * {@code pXX = sorted[ceil(XX/100 * n) - 1]}.
 */
public final class Stats
{
    private Stats()
    {
    }

    /**
     * @param sorted ascending samples.
     * @param pct    0 to 100.
     * @return the nearest-rank percentile.
     */
    public static double percentile(final double[] sorted, final double pct)
    {
        final int rank = (int)Math.ceil(pct / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * @param samples samples in any order (not modified).
     * @return median (p50), min, max, p90, p99 and n.
     */
    public static Map<String, Object> summary(final double[] samples)
    {
        final double[] sorted = samples.clone();
        Arrays.sort(sorted);
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("median", percentile(sorted, 50));
        out.put("min", sorted[0]);
        out.put("max", sorted[sorted.length - 1]);
        out.put("p90", percentile(sorted, 90));
        out.put("p99", percentile(sorted, 99));
        out.put("n", sorted.length);
        return out;
    }
}

package io.mp4j.bench;

import io.mp4j.Context;
import io.mp4j.Process;
import io.mp4j.StartMethod;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code process_start}: time from {@code Process.of(noop)} + {@code start()} to {@code join()} returning,
 * 1 unmeasured warm-up then 20 measured starts one after another, per start method; median in ms.
 *
 * <p>Start methods: {@code spawn} (a cold JVM each time, default options), {@code spawn_tuned} (a cold JVM
 * with {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData}: options a user can
 * choose for short-lived children), and {@code spare} (a pre-started spare JVM takes the process; the
 * harness waits until the next spare is ready between runs, as Python's forkserver is ready between
 * starts).
 */
public final class ProcessStart implements Workload
{
    /** As PROCESS_START_RUNS in mp_bench.py. */
    static final int RUNS = Harness.count(20, 2);

    static void noop()
    {
    }

    @Override
    public String name()
    {
        return "process_start";
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> results = new LinkedHashMap<>();
        results.put("spawn", measure(StartMethod.SPAWN, List.of()));
        results.put("spawn_tuned", measure(StartMethod.SPAWN,
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-XX:-UsePerfData")));
        results.put("spare", measure(StartMethod.SPARE, List.of()));
        for (final String method : List.of("spawn", "spawn_tuned", "spare"))
        {
            @SuppressWarnings("unchecked") final Map<String, Object> m = (Map<String, Object>)results.get(method);
            summary.put("process_start_" + method + "_ms", m.get("median"));
        }
        return results;
    }

    private static Map<String, Object> measure(final StartMethod method, final List<String> options) throws Exception
    {
        try (Context ctx = Context.create(method, options))
        {
            final double warmup = once(ctx);
            final double[] ms = new double[RUNS];
            for (int i = 0; i < RUNS; i++)
            {
                ms[i] = once(ctx);
            }
            final Map<String, Object> out = Stats.summary(ms);
            out.put("warmup", warmup);
            out.put("unit", "ms");
            out.put("jvm_options", options);
            return out;
        }
    }

    private static double once(final Context ctx) throws Exception
    {
        if (ctx.startMethod() == StartMethod.SPARE && !ctx.awaitSpare(60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("spare JVM not ready within 60 s");
        }
        final long start = System.nanoTime();
        final Process p = Process.of(ProcessStart::noop).context(ctx);
        p.start();
        p.join();
        final long end = System.nanoTime();
        if (p.exitCode().getAsInt() != 0)
        {
            throw new IllegalStateException("noop child exited with " + p.exitCode().getAsInt() + ": " + p.stderrTail());
        }
        return (end - start) / 1e6;
    }
}

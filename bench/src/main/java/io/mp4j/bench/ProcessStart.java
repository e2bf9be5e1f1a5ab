package io.mp4j.bench;

import io.mp4j.Context;
import io.mp4j.Process;
import io.mp4j.StartMethod;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * choose for short-lived children), {@code spawn_cds} and {@code spawn_cds_tuned} (the same with an
 * application class-data-sharing archive dumped by one child first; only when the class path is all
 * jars, as under {@code ./mp4j}), and {@code spare} (a pre-started spare JVM takes the process; the
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
        final Path archive = cdsArchive();
        if (archive != null)
        {
            results.put("spawn_cds", measure(StartMethod.SPAWN, List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto")));
            results.put("spawn_cds_tuned", measure(StartMethod.SPAWN, List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData")));
            Files.deleteIfExists(archive);
        }
        else
        {
            results.put("spawn_cds", Map.of("skipped", "the class path has directories; CDS archives need jars only"));
        }
        results.put("spare", measure(StartMethod.SPARE, List.of()));
        for (final Map.Entry<String, Object> method : results.entrySet())
        {
            @SuppressWarnings("unchecked") final Map<String, Object> m = (Map<String, Object>)method.getValue();
            if (m.containsKey("median"))
            {
                summary.put("process_start_" + method.getKey() + "_ms", m.get("median"));
            }
        }
        return results;
    }

    /**
     * Dump an application class-data-sharing archive of what a child loads to run a task: one child run
     * with {@code -XX:ArchiveClassesAtExit}. Only possible when every class path entry is a jar.
     *
     * @return the archive, or null where the class path does not allow one.
     */
    private static Path cdsArchive() throws Exception
    {
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            if (!entry.endsWith(".jar") || entry.contains("surefire"))
            {
                return null;
            }
        }
        final Path archive = Files.createTempFile("mp4j-child", ".jsa");
        Files.delete(archive);
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:disable")))
        {
            once(ctx);
        }
        return Files.isRegularFile(archive) ? archive : null;
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

package io.mp4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cross-process benchmark harness: the Java twin of {@code shared/bench/python/mp_bench.py}.
 * Prints one JSON object on standard output ({@code machine}, {@code results}, {@code summary},
 * {@code seconds}) and writes it to {@code --out FILE} too; progress goes to standard error.
 *
 * <pre>
 *   java ... io.mp4j.bench.Harness [--only name,name] [--out FILE] [--list]
 * </pre>
 */
public final class Harness
{
    /**
     * System property: when {@code true}, every workload runs a token amount of work, to check that the
     * harness and its JSON work (tests use it). Figures from a smoke run mean nothing.
     */
    public static final String SMOKE_PROPERTY = "mp4j.bench.smoke";

    private Harness()
    {
    }

    /**
     * @param full  the count the baseline uses.
     * @param smoke the count for a smoke run.
     * @return {@code smoke} when {@link #SMOKE_PROPERTY} is set, else {@code full}.
     */
    public static int count(final int full, final int smoke)
    {
        return Boolean.getBoolean(SMOKE_PROPERTY) ? smoke : full;
    }

    /**
     * @return every workload, in the baseline's order.
     */
    public static List<Workload> workloads()
    {
        final List<Workload> all = new ArrayList<>();
        all.add(new ProcessStart());
        all.add(new PoolMapSmall());
        all.add(new PoolApplyAsyncRtt());
        all.addAll(QueueWorkloads.workloads());
        all.add(new DurableQueueWorkload());
        all.addAll(ShmWorkloads.workloads());
        all.add(new ManagerDict());
        all.add(new SharedMemoryCopy());
        all.add(new ThreadsVsProcesses());
        all.add(new ClusterWorkload());
        return all;
    }

    /**
     * @param args {@code --only a,b}, {@code --out FILE}, {@code --list}.
     * @throws Exception on a bad argument or an unwritable output.
     */
    public static void main(final String[] args) throws Exception
    {
        System.exit(run(args));
    }

    /**
     * @param args as for {@link #main}.
     * @return the exit status: 0, or 1 if a workload failed, or 2 for bad arguments.
     * @throws IOException if the output file cannot be written.
     */
    public static int run(final String[] args) throws IOException
    {
        List<String> only = List.of();
        Path out = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--only":
                    only = Arrays.asList(args[++i].split(","));
                    break;
                case "--out":
                    out = Paths.get(args[++i]);
                    break;
                case "--list":
                    workloads().forEach(w -> System.out.println(w.name()));
                    return 0;
                default:
                    System.err.println("bench: unknown argument " + args[i] + "; use --only a,b --out FILE --list");
                    return 2;
            }
        }
        final Map<String, Object> doc;
        try
        {
            doc = runWorkloads(only);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("bench: " + ex.getMessage());
            return 2;
        }
        final String json = Json.write(doc);
        System.out.println(json);
        if (out != null)
        {
            Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
        }
        return doc.get("failed") == Boolean.TRUE ? 1 : 0;
    }

    /**
     * Run workloads, printing progress to standard error.
     *
     * @param only the names to run; empty for all.
     * @return the document: {@code machine}, {@code results}, {@code summary}, {@code seconds}, {@code failed}.
     * @throws IllegalArgumentException naming an unknown workload.
     */
    public static Map<String, Object> runWorkloads(final List<String> only)
    {
        final List<String> known = new ArrayList<>();
        workloads().forEach(w -> known.add(w.name()));
        for (final String name : only)
        {
            if (!known.contains(name))
            {
                throw new IllegalArgumentException("no workload '" + name + "'; known: " + known);
            }
        }

        final Map<String, Object> results = new LinkedHashMap<>();
        final Map<String, Object> summary = new LinkedHashMap<>();
        final Map<String, Object> seconds = new LinkedHashMap<>();
        boolean failed = false;
        final List<Workload> selected = new ArrayList<>();
        for (final Workload w : workloads())
        {
            if (only.isEmpty() || only.contains(w.name()))
            {
                selected.add(w);
            }
        }
        int index = 0;
        for (final Workload w : selected)
        {
            index++;
            System.err.printf("[%d/%d] %s ...%n", index, selected.size(), w.name());
            final long start = System.nanoTime();
            try
            {
                results.put(w.name(), w.run(summary));
            }
            catch (final Exception | Error ex)
            {
                final StringWriter trace = new StringWriter();
                ex.printStackTrace(new PrintWriter(trace));
                results.put(w.name(), Map.of("error", trace.toString()));
                failed = true;
                System.err.println("  failed: " + ex);
            }
            final double took = (System.nanoTime() - start) / 1e9;
            seconds.put(w.name(), took);
            System.err.printf("[%d/%d] %s done in %.1f s%n", index, selected.size(), w.name(), took);
        }

        final Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "mp4j cross-process harness (mirrors shared/bench/python/mp_bench.py)");
        doc.put("smoke", Boolean.getBoolean(SMOKE_PROPERTY));
        doc.put("machine", machine());
        doc.put("results", results);
        doc.put("summary", summary);
        doc.put("seconds", seconds);
        doc.put("failed", failed);
        return doc;
    }

    private static Map<String, Object> machine()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("loadavg_at_start", readFirstLine("/proc/loadavg"));
        m.put("time", Instant.now().toString());
        return m;
    }

    private static String cpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Paths.get("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException ignore)
        {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String readFirstLine(final String file)
    {
        try (InputStream in = Files.newInputStream(Paths.get(file)))
        {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}

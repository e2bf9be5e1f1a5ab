package io.mp4j.examples;

import io.mp4j.bench.Harness;
import io.mp4j.bench.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code mp4j bench}: runs the cross-process harness and prints a table; with {@code --python} also runs
 * CPython's baseline ({@code shared/bench/python/mp_bench.py}, or the copy in {@code bench/python}) in
 * the same sitting and prints the ratio per figure.
 */
public final class BenchCommand
{
    /** mp4j figures whose CPython counterpart has another name. */
    private static final Map<String, String> PYTHON_NAME = Map.of(
        "process_start_spare_ms", "process_start_forkserver_ms",
        "array_sum_GB_per_s", "array_sum_memoryview_GB_per_s");

    private BenchCommand()
    {
    }

    /**
     * @param args {@code --python}, {@code --only a,b} (or names), {@code --out FILE}, {@code --json}.
     * @param out  where the table (or JSON) goes.
     * @return the exit status.
     * @throws Exception on I/O failure.
     */
    public static int run(final List<String> args, final PrintStream out) throws Exception
    {
        boolean python = false;
        boolean json = false;
        Path file = null;
        final List<String> only = new ArrayList<>();
        for (int i = 0; i < args.size(); i++)
        {
            final String arg = args.get(i);
            switch (arg)
            {
                case "--python":
                    python = true;
                    break;
                case "--json":
                    json = true;
                    break;
                case "--out":
                    file = Path.of(args.get(++i));
                    break;
                case "--only":
                    for (int j = i + 1; j < args.size() && !args.get(j).startsWith("--"); j++, i++)
                    {
                        only.addAll(List.of(args.get(j).split(",")));
                    }
                    break;
                default:
                    System.err.println("mp4j bench: unknown argument " + arg + "; use --python, --only NAME..., --out FILE, --json");
                    return 2;
            }
        }

        final Map<String, Object> doc;
        try
        {
            doc = Harness.runWorkloads(only);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("mp4j bench: " + ex.getMessage());
            return 2;
        }
        Map<String, Object> pythonDoc = null;
        if (python)
        {
            pythonDoc = runPython(only);
            doc.put("cpython", pythonDoc);
        }
        final String text = Json.write(doc);
        if (file != null)
        {
            Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
            System.err.println("mp4j bench: JSON written to " + file);
        }
        if (json)
        {
            out.println(text);
        }
        else
        {
            printTable(doc, pythonDoc, out);
        }
        return Boolean.TRUE.equals(doc.get("failed")) ? 1 : 0;
    }

    private static Path pythonScript()
    {
        final String home = System.getProperty("mp4j.home", ".");
        final Path shared = Path.of(home).resolve("../shared/bench/python/mp_bench.py").normalize();
        return Files.isRegularFile(shared) ? shared : Path.of(home, "bench", "python", "mp_bench.py");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> runPython(final List<String> only) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("python3", pythonScript().toString()));
        if (!only.isEmpty())
        {
            // mp4j-only workloads (raw_agrona, say) are not the baseline's
            final List<String> known = pythonWorkloads();
            final List<String> theirs = new ArrayList<>(only);
            theirs.retainAll(known);
            if (theirs.isEmpty())
            {
                System.err.println("mp4j bench: CPython's baseline has none of " + only + "; not run");
                return Map.of("summary", Map.of());
            }
            command.add("--only");
            command.add(String.join(",", theirs));
        }
        System.err.println("mp4j bench: running CPython's baseline: " + String.join(" ", command));
        final java.lang.Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().close();
        final String output = outputWithin(process, 30, TimeUnit.MINUTES, "the CPython baseline");
        if (process.exitValue() != 0)
        {
            throw new IOException("CPython baseline failed (exit " + process.exitValue() + ")");
        }
        return (Map<String, Object>)Json.parse(output.substring(output.indexOf('{')));
    }

    /**
     * The whole standard output of a process that must end within the timeout: read on another thread, so
     * that a process which never ends is killed at the timeout instead of blocking the read forever.
     */
    private static String outputWithin(final java.lang.Process process, final long timeout, final TimeUnit unit, final String what)
        throws IOException, InterruptedException
    {
        final java.util.concurrent.CompletableFuture<byte[]> output = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return process.getInputStream().readAllBytes();
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        if (!process.waitFor(timeout, unit))
        {
            process.destroyForcibly();
            throw new IOException(what + " did not finish within " + timeout + " " + unit.name().toLowerCase(java.util.Locale.ROOT) +
                "; killed (pid " + process.pid() + ")");
        }
        try
        {
            return new String(output.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new IOException(what + ": cannot read its output", ex);
        }
    }

    private static List<String> pythonWorkloads() throws IOException, InterruptedException
    {
        final java.lang.Process process = new ProcessBuilder("python3", pythonScript().toString(), "--list")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        final String output = outputWithin(process, 60, TimeUnit.SECONDS, "python3 mp_bench.py --list");
        return output.lines().map(String::trim).filter(l -> !l.isEmpty()).collect(java.util.stream.Collectors.toList());
    }

    @SuppressWarnings("unchecked")
    private static void printTable(final Map<String, Object> doc, final Map<String, Object> pythonDoc, final PrintStream out)
    {
        final Map<String, Object> summary = (Map<String, Object>)doc.get("summary");
        final Map<String, Object> pySummary = pythonDoc == null ? Map.of() : (Map<String, Object>)pythonDoc.get("summary");
        out.println();
        if (pythonDoc == null)
        {
            out.printf("%-44s %16s%n", "figure", "mp4j");
        }
        else
        {
            out.printf("%-44s %16s %16s  %s%n", "figure", "mp4j", "CPython", "mp4j vs CPython");
        }
        for (final Map.Entry<String, Object> row : summary.entrySet())
        {
            final String name = row.getKey();
            final Object mine = row.getValue();
            if (pythonDoc == null)
            {
                out.printf("%-44s %16s%n", name, format(mine));
                continue;
            }
            final Object theirs = pySummary.get(PYTHON_NAME.getOrDefault(name, name));
            out.printf("%-44s %16s %16s  %s%n", name, format(mine), theirs == null ? "-" : format(theirs), ratio(name, mine, theirs));
        }
        final Map<String, Object> seconds = (Map<String, Object>)doc.get("seconds");
        out.println();
        out.println("(" + seconds.size() + " workloads; lower is better for _ms/_us/_ns/_s figures, higher for rates)");
    }

    static String ratio(final String name, final Object mine, final Object theirs)
    {
        if (!(mine instanceof Number) || !(theirs instanceof Number))
        {
            return "";
        }
        final double a = ((Number)mine).doubleValue();
        final double b = ((Number)theirs).doubleValue();
        if (a <= 0 || b <= 0)
        {
            return "";
        }
        final boolean higherIsBetter = name.contains("per_s") || name.endsWith("_s_per") || name.contains("GB_per_s");
        final double better = higherIsBetter ? a / b : b / a;
        return better >= 1 ? String.format("%.1fx better", better) : String.format("%.1fx worse", 1 / better);
    }

    private static String format(final Object value)
    {
        if (value instanceof Number)
        {
            final double d = ((Number)value).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) >= 1000)
            {
                return String.format("%,.0f", d);
            }
            return Math.abs(d) >= 100 ? String.format("%,.1f", d) : String.format("%.3f", d);
        }
        return String.valueOf(value);
    }
}

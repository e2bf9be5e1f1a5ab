package io.mp4j.bench;

import io.mp4j.cluster.ClusterJvmFlags;
import io.mp4j.cluster.ClusterNode;
import io.mp4j.shm.RuntimeDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The {@code cluster} group: counter increment, lock acquire+release, queue round trip (put then take) and
 * executor round trip, each through mp4j's cluster backend and through the raw Ignite call it wraps, in
 * the same run, alternating; the same operations on the memory-mapped backend for scale. Three member JVMs
 * on 127.0.0.1 and one measuring client JVM ({@link ClusterBenchClient}), all started here (this JVM needs
 * no Ignite flags) and ended by pid. Figures are the median over rounds of the mean time per operation.
 */
public final class ClusterWorkload implements Workload
{
    private static final int MEMBERS = 3;

    @Override
    public String name()
    {
        return "cluster";
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        // below the tests' blocks (42,000-45,999), so a benchmark and a test run never share ports
        final int base = 38_000 + ThreadLocalRandom.current().nextInt(0, 100) * 20;
        final String seeds = "127.0.0.1:" + base + ".." + (base + MEMBERS - 1);
        final List<Process> jvms = new ArrayList<>();
        final Map<String, Object> out = new LinkedHashMap<>();
        try
        {
            final List<BufferedReader> readers = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++)
            {
                final Process member = start(ClusterNode.class.getName(), List.of("--seeds", seeds, "--discovery-port",
                    base + ".." + (base + MEMBERS - 1), "--communication-port", (base + 8) + ".." + (base + 19),
                    "--memory-mib", "64", "--threads", "4", "--exit-on-stdin-eof", "--no-secret"));
                jvms.add(member);
                readers.add(new BufferedReader(new InputStreamReader(member.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (final BufferedReader r : readers)
            {
                String line;
                while ((line = r.readLine()) != null && !line.startsWith(ClusterNode.READY))
                {
                    // Ignite's start-up lines
                }
                if (line == null)
                {
                    throw new IllegalStateException("a cluster member exited before it was ready");
                }
            }
            final Process client = start(ClusterBenchClient.class.getName(), List.of(seeds, Integer.toString(base + MEMBERS),
                Integer.toString(base + 8), Integer.toString(Harness.count(300, 30)), Integer.toString(Harness.count(5, 3)), Integer.toString(Harness.count(3, 1))));
            jvms.add(client);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    if (line.startsWith("RESULT "))
                    {
                        final String[] kv = line.substring(7).split("=", 2);
                        out.put(kv[0], Double.parseDouble(kv[1]));
                    }
                }
            }
            if (client.waitFor() != 0)
            {
                throw new IllegalStateException("the cluster bench client failed (exit " + client.exitValue() + ")");
            }
        }
        finally
        {
            for (final Process p : jvms)
            {
                p.getOutputStream().close();
            }
            for (final Process p : jvms)
            {
                if (!p.waitFor(30, TimeUnit.SECONDS))
                {
                    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            RuntimeDirectory.sweepStale(RuntimeDirectory.defaultBase());
        }
        out.put("members", MEMBERS);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        for (final String op : new String[]{ "counter", "lock", "queue_rtt", "executor_rtt" })
        {
            final Object mp4j = out.get(op + "_mp4j_us");
            final Object raw = out.get(op + "_raw_us");
            if (mp4j instanceof Double && raw instanceof Double)
            {
                out.put(op + "_ratio", (Double)mp4j / (Double)raw);
                summary.put("cluster_" + op + "_mp4j_us", mp4j);
                summary.put("cluster_" + op + "_raw_us", raw);
                summary.put("cluster_" + op + "_ratio", (Double)mp4j / (Double)raw);
            }
            if (out.get(op + "_mapped_us") != null)
            {
                summary.put("cluster_" + op + "_mapped_us", out.get(op + "_mapped_us"));
            }
        }
        return out;
    }

    private static Process start(final String main, final List<String> args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ClusterJvmFlags.required());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(args);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}

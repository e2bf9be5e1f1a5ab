package io.mp4j.tests.cluster;

import io.mp4j.cluster.ClusterBackend;
import io.mp4j.cluster.ClusterConfig;
import io.mp4j.cluster.ClusterJvmFlags;
import io.mp4j.cluster.ClusterNode;
import io.mp4j.shm.RuntimeDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of member JVMs ({@link ClusterNode}) on 127.0.0.1 for one test class, plus this JVM joined as
 * a client. Ports come from a random block so that two test runs on one machine never merge their
 * clusters. {@link #close()} ends every member JVM by pid, pass or fail: end of stdin first (the member
 * leaves the cluster and removes its work directory), SIGKILL after a bound, then a sweep of the runtime
 * directories of dead owners.
 */
final class LocalCluster implements AutoCloseable
{
    /** Bound on the whole start: three JVMs forming a cluster took 6-9 s on a quiet 2-core machine, 35 s on a busy one. */
    static final Duration START_BOUND = Duration.ofSeconds(180);

    final int discoveryPort;
    final int communicationPort;
    final List<Process> members = new ArrayList<>();
    final List<Process> extras = new ArrayList<>();
    final ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();
    ClusterBackend client;

    private final boolean allowList;
    private final List<String> extraMemberArgs;
    private final byte[] clientSecret;

    private LocalCluster(final int discoveryPort, final int communicationPort, final boolean allowList,
        final List<String> extraMemberArgs, final byte[] clientSecret)
    {
        this.discoveryPort = discoveryPort;
        this.communicationPort = communicationPort;
        this.allowList = allowList;
        this.extraMemberArgs = List.copyOf(extraMemberArgs);
        this.clientSecret = clientSecret;
    }

    /**
     * @param memberCount how many members.
     * @return the started cluster, this JVM joined as a client.
     */
    static LocalCluster start(final int memberCount) throws Exception
    {
        return start(memberCount, false);
    }

    /**
     * @param memberCount how many members.
     * @param allowList   whether every node deserializes only through mp4j's allow-list ({@code --allow-list}).
     * @return the started cluster, this JVM joined as a client.
     */
    static LocalCluster start(final int memberCount, final boolean allowList) throws Exception
    {
        return start(memberCount, allowList, List.of(), null);
    }

    /**
     * @param memberCount     how many members.
     * @param allowList       whether every node deserializes only through mp4j's allow-list ({@code --allow-list}).
     * @param extraMemberArgs more {@code cluster-node} options for every member (say {@code --secret-file PATH}).
     * @param clientSecret    the secret of this JVM's client ({@link #config}), or null for none.
     * @return the started cluster, this JVM joined as a client.
     */
    static LocalCluster start(final int memberCount, final boolean allowList, final List<String> extraMemberArgs,
        final byte[] clientSecret) throws Exception
    {
        // a block of 20 ports: discovery base..base+7 (members first, then clients), communication base+8..base+19
        final int base = 42_000 + ThreadLocalRandom.current().nextInt(0, 200) * 20;
        final LocalCluster cluster = new LocalCluster(base, base + 8, allowList, extraMemberArgs, clientSecret);
        try
        {
            final CountDownLatch ready = new CountDownLatch(memberCount);
            for (int i = 0; i < memberCount; i++)
            {
                cluster.members.add(cluster.launch("member-" + i, ClusterNode.class.getName(), cluster.memberArgs(memberCount), ready));
            }
            if (!ready.await(START_BOUND.toMillis(), TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("members not ready within " + START_BOUND + ": " + String.join("\n", cluster.output));
            }
            cluster.client = ClusterBackend.join(cluster.config(memberCount));
            return cluster;
        }
        catch (final Exception | Error ex)
        {
            cluster.close();
            throw ex;
        }
    }

    String seeds(final int memberCount)
    {
        return "127.0.0.1:" + discoveryPort + ".." + (discoveryPort + memberCount - 1);
    }

    List<String> memberArgs(final int memberCount)
    {
        final List<String> args = new ArrayList<>(List.of("--seeds", seeds(memberCount), "--local-address", "127.0.0.1",
            "--discovery-port", discoveryPort + ".." + (discoveryPort + memberCount - 1),
            "--communication-port", communicationPort + ".." + (communicationPort + 11),
            "--memory-mib", "64", "--threads", "4", "--exit-on-stdin-eof",
            // a killed client's locks are taken over after this: Ignite's 30 s default would be half of a test's time
            "--client-failure-detection-ms", "10000"));
        if (allowList)
        {
            args.add("--allow-list");
        }
        args.addAll(extraMemberArgs);
        if (!args.contains("--secret-file"))
        {
            args.add("--no-secret");
        }
        return args;
    }

    /**
     * @return a configuration for a client of this cluster (discovery ports above the members').
     */
    ClusterConfig config(final int memberCount)
    {
        return ClusterConfig.builder()
            .seeds(seeds(memberCount))
            .localAddress("127.0.0.1")
            .discoveryPort(discoveryPort + memberCount, 7 - memberCount)
            .communicationPort(communicationPort, 11)
            .allowList(allowList)
            .secret(clientSecret)
            .noSecret(clientSecret == null)
            .build();
    }

    /**
     * Join a cluster of this kind as a client from a JVM that {@link #launch launched} (its arguments name
     * the seeds and the ports, as {@link #seeds(int)} and the port fields give them).
     *
     * @param seeds             the members' discovery addresses.
     * @param discoveryPort     the client's discovery port (one above the members', or a block of its own).
     * @param communicationPort the first of the cluster's 12 communication ports.
     * @return the joined backend.
     */
    static ClusterBackend joinAsClient(final String seeds, final String discoveryPort, final String communicationPort)
    {
        return ClusterBackend.join(ClusterConfig.builder()
            .seeds(List.of(seeds))
            .localAddress("127.0.0.1")
            .discoveryPort(Integer.parseInt(discoveryPort), 0)
            .communicationPort(Integer.parseInt(communicationPort), 11)
            .noSecret(true)
            .build());
    }

    /**
     * Start a JVM with the cluster flags and this JVM's class path.
     *
     * @param name  for messages.
     * @param main  the main class.
     * @param args  its arguments.
     * @param ready counted down when the JVM prints a line starting with {@link ClusterNode#READY} or "READY".
     * @return the process.
     */
    Process launch(final String name, final String main, final List<String> args, final CountDownLatch ready) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ClusterJvmFlags.required());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(args);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    output.add(name + ": " + line);
                    while (output.size() > 200)
                    {
                        output.pollFirst();
                    }
                    if (line.startsWith(ClusterNode.READY) || line.startsWith("READY"))
                    {
                        ready.countDown();
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the JVM ended
            }
        }, "cluster-test-" + name);
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    /**
     * SIGKILL a JVM and wait (bounded) until it is gone.
     */
    static void kill(final Process process) throws Exception
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("pid " + process.pid() + " still alive 30 s after SIGKILL");
        }
    }

    @Override
    public void close() throws Exception
    {
        try
        {
            if (client != null)
            {
                client.close();
            }
        }
        finally
        {
            final List<Process> all = new ArrayList<>(extras);
            all.addAll(members);
            for (final Process p : all)
            {
                try
                {
                    p.getOutputStream().close();     // end of stdin: the member leaves and cleans up
                }
                catch (final IOException ignored)
                {
                    // already gone
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (final Process p : all)
            {
                final long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS))
                {
                    kill(p);
                }
            }
            // directories of members that had to be killed: their owners are dead now
            final Path base = RuntimeDirectory.defaultBase();
            RuntimeDirectory.sweepStale(base);
        }
    }
}

package io.mp4j.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A cluster member: {@code ./mp4j cluster-node --seeds host:port,...} (or {@code java @flags -cp ...
 * io.mp4j.cluster.ClusterNode ...} with {@link ClusterJvmFlags#required()}). Holds data and runs the
 * tasks of cluster pools until it is stopped (SIGTERM or Ctrl-C: it leaves the cluster cleanly and removes
 * its private work directory).
 *
 * <p>Options: those of {@link ClusterConfig#parse}, plus {@code --exit-on-stdin-eof} (exit when standard
 * input reaches end-of-file: what a launcher uses so that its members die with it, however it died). Once
 * the node has joined it prints one line on standard output:
 * <pre>
 * mp4j cluster-node ready: pid=4242 node=6f1c... address=127.0.0.1 discovery=47500 members=3
 * </pre>
 */
public final class ClusterNode
{
    /** The start of the line printed once the member has joined. */
    public static final String READY = "mp4j cluster-node ready:";

    private ClusterNode()
    {
    }

    /**
     * @param args options, see the class comment.
     */
    public static void main(final String[] args)
    {
        final List<String> options = new ArrayList<>(List.of(args));
        if (options.contains("--help") || options.contains("-h"))
        {
            System.out.println(usage());
            return;
        }
        final boolean exitOnEof = options.remove("--exit-on-stdin-eof");
        final ClusterConfig config;
        try
        {
            config = ClusterConfig.parse(options);
            config.requireSecretOrNoSecret();
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            // a bad option, or neither --secret-file nor --no-secret: usage errors
            System.err.println("mp4j cluster-node: " + ex.getMessage());
            System.exit(2);
            return;
        }
        final ClusterBackend backend;
        try
        {
            backend = ClusterBackend.startMember(config);
        }
        catch (final IllegalStateException ex)
        {
            System.err.println("mp4j cluster-node: " + ex.getMessage());
            if (!String.valueOf(ex.getMessage()).contains(IgniteNode.SECRET_REFUSED))
            {
                ex.printStackTrace();   // Ignite's causes (a port in use, ...) are deep in the chain
            }
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            backend.close();
            stopped.countDown();
        }, "mp4j-cluster-node-stop"));
        final org.apache.ignite.cluster.ClusterNode local = backend.ignite().cluster().localNode();
        System.out.println(READY + " pid=" + ProcessHandle.current().pid() + " node=" + local.id() + " address=" +
            config.localAddress() + " discovery=" + discoveryPort(backend) + " members=" +
            backend.ignite().cluster().forServers().nodes().size());
        System.out.flush();
        RemoteCall.warmUpInBackground();
        if (exitOnEof)
        {
            final Thread watch = new Thread(() ->
            {
                drain(System.in);
                System.exit(0);
            }, "mp4j-cluster-node-stdin");
            watch.setDaemon(true);
            watch.start();
        }
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static int discoveryPort(final ClusterBackend backend)
    {
        return ((org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi)backend.ignite().configuration().getDiscoverySpi()).getLocalPort();
    }

    private static void drain(final InputStream in)
    {
        final byte[] buffer = new byte[256];
        try
        {
            while (in.read(buffer) >= 0)
            {
                // input is ignored; only its end matters
            }
        }
        catch (final IOException ignored)
        {
            // a broken stdin is an end too
        }
    }

    private static String usage()
    {
        return String.join("\n",
            "usage: ./mp4j cluster-node [options]   (a member of an mp4j cluster on Apache Ignite; see docs/cluster.md)",
            "  --seeds H:P,H:P..Q                discovery addresses of members (default 127.0.0.1:47500..47509)",
            "  --local-address A                 the only address to bind and advertise (default 127.0.0.1)",
            "  --discovery-port P[..Q]           discovery ports (default 47500..47509)",
            "  --communication-port P[..Q]       communication ports (default 47100..47109)",
            "  --thin-client-port P              Ignite's thin-client connector on the local address (default off)",
            "  --work-dir DIR                    Ignite's work directory (default: a private one, removed at exit)",
            "  --backups N                       backup copies of every shared object (default 1)",
            "  --failure-detection-ms N          how long a silent member is given (default 10000)",
            "  --client-failure-detection-ms N   how long a silent client is given (default 30000)",
            "  --memory-mib N                    the largest off-heap data region (default 256)",
            "  --threads N                       task pool size (default max(4, cores))",
            "  --peer-class-loading              let nodes ship task classes (only on a trusted network)",
            "  --allow-list                      deserialize only Ignite's classes and mp4j's allow-list (on every node)",
            "  --log                             Ignite's log through java.util.logging (default: quiet)",
            "  --secret-file PATH                nodes must prove they hold this file's bytes to join (mode 0600; on every node)",
            "  --no-secret                       no secret: whoever can reach the ports (and, with TLS, holds a trusted key)",
            "                                    joins; this or --secret-file is required",
            "  --tls-keystore PATH               TLS on discovery, communication and the thin-client connector with this",
            "                                    PKCS#12 key store (mode 0600; its certificates are the ones trusted; every node)",
            "  --tls-password-file PATH          the key store's password (mode 0600)",
            "  --class-path CP                   (./mp4j only) the classes of your tasks",
            "  --exit-on-stdin-eof               exit when standard input closes");
    }
}

package io.mp4j.cluster;

import io.mp4j.shm.RuntimeDirectory;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Ignite node started in this JVM from a {@link ClusterConfig}, with its work directory; stopping it
 * removes the private work directory it made.
 */
final class IgniteNode implements AutoCloseable
{
    /** In the message of the exception a node refused for its secret fails to start with. */
    static final String SECRET_REFUSED = "its secret proof did not match";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** The members of this JVM being stopped: a task they interrupt fails over to another member. */
    private static final java.util.Set<String> STOPPING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Ignite ignite;
    private final String instanceName;
    private final RuntimeDirectory privateDirectory;
    private final boolean client;

    private IgniteNode(final Ignite ignite, final String instanceName, final RuntimeDirectory privateDirectory, final boolean client)
    {
        this.ignite = ignite;
        this.instanceName = instanceName;
        this.privateDirectory = privateDirectory;
        this.client = client;
    }

    /**
     * Start a node and wait until it has joined the cluster (or formed one, for a member that reaches no seed).
     *
     * @param config the configuration.
     * @param client true for a client node, false for a member (holds data, runs tasks).
     * @return the started node.
     */
    static IgniteNode start(final ClusterConfig config, final boolean client)
    {
        quietDefaults();
        RuntimeDirectory dir = null;
        final Path work;
        if (config.workDirectory() == null)
        {
            dir = RuntimeDirectory.create();
            work = dir.resolve("ignite");
        }
        else
        {
            work = config.workDirectory();
            makePrivate(work);
        }
        final String name = "mp4j-" + (client ? "client" : "member") + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        try
        {
            final Ignite ignite = IgniteAllowList.start(config.allowList(), () -> Ignition.start(config.igniteConfiguration(name, client, work)));
            return new IgniteNode(ignite, name, dir, client);
        }
        catch (final RuntimeException | Error ex)
        {
            if (dir != null)
            {
                dir.close();
            }
            final String refusal = secretRefusal(ex);
            if (refusal != null)
            {
                throw new IllegalStateException("the cluster at " + config.seeds() + " refused this " + (client ? "client" : "member") +
                    " node: " + SECRET_REFUSED + " (" + (config.hasSecret() ? "this node holds a different secret" :
                    "this node holds no secret; give it the cluster's with ClusterConfig.Builder.secret or --secret-file") +
                    "); the cluster said: " + refusal, ex);
            }
            throw new IllegalStateException("could not start an Ignite " + (client ? "client" : "member") + " node with " + config +
                ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the coordinator's message when a failed start was it refusing this node's secret proof
     * ({@link ClusterSecret}), else null.
     */
    private static String secretRefusal(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t.getMessage() != null && t.getMessage().contains(ClusterSecret.REFUSED))
            {
                return t.getMessage();
            }
        }
        return null;
    }

    private static void makePrivate(final Path dir)
    {
        try
        {
            if (!Files.isDirectory(dir))
            {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the Ignite work directory " + dir, ex);
        }
    }

    /**
     * The properties Ignite reads once, when its first class loads: set them here too, so a JVM started
     * without {@link ClusterJvmFlags} still makes no update check and prints no banner.
     */
    static void quietDefaults()
    {
        setIfAbsent("IGNITE_UPDATE_NOTIFIER", "false");
        setIfAbsent("IGNITE_QUIET", "true");
        setIfAbsent("IGNITE_NO_ASCII", "true");
        setIfAbsent("IGNITE_PERFORMANCE_SUGGESTIONS_DISABLED", "true");
        setIfAbsent("java.net.preferIPv4Stack", "true");
    }

    private static void setIfAbsent(final String key, final String value)
    {
        if (System.getProperty(key) == null)
        {
            System.setProperty(key, value);
        }
    }

    Ignite ignite()
    {
        return ignite;
    }

    boolean isClient()
    {
        return client;
    }

    String instanceName()
    {
        return instanceName;
    }

    /**
     * @param instanceName an Ignite instance's name.
     * @return whether it is a member of this JVM that {@link #close()} is stopping.
     */
    static boolean isStopping(final String instanceName)
    {
        return STOPPING.contains(instanceName);
    }

    /**
     * Stop the node: {@code Ignition.stop(name, cancel=true)}, which cancels the jobs running on a member
     * (their threads interrupted after Ignite's {@code computeJobWorkerInterruptTimeout}, by default the
     * failure-detection timeout) and waits for them to end; {@code cancel=false} would wait for every job
     * however long it runs, and a member told to stop could then never stop. A task so interrupted is not
     * reported as failed but run again on another member ({@link RemoteCall}), as when a member dies.
     */
    @Override
    public void close()
    {
        if (!client)
        {
            STOPPING.add(instanceName);
        }
        try
        {
            Ignition.stop(instanceName, true);
        }
        finally
        {
            STOPPING.remove(instanceName);
            if (privateDirectory != null)
            {
                privateDirectory.close();
            }
        }
    }
}

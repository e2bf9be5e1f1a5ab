package io.mp4j.tests.cluster;

import io.mp4j.cluster.ClusterBackend;
import io.mp4j.cluster.ClusterConfig;
import io.mp4j.cluster.ClusterNode;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shared-secret join check on a real cluster: one member JVM started with {@code --secret-file} (a 0600
 * file), this JVM joined as a client with the same secret; clients with another secret or none are refused,
 * fast, and the member keeps working; a member JVM without the secret is refused at start, one with it joins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSecretTest
{
    static final String SECRET = "correct horse battery staple";
    /** A refused client must fail well within its join timeout (30 s, see ClusterConfig): never hang. */
    static final Duration REFUSAL_BOUND = Duration.ofSeconds(25);

    static Path secretFile;
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception
    {
        secretFile = Files.createTempFile("cluster-secret-test", ".key", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(secretFile, SECRET.getBytes(StandardCharsets.UTF_8));
        cluster = LocalCluster.start(1, false, List.of("--secret-file", secretFile.toString()), SECRET.getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception
    {
        try
        {
            if (cluster != null)
            {
                cluster.close();
            }
        }
        finally
        {
            Files.deleteIfExists(secretFile);
        }
    }

    @Test
    @Order(1)
    void onlyClientsHoldingTheSecretJoinAndTheMemberKeepsWorking() throws Exception
    {
        final Value value = cluster.client.value("secret-test-value", ElementType.LONG, 0L);
        value.set(41L);
        assertEquals(41L, value.getLong());

        assertRefused(cluster.config(1).toBuilder().secret("another secret".getBytes(StandardCharsets.UTF_8)).build(),
            "this node holds a different secret");
        assertRefused(cluster.config(1).toBuilder().secret(null).noSecret(true).build(), "this node holds no secret");

        // the member still serves the client that holds the secret, and a second one joins
        assertEquals(1, cluster.client.ignite().cluster().forServers().nodes().size());
        value.set(value.getLong() + 1);
        assertEquals(42L, value.getLong());
        try (ClusterBackend second = ClusterBackend.join(cluster.config(1)))
        {
            assertEquals(42L, second.value("secret-test-value", ElementType.LONG, 0L).getLong());
        }
        final String output = String.join("\n", cluster.output);
        assertFalse(output.contains(SECRET), output);
        assertFalse(output.contains("no secret"), output);
    }

    @Test
    @Order(2)
    void aMemberWithoutTheSecretIsRefusedAtStartAndOneWithItJoins() throws Exception
    {
        // the last port of the discovery block: the first member has the first, clients the ones between
        final List<String> withSecret = new ArrayList<>(cluster.memberArgs(1));
        withSecret.set(withSecret.indexOf("--discovery-port") + 1, String.valueOf(cluster.discoveryPort + 7));
        final List<String> without = new ArrayList<>(withSecret);
        without.remove(without.indexOf("--secret-file") + 1);
        without.remove("--secret-file");
        final List<String> neither = new ArrayList<>(without);
        without.add("--no-secret");

        // neither a secret nor --no-secret: a usage error, before Ignite starts
        final Process undecided = cluster.launch("undecided-member", ClusterNode.class.getName(), neither, new CountDownLatch(1));
        cluster.extras.add(undecided);
        assertTrue(undecided.waitFor(LocalCluster.START_BOUND.toMillis(), TimeUnit.MILLISECONDS),
            "a member with neither a secret nor --no-secret still runs after " + LocalCluster.START_BOUND);
        assertEquals(2, undecided.exitValue(), () -> String.join("\n", cluster.output));
        assertTrue(String.join("\n", cluster.output).contains("undecided-member: mp4j cluster-node: no secret given, and not told " +
            "to run without one"), () -> String.join("\n", cluster.output));

        final Process refused = cluster.launch("refused-member", ClusterNode.class.getName(), without, new CountDownLatch(1));
        cluster.extras.add(refused);
        assertTrue(refused.waitFor(LocalCluster.START_BOUND.toMillis(), TimeUnit.MILLISECONDS),
            "a member without the secret still runs after " + LocalCluster.START_BOUND);
        assertEquals(1, refused.exitValue(), () -> String.join("\n", cluster.output));
        final String output = String.join("\n", cluster.output);
        assertTrue(output.contains("refused-member: mp4j cluster member: no secret, so any process that can reach"), output);
        assertTrue(output.contains("refused-member: mp4j cluster-node: the cluster at [" + cluster.seeds(1) +
            "] refused this member node: its secret proof did not match (this node holds no secret"), output);
        assertEquals(1, cluster.client.ignite().cluster().forServers().nodes().size());

        final CountDownLatch ready = new CountDownLatch(1);
        final Process second = cluster.launch("second-member", ClusterNode.class.getName(), withSecret, ready);
        cluster.extras.add(second);
        assertTrue(ready.await(LocalCluster.START_BOUND.toMillis(), TimeUnit.MILLISECONDS), () -> String.join("\n", cluster.output));
        assertEquals(2, cluster.client.ignite().cluster().forServers().nodes().size());
        assertEquals(42L, cluster.client.value("secret-test-value", ElementType.LONG, 0L).getLong());
    }

    private static void assertRefused(final ClusterConfig config, final String why)
    {
        final long start = System.nanoTime();
        final ClusterBackend joined;
        try
        {
            joined = ClusterBackend.join(config);
        }
        catch (final IllegalStateException ex)
        {
            final Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(ex.getMessage().contains("refused this client node: its secret proof did not match") &&
                ex.getMessage().contains(why), ex.toString());
            assertTrue(took.compareTo(REFUSAL_BOUND) < 0, "refused only after " + took);
            return;
        }
        joined.close();
        fail("a client with " + config + " joined a cluster whose member holds a secret");
    }
}

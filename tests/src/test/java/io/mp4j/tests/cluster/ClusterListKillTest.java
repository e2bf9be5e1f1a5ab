package io.mp4j.tests.cluster;

import io.mp4j.cluster.ClusterBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client JVM killed in the middle of a cluster list insert, on a cluster of its own (two member JVMs and
 * this JVM as a client): in {@code ClusterTest}, before its member kill, that member kill then lost the test's
 * client (Ignite's "client node disconnected") in 2 runs of 2, so the two are kept apart until that is
 * understood.
 */
class ClusterListKillTest
{
    static LocalCluster cluster;
    static ClusterBackend backend;

    @BeforeAll
    static void start() throws Exception
    {
        cluster = LocalCluster.start(2);
        backend = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void aListWhoseHolderJvmIsKilledMidInsertIsWholeForTheNextUser() throws Exception
    {
        final List<String> list = backend.list("shifted");
        final List<String> before = IntStream.range(0, 300).mapToObj(i -> "e" + i).collect(Collectors.toList());
        list.addAll(before);
        final CountDownLatch shifting = new CountDownLatch(1);
        final Process shifter = cluster.launch("shifter", ListShifterMain.class.getName(), List.of(
            cluster.seeds(2), Integer.toString(cluster.discoveryPort + 6), Integer.toString(cluster.communicationPort), "shifted", "mp4j.list~shifted"), shifting);
        cluster.extras.add(shifter);
        assertTrue(shifting.await(LocalCluster.START_BOUND.toSeconds(), TimeUnit.SECONDS), "the shifter JVM did not start: " +
            String.join("\n", cluster.output));
        LocalCluster.kill(shifter);
        final List<String> inserted = new ArrayList<>(before);
        inserted.add(0, "x");
        // each element is read under the list's lock, which the first read takes over from the dead JVM; before
        // the fix the half-moved elements were read as they lay (duplicates, the last ones gone)
        final List<String> after = new ArrayList<>(list);
        assertTrue(after.equals(before) || after.equals(inserted), "the list is neither as before nor with x inserted: " +
            (after.size() <= 12 ? after : after.subList(0, 6) + " ... " + after.subList(after.size() - 6, after.size()) + " (" + after.size() + ")") +
            "; shifter output: " + cluster.output.stream().filter(l -> l.contains("shifter")).collect(Collectors.toList()));
        list.add(1, "y");
        assertEquals("y", list.get(1));
        assertEquals(after.size() + 1, list.size());
    }
}

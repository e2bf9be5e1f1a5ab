package io.mp4j.tests.cluster;

import io.mp4j.cluster.ClusterBackend;

import java.util.List;

/**
 * A client JVM that joins the cluster and inserts "x" at the head of a cluster list, which moves every
 * element, printing READY once the move has begun: the test kills it then. Arguments: seeds, discovery
 * port, first communication port, list name, the Ignite cache holding the list's elements.
 */
public final class ListShifterMain
{
    private ListShifterMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final ClusterBackend backend = LocalCluster.joinAsClient(args[0], args[1], args[2]);
        final List<String> list = backend.list(args[3]);
        final int size = list.size();
        final Thread inserting = new Thread(() -> list.add(0, "x"));
        inserting.start();
        // READY once the move has begun (the element past the end is written first), or once it is over
        final org.apache.ignite.IgniteCache<Integer, Object> cache = backend.ignite().cache(args[4]);
        while (!cache.containsKey(size) && inserting.isAlive())
        {
            Thread.onSpinWait();
        }
        System.out.println("READY shifting " + args[3] + (inserting.isAlive() ? "" : " (already done)"));
        System.out.flush();
        inserting.join();
        System.out.println("inserted");
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // until killed, or until its stdin closes (the test's clean-up)
        }
        backend.close();
    }
}

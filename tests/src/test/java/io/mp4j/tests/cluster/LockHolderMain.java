package io.mp4j.tests.cluster;

import io.mp4j.cluster.ClusterBackend;
import io.mp4j.shm.Lock;

/**
 * A client JVM that joins the cluster, takes a cluster lock, prints READY and waits to be killed.
 * Arguments: seeds, first discovery port, first communication port, lock name.
 */
public final class LockHolderMain
{
    private LockHolderMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final ClusterBackend backend = LocalCluster.joinAsClient(args[0], args[1], args[2]);
        final Lock lock = backend.lock(args[3]);
        lock.lock();
        System.out.println("READY holding " + args[3]);
        System.out.flush();
        // holds the lock until killed, or until its stdin closes (the test's clean-up)
        while (System.in.read() >= 0)
        {
            // ignore input
        }
        backend.close();
    }
}

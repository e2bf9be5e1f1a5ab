package io.mp4j.tests.cluster;

import io.mp4j.cluster.ClusterBackend;
import io.mp4j.cluster.ClusterConfig;
import io.mp4j.shm.Lock;

import java.util.List;

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
        final ClusterBackend backend = ClusterBackend.join(ClusterConfig.builder()
            .seeds(List.of(args[0]))
            .localAddress("127.0.0.1")
            .discoveryPort(Integer.parseInt(args[1]), 0)
            .communicationPort(Integer.parseInt(args[2]), 11)
            .build());
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

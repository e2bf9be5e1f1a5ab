package io.mp4j.cluster;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ClusterBackend#current()} with two nodes in this JVM (two members on 127.0.0.1, so that either
 * can leave alone).
 */
class ClusterBackendCurrentTest
{
    @Test
    void currentIsTheFirstBackendStillOpen()
    {
        final int base = 44_000 + ThreadLocalRandom.current().nextInt(0, 100) * 20;
        final ClusterConfig.Builder builder = ClusterConfig.builder()
            .seeds("127.0.0.1:" + base + ".." + (base + 1))
            .localAddress("127.0.0.1")
            .discoveryPort(base, 2)
            .communicationPort(base + 8, 11)
            .memory(64L << 20)
            .threads(2)
            .noSecret(true);
        final ClusterBackend first = ClusterBackend.startMember(builder.build());
        ClusterBackend second = null;
        try
        {
            second = ClusterBackend.startMember(builder.build());
            assertSame(first, ClusterBackend.current());
            first.close();
            // before the fix the slot was cleared without promoting the other open backend: current() threw
            assertSame(second, ClusterBackend.current());
            second.close();
            assertThrows(IllegalStateException.class, ClusterBackend::current);
        }
        finally
        {
            if (second != null)
            {
                second.close();
            }
            first.close();
        }
    }
}

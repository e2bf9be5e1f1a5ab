package io.mp4j.cluster;

import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.plugin.CachePluginContext;
import org.apache.ignite.plugin.CachePluginProvider;
import org.apache.ignite.plugin.ExtensionRegistry;
import org.apache.ignite.plugin.IgnitePlugin;
import org.apache.ignite.plugin.PluginConfiguration;
import org.apache.ignite.plugin.PluginContext;
import org.apache.ignite.plugin.PluginProvider;
import org.apache.ignite.plugin.PluginValidationException;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared-secret join check ({@link ClusterConfig.Builder#secret}): an Ignite plugin that every node of a
 * cluster started with a secret carries.
 *
 * <p>A joining node sends, with its join request (Ignite's joining-node discovery data), the proof
 * HMAC-SHA256(secret, "mp4j-cluster-join:" + its node id); the coordinator (the oldest member: the only node
 * that validates a join in Ignite 2.18's {@code TcpDiscoverySpi}, for members and clients alike) recomputes
 * it for the id in the request and refuses the node, with {@link PluginValidationException}, when the proof
 * is missing or differs. The key itself never leaves the JVM and is never logged. The proof is carried in the
 * discovery data, not in a node attribute fixed at start, because a client that reconnects after a
 * disconnect rejoins under a new node id, and the discovery data is computed again for that id.
 *
 * <p>What it does not do: without TLS ({@link ClusterConfig.Builder#tls}) the transport is not encrypted, so whoever can read the cluster's traffic (another
 * host on the network path; not another user on loopback) sees the proofs and the data, and could replay a
 * node's proof under that node's id once the node has left. It keeps out processes that cannot reach the
 * secret, which is what loopback on a shared host needs.
 */
final class ClusterSecret implements PluginProvider<PluginConfiguration>, IgnitePlugin
{
    /** The plugin's name, also the key of its discovery data. */
    static final String NAME = "mp4j-cluster-secret";
    /** In the message a refused node receives: {@link IgniteNode} recognises a refusal by it. */
    static final String REFUSED = "does not hold this cluster's secret";

    private static final String ALGORITHM = "HmacSHA256";
    private static final String CONTEXT = "mp4j-cluster-join:";

    private final SecretKeySpec key;

    /**
     * @param secret the shared secret (copied; at least one byte).
     */
    ClusterSecret(final byte[] secret)
    {
        if (secret == null || secret.length == 0)
        {
            throw new IllegalArgumentException("cluster secret: empty");
        }
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /**
     * @param nodeId a node's id.
     * @return HMAC-SHA256(secret, "mp4j-cluster-join:" + nodeId).
     */
    byte[] proof(final UUID nodeId)
    {
        try
        {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal((CONTEXT + nodeId).getBytes(StandardCharsets.US_ASCII));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", ex);
        }
    }

    /**
     * @param node  the joining node.
     * @param proof what it sent as its proof, or null.
     * @throws PluginValidationException naming the node when the proof is missing or wrong.
     */
    void check(final ClusterNode node, final Serializable proof) throws PluginValidationException
    {
        final byte[] expected = proof(node.id());
        final boolean ok = proof instanceof byte[] && MessageDigest.isEqual(expected, (byte[])proof);
        Arrays.fill(expected, (byte)0);
        if (!ok)
        {
            final String what = (node.isClient() ? "client" : "member") + " node " + node.id() + " at " + node.addresses() +
                " " + REFUSED + " (" + (proof == null ? "no proof sent" : "wrong proof") + "): join refused";
            throw new PluginValidationException(what, what, node.id());
        }
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String version()
    {
        return "1";
    }

    @Override
    public String copyright()
    {
        return "mp4j";
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends IgnitePlugin> T plugin()
    {
        return (T)this;
    }

    @Override
    public void initExtensions(final PluginContext ctx, final ExtensionRegistry registry)
    {
        // no extensions
    }

    @Override
    public <T> T createComponent(final PluginContext ctx, final Class<T> cls)
    {
        return null;
    }

    @Override
    public CachePluginProvider createCacheProvider(final CachePluginContext ctx)
    {
        return null;
    }

    @Override
    public void start(final PluginContext ctx)
    {
        // nothing to start
    }

    @Override
    public void stop(final boolean cancel)
    {
        // nothing to stop
    }

    @Override
    public void onIgniteStart()
    {
        // nothing to do
    }

    @Override
    public void onIgniteStop(final boolean cancel)
    {
        // nothing to do
    }

    /**
     * Ignite asks this for the joining node's id on the joining node (its join request) and on every member
     * (data handed to the node once admitted): both give the proof for that id, which the joining node could
     * compute itself, so nothing is revealed.
     */
    @Override
    public Serializable provideDiscoveryData(final UUID nodeId)
    {
        return proof(nodeId);
    }

    @Override
    public void receiveDiscoveryData(final UUID nodeId, final Serializable data)
    {
        // the proofs of others are of no use once they are admitted
    }

    /** Not called by Ignite 2.18 (it calls the two-argument form); refuses, so that no path admits unchecked. */
    @Override
    public void validateNewNode(final ClusterNode node) throws PluginValidationException
    {
        check(node, null);
    }

    @Override
    public void validateNewNode(final ClusterNode node, final Serializable data)
    {
        check(node, data);
    }

    @Override
    public String toString()
    {
        return "ClusterSecret{key not shown}";
    }
}

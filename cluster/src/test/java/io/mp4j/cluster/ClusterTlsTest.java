package io.mp4j.cluster;

import io.mp4j.shm.ElementType;
import io.mp4j.shm.Value;
import org.apache.ignite.internal.util.IgniteUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member and a client that speak TLS ({@code --tls-keystore}, {@code --tls-password-file}): they work
 * together; the member's discovery and communication ports complete a TLS handshake with a client holding
 * the cluster's key and refuse one holding another key; Ignite's discovery header in plain text gets no
 * discovery answer.
 */
class ClusterTlsTest
{
    static final String PASSWORD = "mp4j-tls-test-password";

    @Test
    void aMemberAndAClientSpeakTlsAndTheMembersPortsRefuseStrangersAndPlainText(@TempDir final Path dir) throws Exception
    {
        final Path keyStore = keyStore(dir, "cluster.p12", "CN=mp4j-test");
        final Path foreignKeyStore = keyStore(dir, "foreign.p12", "CN=stranger");
        final Path passwordFile = Files.createFile(dir.resolve("password"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(passwordFile, (PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));

        final int base = 50_000 + ThreadLocalRandom.current().nextInt(0, 100) * 20;
        final List<String> common = List.of("--seeds", "127.0.0.1:" + base, "--local-address", "127.0.0.1",
            "--communication-port", (base + 8) + ".." + (base + 19), "--memory-mib", "64", "--threads", "2", "--no-secret",
            "--tls-keystore", keyStore.toString(), "--tls-password-file", passwordFile.toString());
        final List<String> memberArgs = new ArrayList<>(common);
        memberArgs.addAll(List.of("--discovery-port", Integer.toString(base)));
        final List<String> clientArgs = new ArrayList<>(common);
        clientArgs.addAll(List.of("--discovery-port", (base + 1) + ".." + (base + 7)));
        final ClusterConfig memberConfig = ClusterConfig.parse(memberArgs);
        assertTrue(memberConfig.tls());
        assertFalse(memberConfig.toString().contains(PASSWORD), memberConfig.toString());

        try (ClusterBackend member = ClusterBackend.startMember(memberConfig);
             ClusterBackend client = ClusterBackend.join(ClusterConfig.parse(clientArgs)))
        {
            final Value value = client.value("tls-value", ElementType.LONG, 0L);
            value.set(42L);
            assertEquals(42L, member.value("tls-value", ElementType.LONG, 0L).getLong());

            // TLS on the member's discovery and communication ports, client certificates required. A client with
            // the cluster's key completes a handshake, sees the key store's certificate and is kept: the
            // communication port sends its first handshake byte, the discovery port waits for the client's
            // message. A client with a key the cluster does not trust is dropped: an alert, a reset or the end
            // of the stream (in TLS 1.3 the client's side of the handshake may end before the server has judged
            // its certificate, so the refusal can come with the first read)
            final int communicationPort = member.ignite().cluster().localNode().attributes().entrySet().stream()
                .filter(e -> e.getKey().endsWith("comm.tcp.port")).map(e -> (Integer)e.getValue()).findFirst().orElseThrow();
            for (final int port : new int[]{ base, communicationPort })
            {
                try (SSLSocket trusted = probe(keyStore, port))
                {
                    trusted.startHandshake();
                    assertTrue(trusted.getSession().getProtocol().startsWith("TLS"), port + ": " + trusted.getSession().getProtocol());
                    assertEquals("CN=mp4j-test", ((X509Certificate)trusted.getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName());
                    if (port == communicationPort)
                    {
                        assertTrue(trusted.getInputStream().read() >= 0, "the communication port dropped a trusted client");
                    }
                    else
                    {
                        trusted.setSoTimeout(2_000);
                        assertThrows(java.net.SocketTimeoutException.class, () -> trusted.getInputStream().read(),
                            "the discovery port dropped a trusted client");
                    }
                }
                try (SSLSocket stranger = probe(foreignKeyStore, port))
                {
                    int read;
                    try
                    {
                        stranger.startHandshake();
                        read = stranger.getInputStream().read();
                    }
                    catch (final java.net.SocketTimeoutException ex)
                    {
                        throw new AssertionError(port + ": a client with an untrusted key was neither refused nor answered", ex);
                    }
                    catch (final IOException refused)
                    {
                        read = -1;
                    }
                    assertEquals(-1, read, port + ": a client with an untrusted key was answered");
                }
            }
            // Ignite's discovery header in plain text gets no discovery answer: a plain node answers it with the
            // same header; this one ends the connection or sends a TLS alert record (0x15)
            try (Socket plain = new Socket())
            {
                plain.connect(new InetSocketAddress("127.0.0.1", base), 30_000);
                plain.setSoTimeout(30_000);
                plain.getOutputStream().write(IgniteUtils.IGNITE_HEADER);
                plain.getOutputStream().flush();
                int first;
                try
                {
                    first = plain.getInputStream().read();
                }
                catch (final java.net.SocketTimeoutException ex)
                {
                    throw new AssertionError("the discovery port neither answered nor closed plain text", ex);
                }
                catch (final IOException reset)
                {
                    first = -1;
                }
                assertTrue(first == -1 || first == 0x15, "the discovery port answered plain text with " + first);
            }
        }
    }

    private static Path keyStore(final Path dir, final String name, final String subject) throws Exception
    {
        final Path file = dir.resolve(name);
        final Process keytool = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12",
            "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD, "-dname", subject,
            "-validity", "2").redirectErrorStream(true).start();
        final String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** A TLS client socket, connected (30 s read timeout), presenting the key of {@code keyStore} and trusting any server. */
    private static SSLSocket probe(final Path keyStore, final int port) throws Exception
    {
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore))
        {
            keys.load(in, PASSWORD.toCharArray());
        }
        final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD.toCharArray());
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), new TrustManager[]{ new TrustAll() }, null);
        final SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Trusts any certificate: the probe checks that TLS is spoken and whom the member lets in, not whom to trust. */
    private static final class TrustAll implements X509TrustManager
    {
        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return new X509Certificate[0];
        }
    }
}

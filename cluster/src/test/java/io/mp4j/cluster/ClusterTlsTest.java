package io.mp4j.cluster;

import io.mp4j.shm.ElementType;
import io.mp4j.shm.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member and a client that speak TLS ({@code --tls-keystore}, {@code --tls-password-file}): they work
 * together, the member's discovery port completes a TLS handshake, and plain text gets no answer there.
 */
class ClusterTlsTest
{
    static final String PASSWORD = "mp4j-tls-test-password";

    @Test
    void aMemberAndAClientSpeakTlsAndTheDiscoveryPortRefusesPlainText(@TempDir final Path dir) throws Exception
    {
        final Path keyStore = dir.resolve("cluster.p12");
        final Process keytool = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12",
            "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD, "-dname", "CN=mp4j-test",
            "-validity", "2").redirectErrorStream(true).start();
        final String keytoolOutput = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, keytoolOutput);
        Files.setPosixFilePermissions(keyStore, PosixFilePermissions.fromString("rw-------"));
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

            // TLS on the discovery port and on the member's communication port: a handshake completes (this
            // probe trusts any certificate) and the member shows the key store's certificate
            final SSLContext trustAll = SSLContext.getInstance("TLS");
            trustAll.init(null, new TrustManager[]{ new TrustAll() }, null);
            // (the member started first, so it bound the first communication port)
            for (final int port : new int[]{ base, base + 8 })
            {
                try (SSLSocket socket = (SSLSocket)trustAll.getSocketFactory().createSocket())
                {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
                    socket.setSoTimeout(30_000);
                    socket.startHandshake();
                    assertTrue(socket.getSession().getProtocol().startsWith("TLS"), port + ": " + socket.getSession().getProtocol());
                    assertEquals("CN=mp4j-test", ((X509Certificate)socket.getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName());
                }
            }
            // plain text gets no answer: the member drops the connection instead of reading discovery messages
            try (Socket plain = new Socket())
            {
                plain.connect(new InetSocketAddress("127.0.0.1", base), 30_000);
                plain.setSoTimeout(30_000);
                plain.getOutputStream().write("not a TLS client hello\n".getBytes(StandardCharsets.US_ASCII));
                plain.getOutputStream().flush();
                final InputStream in = plain.getInputStream();
                int read;
                try
                {
                    while ((read = in.read()) >= 0 && read != 0x15)
                    {
                        // a TLS alert record (0x15) or the end of the stream: either is a refusal
                    }
                }
                catch (final IOException reset)
                {
                    read = -1;
                }
                assertTrue(read == -1 || read == 0x15, "the discovery port answered plain text");
            }
        }
    }

    /** Trusts any certificate: the probe checks that TLS is spoken, not whom to trust. */
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

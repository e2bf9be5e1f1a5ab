package io.mp4j.cluster;

import org.apache.ignite.configuration.IgniteConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ClusterConfigTest
{
    @Test
    void theDefaultsStayOnLoopbackWithEverythingOptionalOff()
    {
        final ClusterConfig config = ClusterConfig.parse(List.of());
        assertEquals("127.0.0.1", config.localAddress());
        assertEquals(List.of("127.0.0.1:47500..47509"), config.seeds());
        assertEquals(0, config.thinClientPort());
        assertEquals(1, config.backups());
        assertFalse(config.peerClassLoading());
        assertFalse(config.allowList());
        assertTrue(config.quietLogging());
        assertEquals(null, config.workDirectory());
    }

    @Test
    void everyOptionOfTheCommandLineReachesItsSetting()
    {
        final ClusterConfig config = ClusterConfig.parse(List.of("--seeds", "10.0.0.5:47500,10.0.0.6:47500..47502",
            "--local-address", "10.0.0.5", "--discovery-port", "48500..48505", "--communication-port", "48100",
            "--thin-client-port", "10800", "--work-dir", "/srv/ignite", "--backups", "2", "--failure-detection-ms", "2500",
            "--client-failure-detection-ms", "7500", "--memory-mib", "64", "--threads", "6", "--peer-class-loading", "--allow-list", "--log", "--no-secret"));
        assertEquals(List.of("10.0.0.5:47500", "10.0.0.6:47500..47502"), config.seeds());
        assertEquals("10.0.0.5", config.localAddress());
        assertEquals(48500, config.discoveryPort());
        assertEquals(5, config.discoveryPortRange());
        assertEquals(48100, config.communicationPort());
        assertEquals(0, config.communicationPortRange());
        assertEquals(10800, config.thinClientPort());
        assertEquals(Path.of("/srv/ignite"), config.workDirectory());
        assertEquals(2, config.backups());
        assertEquals(Duration.ofMillis(2500), config.failureDetectionTimeout());
        assertEquals(Duration.ofMillis(7500), config.clientFailureDetectionTimeout());
        assertEquals(64L << 20, config.memoryBytes());
        assertEquals(6, config.threads());
        assertTrue(config.peerClassLoading());
        assertTrue(config.allowList());
        assertFalse(config.quietLogging());
        assertTrue(config.noSecret());
        assertFalse(config.hasSecret());
        // and survives a round trip through its builder
        assertEquals(config.toString(), config.toBuilder().build().toString());
    }

    @Test
    void badInputIsRefusedNamingWhatWasWrong()
    {
        assertMessage("unknown option --colour", List.of("--colour", "red"));
        assertMessage("--threads needs a value", List.of("--threads"));
        assertMessage("--backups two: not a number", List.of("--backups", "two"));
        assertMessage("--discovery-port 48505..48500: the last port is below the first", List.of("--discovery-port", "48505..48500"));
        assertMessage("port 70000 is outside 1..65535", List.of("--communication-port", "70000"));
        assertMessage("0.0.0.0 (every interface) is refused", List.of("--local-address", "0.0.0.0"));
        // the JDK reads these as 0.0.0.0 too: once only the string "0.0.0.0" was refused
        assertMessage("'0' = 0.0.0.0 (every interface) is refused", List.of("--local-address", "0"));
        assertMessage("'0.0.0' = 0.0.0.0 (every interface) is refused", List.of("--local-address", "0.0.0"));
        for (final String literal : List.of("0", "0.0", "0.0.0", "00.000.0", "0.0.0.0"))
        {
            assertTrue(ClusterConfig.Builder.isAnyLocal(literal), literal);
        }
        assertFalse(ClusterConfig.Builder.isAnyLocal("10.0.0.0"));
        assertFalse(ClusterConfig.Builder.isAnyLocal("0.0.0.1"));
        assertMessage("threads 1: must be at least 2", List.of("--threads", "1"));
    }

    private static void assertMessage(final String expected, final List<String> args)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ClusterConfig.parse(args));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    // ---- the shared secret (--secret-file)

    private static Path secretFile(final Path dir, final String name, final String mode, final String content) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.write(file, content.getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void aNodeWithNeitherASecretNorNoSecretIsRefusedBeforeItStartsAndBothAreRefused(@TempDir final Path dir) throws Exception
    {
        // ports of its own: were the check gone, the node would start (and be closed below), not meet another test's
        final int base = 52_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 100) * 20;
        final ClusterConfig neither = ClusterConfig.builder().seeds("127.0.0.1:" + base).localAddress("127.0.0.1")
            .discoveryPort(base, 0).communicationPort(base + 8, 0).build();
        assertFalse(neither.hasSecret() || neither.noSecret());
        final List<Supplier<ClusterBackend>> starts = List.of(() -> ClusterBackend.startMember(neither), () -> ClusterBackend.join(neither));
        for (final Supplier<ClusterBackend> start : starts)
        {
            try (ClusterBackend started = start.get())
            {
                fail("a node with neither a secret nor noSecret started: " + started);
            }
            catch (final IllegalStateException ex)
            {
                assertTrue(ex.getMessage().contains("no secret given") && ex.getMessage().contains("--secret-file PATH") &&
                    ex.getMessage().contains("--no-secret"), ex.getMessage());
            }
        }
        final Path file = secretFile(dir, "key", "rw-------", "s3cret");
        final IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfig.parse(List.of("--secret-file", file.toString(), "--no-secret")));
        assertTrue(both.getMessage().contains("choose one"), both.getMessage());
    }

    @Test
    void tlsTakesAPrivateKeyStoreAndPasswordFileTogetherAndReachesIgnite(@TempDir final Path dir) throws Exception
    {
        final Path keyStore = secretFile(dir, "cluster.p12", "rw-------", "not parsed before a node starts");
        final Path password = secretFile(dir, "password", "rw-------", "pass word\n");
        final ClusterConfig config = ClusterConfig.parse(List.of("--tls-keystore", keyStore.toString(), "--tls-password-file",
            password.toString()));
        assertTrue(config.tls());
        assertFalse(config.toString().contains("pass word"), config.toString());
        final org.apache.ignite.ssl.SslContextFactory tls =
            (org.apache.ignite.ssl.SslContextFactory)config.igniteConfiguration("n", true, dir).getSslContextFactory();
        assertEquals(keyStore.toAbsolutePath().toString(), tls.getKeyStoreFilePath());
        assertEquals(keyStore.toAbsolutePath().toString(), tls.getTrustStoreFilePath());
        assertEquals(null, ClusterConfig.parse(List.of()).igniteConfiguration("n", true, dir).getSslContextFactory());

        final IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfig.parse(List.of("--tls-keystore", keyStore.toString())));
        assertTrue(alone.getMessage().contains("go together"), alone.getMessage());
        final Path open = secretFile(dir, "open.p12", "rw-r--r--", "key");
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfig.parse(List.of("--tls-keystore", open.toString(), "--tls-password-file", password.toString())));
        assertTrue(refused.getMessage().contains("TLS key store " + open) && refused.getMessage().contains("chmod 600"),
            refused.getMessage());
        final Path empty = secretFile(dir, "empty-password", "rw-------", "\n");
        final IllegalArgumentException noPassword = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfig.parse(List.of("--tls-keystore", keyStore.toString(), "--tls-password-file", empty.toString())));
        assertTrue(noPassword.getMessage().contains("TLS password file " + empty + ": empty"), noPassword.getMessage());
        final org.apache.ignite.configuration.ClientConnectorConfiguration thin = ClusterConfig.parse(List.of("--tls-keystore",
            keyStore.toString(), "--tls-password-file", password.toString(), "--thin-client-port", "10800"))
            .igniteConfiguration("n", false, dir).getClientConnectorConfiguration();
        assertTrue(thin.isSslEnabled() && thin.isUseIgniteSslContextFactory() && thin.isSslClientAuth(), "the thin-client connector without TLS");
    }

    @Test
    void theClientFailureDetectionTimeoutReachesIgniteAndIsNeverLessThanTheMembers(@TempDir final Path dir)
    {
        assertEquals(30_000, ClusterConfig.parse(List.of()).igniteConfiguration("n", false, dir).getClientFailureDetectionTimeout());
        assertEquals(12_000, ClusterConfig.parse(List.of("--client-failure-detection-ms", "12000"))
            .igniteConfiguration("n", false, dir).getClientFailureDetectionTimeout());
        assertEquals(20_000, ClusterConfig.parse(List.of("--client-failure-detection-ms", "5000", "--failure-detection-ms", "20000"))
            .igniteConfiguration("n", false, dir).getClientFailureDetectionTimeout());
        final IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfig.builder().clientFailureDetectionTimeout(Duration.ofMillis(999)));
        assertTrue(tooShort.getMessage().contains("client failure detection timeout"), tooShort.getMessage());
    }

    @Test
    void aSecretFileReadableByItsOwnerOnlyIsReadWhole(@TempDir final Path dir) throws Exception
    {
        final Path file = secretFile(dir, "key", "rw-------", "s3cret\n");
        final ClusterConfig config = ClusterConfig.parse(List.of("--secret-file", file.toString()));
        assertTrue(config.hasSecret());
        assertArrayEquals("s3cret\n".getBytes(StandardCharsets.US_ASCII), ClusterConfig.readSecretFile(file));
        assertFalse(config.toString().contains("s3cret"), config.toString());
        final IgniteConfiguration ignite = config.igniteConfiguration("n", true, dir);
        assertEquals(1, ignite.getPluginProviders().length);
        assertEquals(ClusterSecret.NAME, ignite.getPluginProviders()[0].name());
        assertEquals(null, ClusterConfig.parse(List.of()).igniteConfiguration("n", true, dir).getPluginProviders());
    }

    @Test
    void aSecretFileTheGroupOrOthersCanReadIsRefusedNamingTheFile(@TempDir final Path dir) throws Exception
    {
        for (final String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rwx-----x"))
        {
            final Path file = secretFile(dir, "key-" + mode, mode, "s3cret");
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.parse(List.of("--secret-file", file.toString())), mode);
            assertTrue(ex.getMessage().contains(file.toString()) && ex.getMessage().contains("group or others") &&
                ex.getMessage().contains("chmod 600"), ex.getMessage());
            assertFalse(ex.getMessage().contains("s3cret"), ex.getMessage());
        }
    }

    @Test
    void anEmptyOrMissingSecretFileOrADirectoryOrALinkIsRefused(@TempDir final Path dir) throws Exception
    {
        final Path empty = secretFile(dir, "empty", "rw-------", "");
        final Path link = Files.createSymbolicLink(dir.resolve("link"), secretFile(dir, "key", "rw-------", "s3cret"));
        final Path sub = Files.createDirectory(dir.resolve("sub"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterConfig.parse(List.of("--secret-file", empty.toString())))
            .getMessage().contains(empty + ": empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterConfig.parse(List.of("--secret-file", link.toString())))
            .getMessage().contains(link + ": not a regular file"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterConfig.parse(List.of("--secret-file", sub.toString())))
            .getMessage().contains(sub + ": not a regular file"));
        final Path missing = dir.resolve("missing");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterConfig.parse(List.of("--secret-file", missing.toString())))
            .getMessage().contains(missing.toString()));
        assertThrows(IllegalArgumentException.class, () -> ClusterConfig.builder().secret(new byte[0]));
    }
}

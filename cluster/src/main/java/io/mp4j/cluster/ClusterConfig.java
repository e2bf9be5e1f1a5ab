package io.mp4j.cluster;

import org.apache.ignite.configuration.AtomicConfiguration;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.SystemDataRegionConfiguration;
import org.apache.ignite.failure.StopNodeFailureHandler;
import org.apache.ignite.failure.StopNodeOrHaltFailureHandler;
import org.apache.ignite.logger.NullLogger;
import org.apache.ignite.logger.java.JavaLogger;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.apache.ignite.ssl.SslContextFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything that configures a cluster member or a program joining the cluster, in one place. Immutable;
 * made by {@link #builder()} or, for {@code ./mp4j cluster-node}, by {@link #parse(List)}.
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>{@code cluster-node} option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@link Builder#seeds}</td><td>{@code --seeds h:p,h:p..q}</td><td>{@code 127.0.0.1:47500..47509}</td>
 *     <td>discovery addresses of (some) members; a member that reaches none of them starts a new cluster.
 *     Only these addresses are ever contacted (Ignite's {@code TcpDiscoveryVmIpFinder}): no multicast.</td></tr>
 * <tr><td>{@link Builder#localAddress}</td><td>{@code --local-address A}</td><td>{@code 127.0.0.1}</td>
 *     <td>the only address this JVM binds and advertises, for discovery, communication and (if enabled)
 *     the thin-client connector. Set it to the host's LAN address to form a cluster across hosts.</td></tr>
 * <tr><td>{@link Builder#discoveryPort}</td><td>{@code --discovery-port P[..Q]}</td><td>{@code 47500..47509}</td>
 *     <td>the first discovery port and how many above it to try.</td></tr>
 * <tr><td>{@link Builder#communicationPort}</td><td>{@code --communication-port P[..Q]}</td><td>{@code 47100..47109}</td>
 *     <td>the same for Ignite's communication (data) connections.</td></tr>
 * <tr><td>{@link Builder#thinClientPort}</td><td>{@code --thin-client-port P}</td><td>off</td>
 *     <td>Ignite's thin-client/JDBC connector, bound to the local address; off unless asked for.</td></tr>
 * <tr><td>{@link Builder#workDirectory}</td><td>{@code --work-dir DIR}</td><td>a private 0700 runtime directory</td>
 *     <td>where Ignite keeps its marshaller mappings; the default one (under {@code /dev/shm}) is removed when the
 *     node stops, or swept by the next mp4j start if it was killed.</td></tr>
 * <tr><td>{@link Builder#backups}</td><td>{@code --backups N}</td><td>1</td>
 *     <td>backup copies of every shared object (atomics, collections, dict/list caches); the same for all of them
 *     (Ignite refuses a queue whose backups differ from the atomics' with "Backups mismatch"). With 1 backup the
 *     cluster survives the loss of one member at a time.</td></tr>
 * <tr><td>{@link Builder#failureDetectionTimeout}</td><td>{@code --failure-detection-ms N}</td><td>10 s</td>
 *     <td>how long a silent member is given before it is dropped (a killed member whose sockets close is
 *     usually noticed much sooner). Locks its threads held are then released.</td></tr>
 * <tr><td>{@link Builder#clientFailureDetectionTimeout}</td><td>{@code --client-failure-detection-ms N}</td><td>30 s</td>
 *     <td>the same for a client (a program joined with {@link ClusterBackend#join}), never less than the
 *     member's; the members' setting is the one that counts. Ignite's default: a client may pause longer than a
 *     member (a long GC). A lock a killed client held is released only once this has passed.</td></tr>
 * <tr><td>{@link Builder#memory}</td><td>{@code --memory-mib N}</td><td>256 MiB</td>
 *     <td>the largest off-heap data region of a member (allocated as used).</td></tr>
 * <tr><td>{@link Builder#threads}</td><td>{@code --threads N}</td><td>max(4, cores)</td>
 *     <td>size of Ignite's public (task) pool and its system pools.</td></tr>
 * <tr><td>{@link Builder#peerClassLoading}</td><td>{@code --peer-class-loading}</td><td>off</td>
 *     <td>see below.</td></tr>
 * <tr><td>{@link Builder#allowList}</td><td>{@code --allow-list}</td><td>off</td>
 *     <td>whether Ignite deserializes only the classes of an allow-list (see below).</td></tr>
 * <tr><td>{@link Builder#quietLogging}</td><td>{@code --log}</td><td>quiet</td>
 *     <td>whether Ignite's own log goes to java.util.logging (warnings and errors) or nowhere.</td></tr>
 * <tr><td>{@link Builder#secret}</td><td>{@code --secret-file PATH}</td><td>none: one of the two is required</td>
 *     <td>a secret every node must prove it holds to join (see below); the file is read by
 *     {@link #readSecretFile}.</td></tr>
 * <tr><td>{@link Builder#noSecret}</td><td>{@code --no-secret}</td><td>off: one of the two is required</td>
 *     <td>no secret: whoever can reach the ports joins (see below).</td></tr>
 * <tr><td>{@link Builder#tls}</td><td>{@code --tls-keystore PATH --tls-password-file PATH}</td><td>off</td>
 *     <td>TLS for discovery and communication (see below).</td></tr>
 * </table>
 *
 * <p><b>Who can join.</b> A node does not start until it is given a secret or told there is none:
 * {@link ClusterBackend#join} and {@link ClusterBackend#startMember} refuse a configuration with neither.
 * Without a secret ({@link Builder#noSecret}), any process that can reach a member's discovery and
 * communication ports (and, with TLS, holds a trusted key) joins the cluster and can read and change every
 * object (without TLS, on loopback: every user of the host); a member says so on standard error when it
 * starts. With a secret, a joining node (member or
 * client) sends HMAC-SHA256(secret, its node id) with its join request and the coordinator refuses it when
 * that does not match ({@link ClusterSecret}); the secret itself is never sent nor logged. Give the same
 * secret to every node: a cluster whose oldest member has none checks nobody. The transport stays
 * unencrypted unless TLS is on, so without TLS this keeps out whoever cannot read the secret, not whoever
 * can read the traffic; the thin-client connector is not covered by the secret (it is by TLS).
 *
 * <p><b>TLS.</b> With {@link Builder#tls} every node speaks TLS on its discovery and communication ports,
 * and on the thin-client connector if it is on (Ignite's {@code SslContextFactory}, client certificates
 * required): the key store, a PKCS#12 file readable by its owner only, holds the node's key and
 * certificate, and its certificates are the ones the node trusts: the key's own certificate and any
 * imported with {@code keytool -importcert} (a CA that signed the other nodes' keys must be imported so;
 * a CA only in the key's chain is not trusted). A node whose certificate is not trusted cannot connect.
 * Give every node the same settings: a node without TLS cannot talk to one with it. The simplest set-up is
 * one self-signed key shared by every node ({@code keytool -genkeypair -keyalg EC -storetype PKCS12 ...}):
 * the traffic is then encrypted, and only holders of the key store connect.
 *
 * <p><b>Class loading.</b> Peer class loading is off: the classes of the tasks a {@code Pool} or
 * {@code ProcessPoolExecutor} sends to the cluster, and of the objects put in queues, dicts and lists,
 * must be on every member's class path ({@code ./mp4j cluster-node --class-path ...}). Turning it on lets
 * any node that joins the cluster ship bytecode that every member then runs: only do it on a network where
 * every host that can reach the discovery and communication ports is trusted. Ignite's own transport is
 * not encrypted without TLS, and not authenticated without a secret; keep the ports on a private network.
 *
 * <p><b>Deserialization.</b> Ignite deserializes what reaches a node (tasks, the values of dicts, lists and
 * queues, its own messages) refusing only the classes of its deny-list. With {@link Builder#allowList} on,
 * a node refuses every class outside an allow-list: Ignite's own classes and the JDK classes it lists, plus
 * mp4j's {@code ObjectInputFilter} patterns ({@code -Dmp4j.serial.allow=...} included; see
 * {@link IgniteAllowList} for the translation). Turn it on for every node, and allow every class you store:
 * a value refused by the member that stores it fails the operation, and can leave Ignite's transaction
 * for it unfinished until that member leaves.
 *
 * <p>Always set, whatever the builder says: REST connector off, no update check
 * ({@code IGNITE_UPDATE_NOTIFIER=false}), metrics logging off, no multicast,
 * IPv4 only ({@code java.net.preferIPv4Stack}, in {@link ClusterJvmFlags}).
 */
public final class ClusterConfig
{
    /** The default first discovery port (Ignite's). */
    public static final int DEFAULT_DISCOVERY_PORT = 47500;
    /** The default first communication port (Ignite's). */
    public static final int DEFAULT_COMMUNICATION_PORT = 47100;
    /** How many ports above the first one are tried by default. */
    public static final int DEFAULT_PORT_RANGE = 9;

    private static final Pattern SEED = Pattern.compile("([^\\s:,]+):(\\d{1,5})(?:\\.\\.(\\d{1,5}))?");
    private static final Pattern PORTS = Pattern.compile("(\\d{1,5})(?:\\.\\.(\\d{1,5}))?");
    private static final Pattern ANY_LOCAL = Pattern.compile("0+(?:\\.0+){0,3}");

    private final List<String> seeds;
    private final String localAddress;
    private final int discoveryPort;
    private final int discoveryPortRange;
    private final int communicationPort;
    private final int communicationPortRange;
    private final int thinClientPort;
    private final Path workDirectory;
    private final int backups;
    private final Duration failureDetectionTimeout;
    private final Duration clientFailureDetectionTimeout;
    private final long memoryBytes;
    private final int threads;
    private final boolean peerClassLoading;
    private final boolean allowList;
    private final boolean quietLogging;
    private final byte[] secret;
    private final boolean noSecret;
    private final Path tlsKeyStore;
    private final char[] tlsPassword;

    private ClusterConfig(final Builder b)
    {
        this.seeds = List.copyOf(b.seeds);
        this.localAddress = b.localAddress;
        this.discoveryPort = b.discoveryPort;
        this.discoveryPortRange = b.discoveryPortRange;
        this.communicationPort = b.communicationPort;
        this.communicationPortRange = b.communicationPortRange;
        this.thinClientPort = b.thinClientPort;
        this.workDirectory = b.workDirectory;
        this.backups = b.backups;
        this.failureDetectionTimeout = b.failureDetectionTimeout;
        this.clientFailureDetectionTimeout = b.clientFailureDetectionTimeout;
        this.memoryBytes = b.memoryBytes;
        this.threads = b.threads;
        this.peerClassLoading = b.peerClassLoading;
        this.allowList = b.allowList;
        this.quietLogging = b.quietLogging;
        this.secret = b.secret;
        this.noSecret = b.noSecret;
        this.tlsKeyStore = b.tlsKeyStore;
        this.tlsPassword = b.tlsPassword;
    }

    /**
     * @return a builder with the defaults: loopback only, seeds {@code 127.0.0.1:47500..47509}.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder holding this configuration's settings, to change some.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.seeds = new ArrayList<>(seeds);
        b.localAddress = localAddress;
        b.discoveryPort = discoveryPort;
        b.discoveryPortRange = discoveryPortRange;
        b.communicationPort = communicationPort;
        b.communicationPortRange = communicationPortRange;
        b.thinClientPort = thinClientPort;
        b.workDirectory = workDirectory;
        b.backups = backups;
        b.failureDetectionTimeout = failureDetectionTimeout;
        b.clientFailureDetectionTimeout = clientFailureDetectionTimeout;
        b.memoryBytes = memoryBytes;
        b.threads = threads;
        b.peerClassLoading = peerClassLoading;
        b.allowList = allowList;
        b.quietLogging = quietLogging;
        b.secret = secret;
        b.noSecret = noSecret;
        b.tlsKeyStore = tlsKeyStore;
        b.tlsPassword = tlsPassword;
        return b;
    }

    /**
     * Parse {@code ./mp4j cluster-node} options (see the table above).
     *
     * @param args the options.
     * @return the configuration.
     * @throws IllegalArgumentException naming an unknown option or a bad value.
     */
    public static ClusterConfig parse(final List<String> args)
    {
        final Builder b = builder();
        Path tlsKeyStore = null;
        Path tlsPasswordFile = null;
        for (int i = 0; i < args.size(); i++)
        {
            final String option = args.get(i);
            switch (option)
            {
                case "--peer-class-loading":
                    b.peerClassLoading(true);
                    continue;
                case "--allow-list":
                    b.allowList(true);
                    continue;
                case "--log":
                    b.quietLogging(false);
                    continue;
                case "--no-secret":
                    b.noSecret(true);
                    continue;
                default:
                    break;
            }
            if (i + 1 >= args.size())
            {
                throw new IllegalArgumentException(option + " needs a value (or is not an option: see ./mp4j cluster-node --help)");
            }
            final String value = args.get(++i);
            switch (option)
            {
                case "--seeds":
                    b.seeds(List.of(value.split(",")));
                    break;
                case "--local-address":
                    b.localAddress(value);
                    break;
                case "--discovery-port":
                    final int[] d = ports(option, value);
                    b.discoveryPort(d[0], d[1]);
                    break;
                case "--communication-port":
                    final int[] c = ports(option, value);
                    b.communicationPort(c[0], c[1]);
                    break;
                case "--thin-client-port":
                    b.thinClientPort(integer(option, value));
                    break;
                case "--work-dir":
                    b.workDirectory(Path.of(value));
                    break;
                case "--backups":
                    b.backups(integer(option, value));
                    break;
                case "--failure-detection-ms":
                    b.failureDetectionTimeout(Duration.ofMillis(integer(option, value)));
                    break;
                case "--client-failure-detection-ms":
                    b.clientFailureDetectionTimeout(Duration.ofMillis(integer(option, value)));
                    break;
                case "--memory-mib":
                    b.memory(integer(option, value) * 1024L * 1024L);
                    break;
                case "--threads":
                    b.threads(integer(option, value));
                    break;
                case "--secret-file":
                    b.secret(readSecretFile(Path.of(value)));
                    break;
                case "--tls-keystore":
                    tlsKeyStore = Path.of(value);
                    break;
                case "--tls-password-file":
                    tlsPasswordFile = Path.of(value);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + option + " (see ./mp4j cluster-node --help)");
            }
        }
        if ((tlsKeyStore == null) != (tlsPasswordFile == null))
        {
            throw new IllegalArgumentException("--tls-keystore and --tls-password-file go together: give both or neither");
        }
        if (tlsKeyStore != null)
        {
            // a password file ends with a line break, which is not part of the password
            final String password = new String(readPrivateFile("TLS password file", tlsPasswordFile),
                java.nio.charset.StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
            if (password.isEmpty())
            {
                throw new IllegalArgumentException("TLS password file " + tlsPasswordFile + ": empty (only line breaks)");
            }
            b.tls(tlsKeyStore, password.toCharArray());
        }
        return b.build();
    }

    /**
     * Read a cluster secret from a file, refusing one that others could read too, as ssh does for keys.
     *
     * @param file a regular file (not a link) of at least one byte, with no permission for its group or others
     *             (mode {@code 0600} or {@code 0400}, as {@code mode & 077 == 0}).
     * @return its bytes, all of them (a trailing newline included).
     * @throws IllegalArgumentException naming the file when it is missing, not a regular file, open to its
     *                                  group or others, or empty.
     */
    public static byte[] readSecretFile(final Path file)
    {
        return readPrivateFile("secret file", file);
    }

    /**
     * Read a file that must be its owner's alone (see {@link #readSecretFile}).
     *
     * @param what what the file is, for messages.
     * @param file the file.
     * @return its bytes.
     * @throws IllegalArgumentException as {@link #readSecretFile} does, naming {@code what} and the file.
     */
    static byte[] readPrivateFile(final String what, final Path file)
    {
        requirePrivateFile(what, file);
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(what + " " + file + ": cannot read it (" + ex + ")", ex);
        }
    }

    /**
     * Check, without reading it, that a file is its owner's alone and not empty (see {@link #readSecretFile}).
     *
     * @param what what the file is, for messages.
     * @param file the file.
     * @throws IllegalArgumentException as {@link #readSecretFile} does, naming {@code what} and the file.
     */
    static void requirePrivateFile(final String what, final Path file)
    {
        final PosixFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new IllegalArgumentException(what + " " + file + ": cannot read its attributes (" + ex + ")", ex);
        }
        if (!attributes.isRegularFile())
        {
            throw new IllegalArgumentException(what + " " + file + ": not a regular file" +
                (attributes.isSymbolicLink() ? " (a symbolic link: give the file it points to)" : ""));
        }
        final EnumSet<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);
        open.retainAll(attributes.permissions());
        if (!open.isEmpty())
        {
            throw new IllegalArgumentException(what + " " + file + ": its group or others have access (" +
                PosixFilePermissions.toString(attributes.permissions()) +
                "); it must be readable by its owner only: chmod 600 " + file);
        }
        if (attributes.size() == 0)
        {
            throw new IllegalArgumentException(what + " " + file + ": empty");
        }
    }

    private static int integer(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " " + value + ": not a number", ex);
        }
    }

    private static int[] ports(final String option, final String value)
    {
        final Matcher m = PORTS.matcher(value.trim());
        if (!m.matches())
        {
            throw new IllegalArgumentException(option + " " + value + ": expected PORT or FIRST..LAST");
        }
        final int first = port(option, m.group(1));
        final int last = m.group(2) == null ? first : port(option, m.group(2));
        if (last < first)
        {
            throw new IllegalArgumentException(option + " " + value + ": the last port is below the first");
        }
        return new int[]{ first, last - first };
    }

    private static int port(final String what, final String digits)
    {
        final int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException(what + ": port " + port + " is outside 1..65535");
        }
        return port;
    }

    /** @return the discovery addresses, {@code host:port} or {@code host:first..last}. */
    public List<String> seeds()
    {
        return seeds;
    }

    /** @return the only address this JVM binds and advertises. */
    public String localAddress()
    {
        return localAddress;
    }

    /** @return the first discovery port. */
    public int discoveryPort()
    {
        return discoveryPort;
    }

    /** @return how many discovery ports above the first are tried. */
    public int discoveryPortRange()
    {
        return discoveryPortRange;
    }

    /** @return the first communication port. */
    public int communicationPort()
    {
        return communicationPort;
    }

    /** @return how many communication ports above the first are tried. */
    public int communicationPortRange()
    {
        return communicationPortRange;
    }

    /** @return the thin-client connector port, or 0 when the connector is off. */
    public int thinClientPort()
    {
        return thinClientPort;
    }

    /** @return the work directory, or null for a private one made when a node starts. */
    public Path workDirectory()
    {
        return workDirectory;
    }

    /** @return backup copies of every shared object. */
    public int backups()
    {
        return backups;
    }

    /** @return how long a silent member is given before it is dropped. */
    public Duration failureDetectionTimeout()
    {
        return failureDetectionTimeout;
    }

    /** @return how long a silent client is given before it is dropped. */
    public Duration clientFailureDetectionTimeout()
    {
        return clientFailureDetectionTimeout;
    }

    /** @return the largest off-heap data region of a member, in bytes. */
    public long memoryBytes()
    {
        return memoryBytes;
    }

    /** @return the size of Ignite's task pool and system pools. */
    public int threads()
    {
        return threads;
    }

    /** @return whether peer class loading is on (see the class comment for what that means). */
    public boolean peerClassLoading()
    {
        return peerClassLoading;
    }

    /** @return whether Ignite deserializes only the classes of an allow-list (see the class comment). */
    public boolean allowList()
    {
        return allowList;
    }

    /** @return whether Ignite's own log is off. */
    public boolean quietLogging()
    {
        return quietLogging;
    }

    /** @return whether nodes must prove they hold a secret to join (the secret itself is not given out). */
    public boolean hasSecret()
    {
        return secret != null;
    }

    /** @return whether nodes speak TLS ({@link Builder#tls}). */
    public boolean tls()
    {
        return tlsKeyStore != null;
    }

    /** @return whether the cluster was declared open, without a secret ({@link Builder#noSecret}). */
    public boolean noSecret()
    {
        return noSecret;
    }

    /**
     * What {@link ClusterBackend#join} and {@link ClusterBackend#startMember} check first: a node is given a
     * secret or told that there is none, never open by omission.
     *
     * @throws IllegalStateException if neither was given.
     */
    void requireSecretOrNoSecret()
    {
        if (secret == null && !noSecret)
        {
            throw new IllegalStateException("no secret given, and not told to run without one. Give every " +
                "node the same secret (--secret-file PATH, mode 0600, or ClusterConfig.Builder.secret), or say that " +
                "every process that can reach " + localAddress + " discovery ports " + discoveryPort + ".." +
                (discoveryPort + discoveryPortRange) + " may join and read or change every object (--no-secret, or " +
                "ClusterConfig.Builder.noSecret(true))");
        }
    }

    /**
     * The Ignite configuration of a node.
     *
     * @param instanceName  the node's instance name, unique in this JVM.
     * @param client        true for a client node (holds no data, runs no tasks), false for a member.
     * @param workDirectory the work directory to use.
     * @return the configuration.
     */
    IgniteConfiguration igniteConfiguration(final String instanceName, final boolean client, final Path workDirectory)
    {
        final TcpDiscoveryVmIpFinder ipFinder = new TcpDiscoveryVmIpFinder();
        ipFinder.setAddresses(seeds);
        ipFinder.setShared(false);

        final TcpDiscoverySpi discovery = new TcpDiscoverySpi();
        discovery.setIpFinder(ipFinder);
        discovery.setLocalAddress(localAddress);
        discovery.setLocalPort(discoveryPort);
        discovery.setLocalPortRange(discoveryPortRange + 1);   // Ignite's range counts the first port
        // a node that reaches no seed would otherwise wait for one forever (a client) or form a cluster alone
        discovery.setJoinTimeout(client ? Math.max(30_000, failureDetectionTimeout.toMillis() * 3) : 0);

        final TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalAddress(localAddress);
        communication.setLocalPort(communicationPort);
        communication.setLocalPortRange(communicationPortRange + 1);

        final IgniteConfiguration cfg = new IgniteConfiguration();
        cfg.setIgniteInstanceName(instanceName);
        cfg.setClientMode(client);
        cfg.setLocalHost(localAddress);
        cfg.setDiscoverySpi(discovery);
        cfg.setCommunicationSpi(communication);
        cfg.setConnectorConfiguration(null);     // the REST/binary-protocol connector: off
        if (thinClientPort > 0)
        {
            final ClientConnectorConfiguration thin = new ClientConnectorConfiguration();
            thin.setHost(localAddress);
            thin.setPort(thinClientPort);
            thin.setPortRange(0);
            if (tlsKeyStore != null)
            {
                // the thin-client connector speaks TLS too, with the same key store, and wants the client's key
                thin.setSslEnabled(true);
                thin.setUseIgniteSslContextFactory(true);
                thin.setSslClientAuth(true);
            }
            cfg.setClientConnectorConfiguration(thin);
        }
        else
        {
            cfg.setClientConnectorConfiguration(null);
        }
        cfg.setPeerClassLoadingEnabled(peerClassLoading);
        cfg.setWorkDirectory(workDirectory.toAbsolutePath().toString());
        cfg.setFailureDetectionTimeout(failureDetectionTimeout.toMillis());
        cfg.setClientFailureDetectionTimeout(Math.max(clientFailureDetectionTimeout.toMillis(), failureDetectionTimeout.toMillis()));
        cfg.setMetricsLogFrequency(0);
        cfg.setGridLogger(quietLogging ? new NullLogger() : new JavaLogger());
        // a member halts its JVM on a critical failure (Ignite's default); a user's program only loses its node
        cfg.setFailureHandler(client ? new StopNodeFailureHandler() : new StopNodeOrHaltFailureHandler());

        final AtomicConfiguration atomics = new AtomicConfiguration();
        atomics.setBackups(backups);
        cfg.setAtomicConfiguration(atomics);

        final DataRegionConfiguration region = new DataRegionConfiguration();
        region.setName("mp4j");
        region.setInitialSize(Math.min(memoryBytes, 32L * 1024 * 1024));
        region.setMaxSize(memoryBytes);
        final SystemDataRegionConfiguration system = new SystemDataRegionConfiguration();
        system.setInitialSize(16L * 1024 * 1024);
        system.setMaxSize(64L * 1024 * 1024);
        final DataStorageConfiguration storage = new DataStorageConfiguration();
        storage.setDefaultDataRegionConfiguration(region);
        storage.setSystemDataRegionConfiguration(system);
        cfg.setDataStorageConfiguration(storage);

        cfg.setPublicThreadPoolSize(threads);
        cfg.setSystemThreadPoolSize(threads + 1);
        cfg.setStripedPoolSize(threads);
        cfg.setServiceThreadPoolSize(2);
        cfg.setManagementThreadPoolSize(2);
        cfg.setDataStreamerThreadPoolSize(1);
        cfg.setQueryThreadPoolSize(2);
        cfg.setUtilityCachePoolSize(2);
        cfg.setAsyncCallbackPoolSize(2);
        cfg.setPeerClassLoadingThreadPoolSize(2);
        cfg.setRebalanceThreadPoolSize(1);
        cfg.setSnapshotThreadPoolSize(1);
        if (tlsKeyStore != null)
        {
            final SslContextFactory tls = new SslContextFactory();
            tls.setKeyStoreType("PKCS12");
            tls.setKeyStoreFilePath(tlsKeyStore.toAbsolutePath().toString());
            tls.setKeyStorePassword(tlsPassword.clone());
            tls.setTrustStoreType("PKCS12");
            tls.setTrustStoreFilePath(tlsKeyStore.toAbsolutePath().toString());
            tls.setTrustStorePassword(tlsPassword.clone());
            cfg.setSslContextFactory(tls);
        }
        if (secret != null)
        {
            cfg.setPluginProviders(new ClusterSecret(secret));
        }
        return cfg;
    }

    @Override
    public String toString()
    {
        return "ClusterConfig{seeds=" + seeds + ", localAddress=" + localAddress + ", discovery=" + discoveryPort + ".." +
            (discoveryPort + discoveryPortRange) + ", communication=" + communicationPort + ".." +
            (communicationPort + communicationPortRange) + ", thinClientPort=" + (thinClientPort > 0 ? thinClientPort : "off") +
            ", workDirectory=" + (workDirectory == null ? "private" : workDirectory) + ", backups=" + backups +
            ", failureDetectionTimeout=" + failureDetectionTimeout + ", clientFailureDetectionTimeout=" +
            clientFailureDetectionTimeout + ", memory=" + memoryBytes / (1024 * 1024) + " MiB" +
            ", threads=" + threads + ", peerClassLoading=" + peerClassLoading + ", allowList=" + allowList +
            ", secret=" + (secret != null ? "set" : noSecret ? "none (declared)" : "none") +
            ", tls=" + (tlsKeyStore != null ? tlsKeyStore : "off") + '}';
    }

    /**
     * Builds a {@link ClusterConfig}; every setter checks its value and names what was wrong.
     */
    public static final class Builder
    {
        private List<String> seeds = List.of("127.0.0.1:" + DEFAULT_DISCOVERY_PORT + ".." + (DEFAULT_DISCOVERY_PORT + DEFAULT_PORT_RANGE));
        private String localAddress = "127.0.0.1";
        private int discoveryPort = DEFAULT_DISCOVERY_PORT;
        private int discoveryPortRange = DEFAULT_PORT_RANGE;
        private int communicationPort = DEFAULT_COMMUNICATION_PORT;
        private int communicationPortRange = DEFAULT_PORT_RANGE;
        private int thinClientPort;
        private Path workDirectory;
        private int backups = 1;
        private Duration failureDetectionTimeout = Duration.ofSeconds(10);
        private Duration clientFailureDetectionTimeout = Duration.ofSeconds(30);
        private long memoryBytes = 256L * 1024 * 1024;
        private int threads = Math.max(4, Runtime.getRuntime().availableProcessors());
        private boolean peerClassLoading;
        private boolean allowList;
        private boolean quietLogging = true;
        private byte[] secret;
        private boolean noSecret;
        private Path tlsKeyStore;
        private char[] tlsPassword;

        private Builder()
        {
        }

        /**
         * @param seeds discovery addresses, each {@code host:port} or {@code host:first..last}.
         * @return this.
         */
        public Builder seeds(final List<String> seeds)
        {
            if (seeds.isEmpty())
            {
                throw new IllegalArgumentException("seeds: at least one host:port is needed");
            }
            final List<String> checked = new ArrayList<>();
            for (final String seed : seeds)
            {
                final Matcher m = SEED.matcher(seed.trim());
                if (!m.matches())
                {
                    throw new IllegalArgumentException("seed '" + seed + "': expected host:port or host:first..last");
                }
                port("seed " + seed, m.group(2));
                if (m.group(3) != null && port("seed " + seed, m.group(3)) < Integer.parseInt(m.group(2)))
                {
                    throw new IllegalArgumentException("seed '" + seed + "': the last port is below the first");
                }
                checked.add(seed.trim());
            }
            this.seeds = checked;
            return this;
        }

        /**
         * @param seeds discovery addresses, each {@code host:port} or {@code host:first..last}.
         * @return this.
         */
        public Builder seeds(final String... seeds)
        {
            return seeds(List.of(seeds));
        }

        /**
         * @return whether an IPv4 literal means every interface: "0.0.0.0", and the short forms the JDK (as
         * {@code inet_aton}) reads as it: "0", "0.0", "0.0.0", with any leading zeros; all zero parts is the
         * only way to write 0.0.0.0. Checked on the text, so no name is looked up while configuring (a host
         * name that resolves to 0.0.0.0 is not caught here).
         */
        static boolean isAnyLocal(final String address)
        {
            return ANY_LOCAL.matcher(address).matches();
        }

        /**
         * @param address the only address to bind and advertise (an IPv4 literal or a host name).
         * @return this.
         */
        public Builder localAddress(final String address)
        {
            if (address == null || address.isBlank() || address.contains(":"))
            {
                throw new IllegalArgumentException("local address '" + address + "': expected an IPv4 address or host name");
            }
            final String trimmed = address.trim();
            if (isAnyLocal(trimmed))
            {
                throw new IllegalArgumentException("local address " + ("0.0.0.0".equals(trimmed) ? "" : "'" + trimmed + "' = ") +
                    "0.0.0.0 (every interface) is refused: give the address of one interface");
            }
            this.localAddress = address.trim();
            return this;
        }

        /**
         * @param port  the first discovery port.
         * @param range how many ports above it to try (0 = only that one).
         * @return this.
         */
        public Builder discoveryPort(final int port, final int range)
        {
            checkPorts("discovery port", port, range);
            this.discoveryPort = port;
            this.discoveryPortRange = range;
            return this;
        }

        /**
         * @param port  the first communication port.
         * @param range how many ports above it to try (0 = only that one).
         * @return this.
         */
        public Builder communicationPort(final int port, final int range)
        {
            checkPorts("communication port", port, range);
            this.communicationPort = port;
            this.communicationPortRange = range;
            return this;
        }

        private static void checkPorts(final String what, final int port, final int range)
        {
            if (port < 1 || port > 65535 || range < 0 || port + range > 65535)
            {
                throw new IllegalArgumentException(what + " " + port + " with range " + range + ": must stay within 1..65535");
            }
        }

        /**
         * @param port the thin-client connector's port, bound to the local address; 0 turns it off.
         * @return this.
         */
        public Builder thinClientPort(final int port)
        {
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("thin-client port " + port + ": must be 0 (off) or within 1..65535");
            }
            this.thinClientPort = port;
            return this;
        }

        /**
         * @param directory Ignite's work directory (made 0700 if missing), or null for a private one per node.
         * @return this.
         */
        public Builder workDirectory(final Path directory)
        {
            this.workDirectory = directory;
            return this;
        }

        /**
         * @param backups backup copies of every shared object, 0 or more.
         * @return this.
         */
        public Builder backups(final int backups)
        {
            if (backups < 0)
            {
                throw new IllegalArgumentException("backups " + backups + ": must be 0 or more");
            }
            this.backups = backups;
            return this;
        }

        /**
         * @param timeout how long a silent member is given before it is dropped; at least 1 s.
         * @return this.
         */
        public Builder failureDetectionTimeout(final Duration timeout)
        {
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0)
            {
                throw new IllegalArgumentException("failure detection timeout " + timeout + ": must be at least 1 s");
            }
            this.failureDetectionTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long a silent client is given before it is dropped (and the locks it held are
         *                released); at least 1 s, and taken as the failure-detection timeout where that is
         *                longer. It is the members' setting that counts.
         * @return this.
         */
        public Builder clientFailureDetectionTimeout(final Duration timeout)
        {
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0)
            {
                throw new IllegalArgumentException("client failure detection timeout " + timeout + ": must be at least 1 s");
            }
            this.clientFailureDetectionTimeout = timeout;
            return this;
        }

        /**
         * @param bytes the largest off-heap data region of a member; at least 32 MiB.
         * @return this.
         */
        public Builder memory(final long bytes)
        {
            if (bytes < 32L * 1024 * 1024)
            {
                throw new IllegalArgumentException("memory " + bytes + " bytes: must be at least 32 MiB");
            }
            this.memoryBytes = bytes;
            return this;
        }

        /**
         * @param threads size of Ignite's task pool and system pools; at least 2.
         * @return this.
         */
        public Builder threads(final int threads)
        {
            if (threads < 2)
            {
                throw new IllegalArgumentException("threads " + threads + ": must be at least 2");
            }
            this.threads = threads;
            return this;
        }

        /**
         * @param enabled whether any node may ship classes that members then run (see the class comment).
         * @return this.
         */
        public Builder peerClassLoading(final boolean enabled)
        {
            this.peerClassLoading = enabled;
            return this;
        }

        /**
         * @param enabled whether Ignite deserializes only Ignite's own classes, the JDK classes it lists and
         *                mp4j's allow-list (see the class comment); off by default.
         * @return this.
         */
        public Builder allowList(final boolean enabled)
        {
            this.allowList = enabled;
            return this;
        }

        /**
         * @param quiet true (the default) for no Ignite log; false for its log through java.util.logging.
         * @return this.
         */
        public Builder quietLogging(final boolean quiet)
        {
            this.quietLogging = quiet;
            return this;
        }

        /**
         * @param key the cluster's shared secret (copied), at least one byte; null for none. Every node must be
         *            given the same: a node that cannot prove it holds it is refused at join (see the class
         *            comment). For {@code ./mp4j cluster-node}: {@code --secret-file PATH}
         *            ({@link ClusterConfig#readSecretFile}).
         * @return this.
         */
        public Builder secret(final byte[] key)
        {
            if (key != null && key.length == 0)
            {
                throw new IllegalArgumentException("secret: empty (give at least one byte, or null for none)");
            }
            this.secret = key == null ? null : key.clone();
            return this;
        }

        /**
         * Run without a secret: any process that can reach the discovery and communication ports (and, with
         * {@link #tls}, holds a trusted key) may join and read or change every object (without TLS, on
         * loopback, every user of the host). A node must be given a secret or
         * this, so that a cluster is never open by omission. For {@code ./mp4j cluster-node}: {@code --no-secret}.
         *
         * @param none true to run without a secret.
         * @return this.
         */
        public Builder noSecret(final boolean none)
        {
            this.noSecret = none;
            return this;
        }

        /**
         * Speak TLS on the discovery and communication ports (see the class comment). For
         * {@code ./mp4j cluster-node}: {@code --tls-keystore PATH --tls-password-file PATH}.
         *
         * @param keyStore a PKCS#12 key store readable by its owner only (checked now, as
         *                 {@link ClusterConfig#readSecretFile} checks a secret file): this node's key and
         *                 certificate, and the certificates it trusts; null for no TLS.
         * @param password the key store's password (copied), not empty.
         * @return this.
         * @throws IllegalArgumentException naming the file when it is missing, not a regular file, open to its group
         *                                  or others, or empty, or when the password is empty.
         * @throws NullPointerException     if {@code keyStore} is given and {@code password} is null.
         */
        public Builder tls(final Path keyStore, final char[] password)
        {
            if (keyStore == null)
            {
                this.tlsKeyStore = null;
                this.tlsPassword = null;
                return this;
            }
            Objects.requireNonNull(password, "tls: the key store's password");
            requirePrivateFile("TLS key store", keyStore);
            if (password.length == 0)
            {
                throw new IllegalArgumentException("TLS key store " + keyStore + ": empty password");
            }
            this.tlsKeyStore = keyStore;
            this.tlsPassword = password.clone();
            return this;
        }

        /**
         * @return the configuration.
         */
        public ClusterConfig build()
        {
            Objects.requireNonNull(localAddress);
            if (secret != null && noSecret)
            {
                throw new IllegalArgumentException("a secret and noSecret (--secret-file and --no-secret) were both given: choose one");
            }
            return new ClusterConfig(this);
        }
    }
}

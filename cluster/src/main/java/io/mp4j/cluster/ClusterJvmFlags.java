package io.mp4j.cluster;

import io.mp4j.JvmFlags;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The JVM flags a JVM that runs an Apache Ignite node needs, on top of mp4j's own ({@link JvmFlags}).
 *
 * <p>Ignite 2.18 reaches into JDK internals: without about two dozen {@code --add-opens} (the list of its
 * {@code bin/include/jvmdefaults.sh} for Java 15+) it does not start on Java 17. The list also holds
 * {@code -Djava.net.preferIPv4Stack=true}, {@code -DIGNITE_UPDATE_NOTIFIER=false} (no update check) and
 * {@code -DIGNITE_QUIET=true}. It is defined once, as the property {@code mp4j.cluster.jvm.flags} of the
 * parent pom, and read from the resource {@code io/mp4j/cluster/jvm-flags.txt}; surefire, {@code ./mp4j
 * cluster-node} and the JVMs the tests start all use it.
 */
public final class ClusterJvmFlags
{
    /** The flags, in order, as defined in the parent pom. */
    public static final List<String> REQUIRED = load();

    private ClusterJvmFlags()
    {
    }

    private static List<String> load()
    {
        try (InputStream in = ClusterJvmFlags.class.getResourceAsStream("jvm-flags.txt"))
        {
            if (in == null)
            {
                throw new IllegalStateException("io/mp4j/cluster/jvm-flags.txt is missing from the mp4j-cluster jar");
            }
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return every flag a JVM running an Ignite node and mp4j needs on this Java version: mp4j's
     * {@link JvmFlags#required()} followed by {@link #REQUIRED}.
     */
    public static List<String> required()
    {
        final List<String> flags = new ArrayList<>(JvmFlags.required());
        flags.addAll(REQUIRED);
        return Collections.unmodifiableList(flags);
    }
}

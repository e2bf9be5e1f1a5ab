package io.mp4j;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JVM flags mp4j needs, and the command line of the JVMs it starts.
 *
 * <p>Agrona needs {@code jdk.internal.misc}; Chronicle Queue (the durable queue) needs the rest. On
 * Java 23 and later {@code --sun-misc-unsafe-memory-access=allow} keeps the JVM from warning about
 * {@code sun.misc.Unsafe}, which Agrona and Chronicle use. Add {@link #required()} to your own JVM's
 * command line when you run mp4j from your program; child JVMs get them from mp4j.
 *
 * <p>A child JVM gets: the parent's {@code java}, the parent's JVM options, those from the
 * {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} environment variables included (except debugger
 * and agent options and the {@code com.sun.management.jmxremote} properties, which would clash on ports or
 * files, a flight recording, and a {@code -Xlog} that writes to a
 * file, with or without {@code file=}, or a legacy {@code -Xloggc}, whose name has no {@code %p}: every
 * child would truncate and overwrite the parent's file; pass
 * such options for children in the {@link Context}'s options), the required flags, the parent's {@code mp4j.*} and
 * {@code chronicle.*} system properties, {@code chronicle.analytics.disable=true}, and the parent's
 * class path. {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} are removed from a child's
 * environment, so that it does not apply the options dropped above again.
 */
public final class JvmFlags
{
    /**
     * Flags every JVM that uses mp4j needs, on Java 17 and later. Defined once, as the property
     * {@code mp4j.jvm.flags} of the parent pom, and read from the resource {@code io/mp4j/jvm-flags.txt}.
     */
    public static final List<String> REQUIRED = loadRequired();

    /** Flags added on Java 23 and later, where they exist. */
    public static final List<String> REQUIRED_JAVA_23 = List.of(
        "--sun-misc-unsafe-memory-access=allow",
        "--enable-native-access=ALL-UNNAMED");

    private static final List<String> DROPPED_PREFIXES = List.of(
        "-agentlib:", "-agentpath:", "-javaagent:", "-Xrunjdwp", "-Xdebug", "-XX:ArchiveClassesAtExit",
        "-XX:SharedArchiveFile", "-XX:+AutoCreateSharedArchive", "-XX:StartFlightRecording", "-Dmp4j.", "-Dchronicle.",
        "-Dcom.sun.management.jmxremote");

    private static final List<String> PROPERTY_PREFIXES = List.of("mp4j.", "chronicle.");

    private JvmFlags()
    {
    }

    private static List<String> loadRequired()
    {
        try (InputStream in = JvmFlags.class.getResourceAsStream("jvm-flags.txt"))
        {
            if (in == null)
            {
                throw new IllegalStateException("io/mp4j/jvm-flags.txt is missing from the mp4j-core jar");
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return List.of(text.split("\\s+"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the flags this JVM's version needs: {@link #REQUIRED}, plus {@link #REQUIRED_JAVA_23} on 23+.
     */
    public static List<String> required()
    {
        if (Runtime.version().feature() >= 23)
        {
            final List<String> flags = new ArrayList<>(REQUIRED);
            flags.addAll(REQUIRED_JAVA_23);
            return Collections.unmodifiableList(flags);
        }
        return REQUIRED;
    }

    /**
     * @return the {@code java} executable of this JVM.
     */
    public static Path javaExecutable()
    {
        return Paths.get(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * The parent's class path with mp4j's own jars (and Agrona's) moved to the front. A JVM looks for a
     * class in each class path entry in turn, opening every jar it passes; with Chronicle Queue's twenty
     * jars ahead of mp4j's, a child spent a third of its start-up opening jars it did not need.
     *
     * @return the class path for a child JVM.
     */
    static String childClassPath()
    {
        final List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        final List<String> front = new ArrayList<>();
        for (final Class<?> anchor : new Class<?>[]{ ChildMain.class, io.mp4j.shm.MappedRegion.class,
            org.agrona.concurrent.UnsafeBuffer.class, io.mp4j.queue.Queue.class })
        {
            final String jar = jarOf(anchor);
            if (jar != null && entries.remove(jar) && !front.contains(jar))
            {
                front.add(jar);
            }
        }
        front.addAll(entries);
        return String.join(File.pathSeparator, front);
    }

    private static String jarOf(final Class<?> type)
    {
        try
        {
            final java.security.CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || !source.getLocation().getPath().endsWith(".jar"))
            {
                return null;
            }
            final String path = Paths.get(source.getLocation().toURI()).toString();
            for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
            {
                if (!entry.isEmpty() && Paths.get(entry).toAbsolutePath().normalize().toString().equals(path))
                {
                    return entry;
                }
            }
            return null;
        }
        catch (final java.net.URISyntaxException | SecurityException | IllegalArgumentException ex)
        {
            return null;
        }
    }

    /**
     * Whether a JVM option writes a log to a file whose name does not depend on the process, which every child
     * would truncate and overwrite: {@code -Xlog[:what[:output[:...]]]} whose output is a file, named with or
     * without {@code file=} (not {@code stdout}, {@code stderr}, {@code #0}, {@code #1} or empty), and the
     * legacy {@code -Xloggc:path}, in both cases unless the name has a {@code %p}.
     */
    static boolean logsToSharedFile(final String arg)
    {
        if (arg.startsWith("-Xloggc:"))
        {
            return !arg.contains("%p");
        }
        if (!arg.startsWith("-Xlog:"))
        {
            return false;
        }
        final String[] parts = arg.split(":", 4);
        if (parts.length < 3)
        {
            return false;
        }
        final String output = parts[2];
        final boolean console = output.isEmpty() || "stdout".equals(output) || "stderr".equals(output) ||
            "#0".equals(output) || "#1".equals(output);
        return !console && !output.contains("%p");
    }

    /**
     * The command line of a child JVM that runs {@code mainClass} like this JVM would.
     *
     * @param extraOptions JVM options to add after the inherited ones, in this order; they come last also where
     *                     they repeat an inherited option, so they win over it.
     * @param mainClass    the class whose main the child runs.
     * @param args         program arguments.
     * @return the command, ready for a {@link ProcessBuilder}.
     */
    public static List<String> childCommand(final List<String> extraOptions, final String mainClass, final String... args)
    {
        final Set<String> options = new LinkedHashSet<>();
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (DROPPED_PREFIXES.stream().noneMatch(arg::startsWith) && !logsToSharedFile(arg))
            {
                options.add(arg);
            }
        }
        options.addAll(required());
        for (final Map.Entry<Object, Object> property : System.getProperties().entrySet())
        {
            final String key = String.valueOf(property.getKey());
            if (PROPERTY_PREFIXES.stream().anyMatch(key::startsWith) && !"chronicle.analytics.disable".equals(key))
            {
                options.add("-D" + key + "=" + property.getValue());
            }
        }
        for (final String extra : extraOptions)
        {
            // a set keeps an element where it was first added: move a repeated option to the end, where it wins
            options.remove(extra);
            options.add(extra);
        }

        final List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(options);
        command.add("-cp");
        command.add(childClassPath());
        command.add(mainClass);
        Collections.addAll(command, args);
        return command;
    }
}

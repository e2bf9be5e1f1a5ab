package io.mp4j.cluster;

import io.mp4j.shm.RuntimeDirectory;
import org.apache.ignite.Ignite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The class allow-list Ignite applies, when {@link ClusterConfig.Builder#allowList} is on, to everything it
 * deserializes on a node mp4j starts: tasks, the values of dicts, lists and queues, and Ignite's own
 * messages. Without one Ignite refuses only the few classes of its deny-list; with one (its
 * {@code IGNITE_MARSHALLER_WHITELIST}) it accepts its own classes,
 * the JDK classes it lists, and the list's entries. mp4j's entries are its own {@code ObjectInputFilter}
 * patterns for cluster tasks ({@link RemoteCall#codec()}: mp4j's defaults, {@code -Dmp4j.serial.allow},
 * {@code java.io}, {@code java.util.concurrent}, serialized lambdas), translated, so one property opens a
 * class to a local queue and to the cluster alike.
 *
 * <p>Ignite's list knows classes and package wildcards only, so the translation widens some patterns:
 * {@code pkg.*} and {@code pkg.**} both become {@code pkg.*}, which in Ignite's list also covers the
 * sub-packages; a prefix pattern ({@code pkg.Order*}) becomes its package; a module name is dropped. A
 * pattern whose only translation would be "every class" is refused with an {@code IllegalArgumentException}
 * that names it, since the list would no longer be narrow: all the classes of a module ({@code java.base/*})
 * and a prefix in the unnamed package ({@code Order*}).
 * Limits ({@code maxdepth=...}) and rejections ({@code !pkg.Class}) have no equivalent and are left out: set
 * Ignite's {@code IGNITE_MARSHALLER_BLACKLIST} for the latter. A list given by the user (the property
 * or the environment variable {@code IGNITE_MARSHALLER_WHITELIST}) is used instead, unchanged.
 *
 * <p>Ignite reads the list once, while a node starts: it is written to a private file, named by the
 * property for the start only, then removed, so it does not apply to Ignite nodes the program starts
 * itself. For the same reason Ignite's JVM-wide {@code ObjectInputFilter} auto-configuration is off while
 * mp4j's nodes start: the allow-list would otherwise apply to every {@code ObjectInputStream} of the JVM.
 */
final class IgniteAllowList
{
    static final String WHITELIST_PROPERTY = "IGNITE_MARSHALLER_WHITELIST";
    static final String AUTOCONFIGURATION_PROPERTY = "IGNITE_ENABLE_OBJECT_INPUT_FILTER_AUTOCONFIGURATION";

    private IgniteAllowList()
    {
    }

    /**
     * @param patterns {@code ObjectInputFilter} patterns, separated by {@code ;}.
     * @return the entries of Ignite's class list that allow what the patterns allow (and possibly more).
     * @throws IllegalArgumentException if a pattern could only be translated to "every class": a module with
     *                                  every class of it ({@code java.base/*}), or a prefix of classes of the
     *                                  unnamed package ({@code Order*}). An explicit {@code *} stays {@code *}.
     */
    static List<String> entries(final String patterns)
    {
        final List<String> entries = new ArrayList<>();
        for (final String raw : patterns.split(";"))
        {
            String pattern = raw.trim();
            if (pattern.isEmpty() || pattern.indexOf('=') >= 0 || pattern.startsWith("!"))
            {
                continue;
            }
            final int slash = pattern.indexOf('/');
            if (slash >= 0)
            {
                pattern = pattern.substring(slash + 1);
                if (pattern.endsWith("*") && pattern.lastIndexOf('.') < 0)
                {
                    // "module/*" means every class of one module: Ignite's list has no modules, and its only
                    // equivalent would be every class of every module
                    throw refused(raw.trim(), "it names every class of a module, which Ignite's list cannot express");
                }
            }
            if (pattern.endsWith(".**"))
            {
                pattern = pattern.substring(0, pattern.length() - 1);
            }
            else if (pattern.endsWith("*") && !pattern.endsWith(".*") && !"*".equals(pattern))
            {
                final int dot = pattern.lastIndexOf('.');
                if (dot < 0)
                {
                    throw refused(raw.trim(), "it is a prefix of classes of the unnamed package, which Ignite's list can "
                        + "only express as every class");
                }
                pattern = pattern.substring(0, dot) + ".*";
            }
            if (!pattern.isEmpty() && !entries.contains(pattern))
            {
                entries.add(pattern);
            }
        }
        return entries;
    }

    private static IllegalArgumentException refused(final String pattern, final String why)
    {
        return new IllegalArgumentException("the class pattern '" + pattern + "' cannot be put in Ignite's allow-list: "
            + why + "; name the classes or their packages instead (or give Ignite a list of its own with "
            + WHITELIST_PROPERTY + ")");
    }

    /**
     * Start an Ignite node, with mp4j's allow-list in force if asked for and the user gave Ignite no list of
     * their own.
     *
     * @param enabled whether to apply the allow-list.
     * @param start   starts the node.
     * @return the node.
     */
    static synchronized Ignite start(final boolean enabled, final Supplier<Ignite> start)
    {
        // one start at a time, with or without the list: the properties are the JVM's, and a node started
        // beside one that has them set would read them
        if (!enabled || System.getProperty(WHITELIST_PROPERTY) != null || System.getenv(WHITELIST_PROPERTY) != null)
        {
            return start.get();
        }
        final String autoconfiguration = System.getProperty(AUTOCONFIGURATION_PROPERTY);
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            final Path file = dir.resolve("ignite-allow-list");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, entries(RemoteCall.codec().filterDescription()), StandardCharsets.UTF_8);
            System.setProperty(WHITELIST_PROPERTY, file.toString());
            if (autoconfiguration == null)
            {
                System.setProperty(AUTOCONFIGURATION_PROPERTY, "false");
            }
            return start.get();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write Ignite's class allow-list", ex);
        }
        finally
        {
            System.clearProperty(WHITELIST_PROPERTY);
            if (autoconfiguration == null)
            {
                System.clearProperty(AUTOCONFIGURATION_PROPERTY);
            }
        }
    }
}

package io.mp4j.examples.tour;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed tutorial's sections, in the seed's order, and the groups of them the command line accepts.
 */
public final class Tour
{
    private static final List<Section> SECTIONS = List.of(
        new ProcessSections.Creating(),
        new SharedSections.QueueSection(),
        new SharedSections.PipeSection(),
        new SharedSections.ValueArraySection(),
        new ManagerSections.SharedObjects(),
        new SharedSections.SyncSection(),
        new ProcessSections.Daemon(),
        new ProcessSections.Termination());

    private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

    static
    {
        GROUPS.put("process", List.of("creating", "daemon", "termination"));
        GROUPS.put("shared", List.of("queue", "pipe", "value-array", "manager", "sync"));
    }

    private Tour()
    {
    }

    /**
     * @return every section, in the seed's order.
     */
    public static List<Section> sections()
    {
        return SECTIONS;
    }

    /**
     * @return group name to section ids, e.g. {@code process}.
     */
    public static Map<String, List<String>> groups()
    {
        return GROUPS;
    }

    /**
     * Resolve names (section ids or group names) to sections, in the seed's order.
     *
     * @param names what the user asked for; empty for all.
     * @return the sections.
     * @throws IllegalArgumentException naming an unknown section.
     */
    public static List<Section> select(final List<String> names)
    {
        if (names.isEmpty())
        {
            return SECTIONS;
        }
        final List<String> ids = new ArrayList<>();
        for (final String name : names)
        {
            if (GROUPS.containsKey(name))
            {
                ids.addAll(GROUPS.get(name));
            }
            else if (SECTIONS.stream().anyMatch(s -> s.id().equals(name)))
            {
                ids.add(name);
            }
            else
            {
                throw new IllegalArgumentException("no tour section '" + name + "'; try one of " + names());
            }
        }
        final List<Section> selected = new ArrayList<>();
        for (final Section section : SECTIONS)
        {
            if (ids.contains(section.id()))
            {
                selected.add(section);
            }
        }
        return selected;
    }

    /**
     * @return the names the command line accepts.
     */
    public static List<String> names()
    {
        final List<String> names = new ArrayList<>(GROUPS.keySet());
        SECTIONS.forEach(s -> names.add(s.id()));
        return names;
    }

    /**
     * Run sections, each under its heading, each followed by what it showed.
     *
     * @param sections what to run.
     * @param out      where the headings go.
     * @throws Exception if a section fails.
     */
    public static void run(final List<Section> sections, final PrintStream out) throws Exception
    {
        for (final Section section : sections)
        {
            out.println();
            out.println("== " + section.title() + " ==");
            out.flush();
            section.run();
            System.out.flush();
            out.println("-> " + section.lesson());
        }
    }
}

package io.mp4j.examples;

import io.mp4j.examples.tour.Section;
import io.mp4j.examples.tour.Tour;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code mp4j} command line.
 */
public final class Main
{
    private Main()
    {
    }

    /**
     * @param args a command and its arguments; {@code --help} lists them.
     * @throws Exception if the command fails.
     */
    public static void main(final String[] args) throws Exception
    {
        System.exit(run(args));
    }

    /**
     * Run a command.
     *
     * @param args a command and its arguments.
     * @return the exit status.
     * @throws Exception if the command fails.
     */
    public static int run(final String[] args) throws Exception
    {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0]) || "help".equals(args[0]))
        {
            printHelp();
            return args.length == 0 ? 2 : 0;
        }
        final List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0])
        {
            case "tour":
                return tour(rest);
            case "counter":
                return CounterCommand.run(rest, System.out);
            case "stat":
                return StatCommand.run(rest, System.out);
            case "bench":
                return BenchCommand.run(rest, System.out);
            default:
                System.err.println("mp4j: unknown command '" + args[0] + "'; see mp4j --help");
                return 2;
        }
    }

    private static int tour(final List<String> names) throws Exception
    {
        final List<Section> sections;
        try
        {
            sections = Tour.select(names);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("mp4j tour: " + ex.getMessage());
            return 2;
        }
        Tour.run(sections, System.out);
        return 0;
    }

    private static void printHelp()
    {
        final StringBuilder sections = new StringBuilder();
        for (final Section s : Tour.sections())
        {
            sections.append(String.format("      %-22s %s%n", s.id(), s.title()));
        }
        Tour.groups().forEach((group, ids) -> sections.append(String.format("      %-22s %s%n", group, String.join(" + ", ids))));
        System.out.print(
            "mp4j - Python's multiprocessing for the JVM\n" +
            "\n" +
            "usage: mp4j <command> [arguments]\n" +
            "\n" +
            "commands:\n" +
            "  tour [NAME...]     the seed tutorial in Java, across real JVMs; all sections, or these:\n" +
            sections +
            "  counter [--jvms N] [--increments M] [--mode locked|unlocked|atomic|all]\n" +
            "                     N separately started JVMs attach by name to one counter and increment it\n" +
            "  stat [--once] [--json]\n" +
            "                     live runtime directories and regions on this host (every second; Ctrl-C stops)\n" +
            "  bench [--python] [--only NAME...] [--out FILE] [--json]\n" +
            "                     the cross-process benchmark; --python runs CPython's baseline too and compares\n" +
            "  cluster-node (--secret-file PATH | --no-secret) [--seeds H:P,...] [--local-address A] [--class-path CP] ...\n" +
            "                     a member of a cluster on Apache Ignite (docs/cluster.md; cluster-node --help)\n" +
            "  --help             this text\n");
    }
}

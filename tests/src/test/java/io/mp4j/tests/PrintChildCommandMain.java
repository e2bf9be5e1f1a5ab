package io.mp4j.tests;

import io.mp4j.JvmFlags;

import java.util.List;

/**
 * A JVM for tests: prints, one per line, the command line mp4j would give a child of it, with the
 * arguments as the extra JVM options; so a test can start it with JVM options of its choice.
 */
public final class PrintChildCommandMain
{
    private PrintChildCommandMain()
    {
    }

    /**
     * @param args extra JVM options for the child.
     */
    public static void main(final String[] args)
    {
        for (final String part : JvmFlags.childCommand(List.of(args), "some.Main"))
        {
            System.out.println("arg=" + part);
        }
    }
}

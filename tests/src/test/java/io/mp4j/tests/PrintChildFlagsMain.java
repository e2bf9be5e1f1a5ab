package io.mp4j.tests;

import io.mp4j.Process;

import java.lang.management.ManagementFactory;

/**
 * A parent JVM for tests: starts one child that prints the JVM options it was started with, and waits
 * for it.
 */
public final class PrintChildFlagsMain
{
    private PrintChildFlagsMain()
    {
    }

    static void printFlags()
    {
        System.out.println("child-flags=" + ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /**
     * @param args unused.
     * @throws Exception if the child cannot be started or joined.
     */
    public static void main(final String[] args) throws Exception
    {
        final Process child = Process.of(PrintChildFlagsMain::printFlags);
        child.start();
        child.join();
        System.out.println("child exit " + child.exitCode().orElse(-1));
    }
}

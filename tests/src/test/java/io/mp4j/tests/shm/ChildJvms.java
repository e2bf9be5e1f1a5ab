package io.mp4j.tests.shm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts child JVMs running {@link ShmChild} with this JVM's java, class path and module flags, and
 * kills every one of them by pid on {@link #close()}, pass or fail.
 */
final class ChildJvms implements AutoCloseable
{
    private final List<Child> children = new ArrayList<>();

    Child start(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("--sun-misc") || arg.startsWith("--enable-native") ||
                arg.startsWith("-Dmp4j."))
            {
                command.add(arg);
            }
        }
        command.add("-Xmx64m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ShmChild.class.getName());
        command.addAll(List.of(args));
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
            final Child child = new Child(process);
            synchronized (children)
            {
                children.add(child);
            }
            return child;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
    }

    @Override
    public void close()
    {
        synchronized (children)
        {
            for (final Child child : children)
            {
                child.kill();
            }
            children.clear();
        }
    }

    static final class Child
    {
        final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(final Process process)
        {
            this.process = process;
            final Thread reader = new Thread(() ->
            {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = in.readLine()) != null)
                    {
                        lines.add(line);
                    }
                }
                catch (final IOException ignore)
                {
                    // the child is gone
                }
            }, "child-" + process.pid() + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        long pid()
        {
            return process.pid();
        }

        /** The next line the child prints, waiting at most {@code timeout}. */
        String nextLine(final Duration timeout) throws InterruptedException
        {
            final String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (line == null)
            {
                throw new AssertionError("child " + pid() + " printed nothing within " + timeout +
                    (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")"));
            }
            return line;
        }

        void expect(final String expected, final Duration timeout) throws InterruptedException
        {
            final String line = nextLine(timeout);
            if (!line.equals(expected))
            {
                throw new AssertionError("child " + pid() + " printed '" + line + "', expected '" + expected + "'");
            }
        }

        int awaitExit(final Duration timeout) throws InterruptedException
        {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                throw new AssertionError("child " + pid() + " did not exit within " + timeout);
            }
            return process.exitValue();
        }

        /** SIGKILL, then wait until the kernel has reaped it. */
        void kill()
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @param mapped a memory-mapped mp4j object.
     * @return its region file, as a child's argument.
     */
    public static String pathOf(final Object mapped)
    {
        return ((io.mp4j.shm.SharedObject)mapped).path().toString();
    }
}

package io.mp4j.queue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running a main class of the test sources with this JVM's java, class path and module
 * flags. Its stdout lines are collected for {@link #awaitLine}; stderr goes to a temp file shown on
 * failure. {@link #close()} kills it by pid if it is still alive: no child outlives a test.
 */
final class ChildJvm implements AutoCloseable
{
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Path stderr;

    private ChildJvm(final Process process, final Path stderr)
    {
        this.process = process;
        this.stderr = stderr;
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
            lines.add("<eof>");
        }, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ChildJvm start(final Class<?> main, final String... args)
    {
        return start(main, List.of(), args);
    }

    static ChildJvm start(final Class<?> main, final List<String> extraJvmArgs, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-D") ||
                arg.startsWith("--sun-misc") || arg.startsWith("--enable-native-access"))
            {
                if (!extraJvmArgs.contains("!" + arg))
                {
                    command.add(arg);
                }
            }
        }
        for (final String extra : extraJvmArgs)
        {
            if (!extra.startsWith("!"))
            {
                command.add(extra);
            }
        }
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        try
        {
            final Path err = Files.createTempFile("mp4j-child-", ".err");
            final ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
            return new ChildJvm(builder.start(), err);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + command, ex);
        }
    }

    static String serialize(final Object value)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(value);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * Wait for a stdout line matching the predicate.
     */
    String awaitLine(final Predicate<String> match, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final long left = deadline - System.nanoTime();
            final String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null)
            {
                throw new AssertionError("no matching line from child " + pid() + " within " + timeout +
                    "; saw " + seen + "; stderr: " + stderrText());
            }
            seen.add(line);
            if ("<eof>".equals(line))
            {
                lines.add(line);
                throw new AssertionError("child " + pid() + " exited before a matching line; saw " + seen +
                    "; stderr: " + stderrText());
            }
            if (match.test(line))
            {
                return line;
            }
        }
    }

    String awaitLine(final String prefix, final Duration timeout) throws InterruptedException
    {
        return awaitLine(l -> l.startsWith(prefix), timeout);
    }

    int waitFor(final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            throw new AssertionError("child " + pid() + " still running after " + timeout + "; stderr: " + stderrText());
        }
        return process.exitValue();
    }

    void assertExitsCleanly(final Duration timeout) throws InterruptedException
    {
        final int code = waitFor(timeout);
        if (code != 0)
        {
            throw new AssertionError("child " + pid() + " exited with " + code + "; stdout " + seen + "; stderr: " + stderrText());
        }
    }

    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String stderrText()
    {
        try
        {
            return Files.readString(stderr);
        }
        catch (final IOException ex)
        {
            return "<" + ex + ">";
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
        new File(stderr.toString()).delete();
    }
}

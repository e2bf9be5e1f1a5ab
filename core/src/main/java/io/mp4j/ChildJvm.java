package io.mp4j;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One started child JVM: its {@link java.lang.Process}, the pipe to its standard input (held open for
 * its whole life, see {@link ChildMain}), and the threads that copy its output to this JVM's
 * {@code System.out} and {@code System.err} line by line.
 */
final class ChildJvm
{
    /** Lines of standard error kept for exception messages. */
    static final int STDERR_TAIL_LINES = 40;

    final java.lang.Process process;
    private final DataOutputStream stdin;
    private final Thread outPump;
    private final Thread errPump;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Deque<String> stderrTail = new ArrayDeque<>();

    private ChildJvm(final java.lang.Process process, final String label)
    {
        this.process = process;
        this.stdin = new DataOutputStream(process.getOutputStream());
        this.outPump = pump(process.getInputStream(), () -> System.out, false, label + "-out");
        this.errPump = pump(process.getErrorStream(), () -> System.err, true, label + "-err");
    }

    static ChildJvm start(final List<String> jvmOptions, final boolean spare) throws IOException
    {
        final List<String> command = JvmFlags.childCommand(
            jvmOptions, ChildMain.class.getName(), spare ? new String[]{ ChildMain.SPARE_ARG } : new String[0]);
        final ProcessBuilder builder = new ProcessBuilder(command);
        // the parent's options from these variables are already in its input arguments, which the command
        // carries filtered; a child that re-read them would apply the dropped ones (a debugger's port) again
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        final java.lang.Process process = builder.start();
        return new ChildJvm(process, "mp4j-child-" + process.pid());
    }

    private Thread pump(final InputStream from, final Supplier<PrintStream> to, final boolean keepTail, final String name)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(from, Charset.defaultCharset())))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    if (!keepTail && ready.getCount() > 0 && ChildMain.READY_MARKER.equals(line))
                    {
                        ready.countDown();
                        continue;
                    }
                    if (keepTail)
                    {
                        synchronized (stderrTail)
                        {
                            if (stderrTail.size() == STDERR_TAIL_LINES)
                            {
                                stderrTail.removeFirst();
                            }
                            stderrTail.addLast(line);
                        }
                    }
                    to.get().println(line);
                }
            }
            catch (final IOException ignore)
            {
                // the child is gone; what it wrote before has been copied
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    boolean awaitReady(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return ready.await(timeout, unit);
    }

    boolean isReady()
    {
        return ready.getCount() == 0;
    }

    /**
     * Hand the child its task. The pipe stays open afterwards.
     */
    void send(final byte[] spec) throws IOException
    {
        stdin.writeInt(spec.length);
        stdin.write(spec);
        stdin.flush();
    }

    /**
     * Close the child's standard input: a daemon child or an idle spare exits when it sees end-of-file.
     */
    void releaseStdin()
    {
        try
        {
            stdin.close();
        }
        catch (final IOException ignore)
        {
            // already closed by a dead child
        }
    }

    /**
     * Wait until the output of an exited child has been copied, for at most the given time: a grandchild
     * that inherited the pipes could otherwise keep them open.
     */
    boolean awaitOutput(final long timeoutNanos) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        outPump.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        errPump.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return !outPump.isAlive() && !errPump.isAlive();
    }

    /**
     * @return whether everything the child wrote has been copied: both pipes are at end-of-file.
     */
    boolean isOutputCopied()
    {
        return !outPump.isAlive() && !errPump.isAlive();
    }

    List<String> stderrTail()
    {
        synchronized (stderrTail)
        {
            return new ArrayList<>(stderrTail);
        }
    }
}

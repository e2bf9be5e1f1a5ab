package io.mp4j.examples;

import io.mp4j.JvmFlags;
import io.mp4j.shm.Array;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code mp4j counter}: N independently started JVMs (plain {@code java} processes, not children of one
 * another and not handed any object) attach by name to one shared counter in a named runtime directory
 * and increment it, three ways: under a shared {@link Lock} with a plain read-modify-write, with no lock
 * (updates are lost), and with the atomic {@code incrementAndGet}.
 */
public final class CounterCommand
{
    /** The ways the counter can be incremented. */
    static final List<String> MODES = List.of("locked", "unlocked", "atomic");

    private CounterCommand()
    {
    }

    /**
     * @param args {@code --jvms N}, {@code --increments M} (per JVM), {@code --mode locked|unlocked|atomic|all}.
     * @param out  where results go.
     * @return 0 when every exact mode was exact, 1 otherwise, 2 for bad arguments.
     * @throws Exception if interrupted.
     */
    public static int run(final List<String> args, final PrintStream out) throws Exception
    {
        int jvms = 4;
        long increments = 1_000_000;
        List<String> modes = MODES;
        try
        {
            for (int i = 0; i < args.size(); i++)
            {
                switch (args.get(i))
                {
                    case "--jvms":
                        jvms = Integer.parseInt(valueOf(args, ++i));
                        break;
                    case "--increments":
                        increments = Long.parseLong(valueOf(args, ++i).replace("_", "").replace(",", ""));
                        break;
                    case "--mode":
                        final String mode = valueOf(args, ++i);
                        modes = "all".equals(mode) ? MODES : List.of(mode);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument " + args.get(i));
                }
            }
            if (jvms < 1 || increments < 1 || !MODES.containsAll(modes))
            {
                throw new IllegalArgumentException("--jvms and --increments must be positive; --mode one of " + MODES + " or all");
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("mp4j counter: " + ex.getMessage() +
                "\nusage: mp4j counter [--jvms N] [--increments M] [--mode locked|unlocked|atomic|all]");
            return 2;
        }

        final String dirName = "counter-" + ProcessHandle.current().pid();
        boolean exact = true;
        try (RuntimeDirectory dir = RuntimeDirectory.openNamed(dirName))
        {
            out.printf("%d JVMs x %,d increments, attached by name to %s%n", jvms, increments, dir.path());
            for (final String mode : modes)
            {
                exact &= runMode(dir, dirName, mode, jvms, increments, out) || "unlocked".equals(mode);
            }
        }
        return exact ? 0 : 1;
    }

    private static boolean runMode(
        final RuntimeDirectory dir, final String dirName, final String mode, final int jvms, final long increments, final PrintStream out)
        throws Exception
    {
        final Value counter = Value.create(dir, mode + "-counter", "l", 0L);
        final Lock lock = Lock.create(dir, mode + "-lock");
        final Array progress = Array.create(dir, mode + "-progress", "l", jvms);
        final Event go = Event.create(dir, mode + "-go");
        final Value ready = Value.create(dir, mode + "-ready", "l", 0L);
        // the shutdown hook reads the list while this thread may still be adding to it (Ctrl-C during start-up)
        final List<java.lang.Process> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Thread killer = new Thread(() -> workers.forEach(p -> p.toHandle().destroyForcibly()));
        Runtime.getRuntime().addShutdownHook(killer);
        try
        {
            for (int i = 0; i < jvms; i++)
            {
                final List<String> command = JvmFlags.childCommand(List.of(), CounterWorker.class.getName(),
                    dirName, mode, Long.toString(increments), Integer.toString(i));
                workers.add(new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            final long total = increments * jvms;
            final long bootDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (ready.get() < jvms)
            {
                if (System.nanoTime() - bootDeadline > 0 || workers.stream().anyMatch(p -> !p.isAlive()))
                {
                    throw new IllegalStateException("the counter JVMs did not all attach: " + ready.get() + " of " + jvms);
                }
                workers.get(0).waitFor(10, TimeUnit.MILLISECONDS);
            }
            // the clock starts when every JVM has attached: start-up is not counted
            go.set();
            final long start = System.nanoTime();
            final boolean tty = System.console() != null;
            while (workers.stream().anyMatch(java.lang.Process::isAlive))
            {
                long done = 0;
                for (int i = 0; i < jvms; i++)
                {
                    done += progress.getLong(i);
                }
                if (tty)
                {
                    out.printf("\r  %-9s %,15d / %,d  (%3d%%)", mode, done, total, done * 100 / total);
                    out.flush();
                }
                workers.get(0).waitFor(200, TimeUnit.MILLISECONDS);
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            for (final java.lang.Process worker : workers)
            {
                if (worker.exitValue() != 0)
                {
                    throw new IllegalStateException("a counter JVM (pid " + worker.pid() + ") exited with " + worker.exitValue());
                }
            }
            final long value = counter.getLong();
            final String verdict = value == total ? "exact" : String.format(Locale.ROOT, "%,d updates lost", total - value);
            out.printf("%s  %-9s %,15d / %,d  %-24s %.2f s, %.1f M increments/s%n", tty ? "\r" : "", mode, value, total,
                verdict, seconds, total / seconds / 1e6);
            return value == total;
        }
        finally
        {
            for (final java.lang.Process worker : workers)
            {
                worker.toHandle().destroyForcibly();
                worker.waitFor(30, TimeUnit.SECONDS);
            }
            Runtime.getRuntime().removeShutdownHook(killer);
            counter.close();
            lock.close();
            progress.close();
            go.close();
            ready.close();
        }
    }

    /**
     * One counting JVM: attaches to the named directory's regions by name, waits for the start signal, and
     * increments.
     */
    public static final class CounterWorker
    {
        private static final int PROGRESS_EVERY = 4096;

        private CounterWorker()
        {
        }

        /**
         * @param args directory name, mode, increments, worker index.
         * @throws Exception if attaching fails.
         */
        public static void main(final String[] args) throws Exception
        {
            final String mode = args[1];
            final long increments = Long.parseLong(args[2]);
            final int index = Integer.parseInt(args[3]);
            try (RuntimeDirectory dir = RuntimeDirectory.openNamed(args[0]))
            {
                if (dir.isOwner())
                {
                    throw new IllegalStateException("the counter directory " + dir.path() + " was gone");
                }
                final Value counter = Value.attach(dir, mode + "-counter");
                final Lock lock = Lock.attach(dir, mode + "-lock");
                final Array progress = Array.attach(dir, mode + "-progress");
                final Event go = Event.attach(dir, mode + "-go");
                Value.attach(dir, mode + "-ready").incrementAndGet();
                if (!go.await(Duration.ofSeconds(60)))
                {
                    throw new IllegalStateException("no start signal within 60 s");
                }
                for (long i = 1; i <= increments; i++)
                {
                    switch (mode)
                    {
                        case "locked":
                            try (SharedLock.Held held = lock.locked())
                            {
                                counter.setLong(counter.getLong() + 1);
                            }
                            break;
                        case "unlocked":
                            counter.setLong(counter.getLong() + 1);
                            break;
                        default:
                            counter.incrementAndGet();
                    }
                    if (i % PROGRESS_EVERY == 0 || i == increments)
                    {
                        progress.setLong(index, i);
                    }
                }
            }
        }
    }

    /** The value of the option before {@code index}, or an exception naming the option that lacks one. */
    private static String valueOf(final List<String> args, final int index)
    {
        if (index >= args.size())
        {
            throw new IllegalArgumentException(args.get(index - 1) + " needs a value");
        }
        return args.get(index);
    }
}

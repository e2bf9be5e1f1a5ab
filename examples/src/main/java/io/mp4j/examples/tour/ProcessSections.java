package io.mp4j.examples.tour;

import io.mp4j.Process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The seed's "Creating Processes", "Daemon Processes" and "Handling Process Termination".
 */
public final class ProcessSections
{
    private ProcessSections()
    {
    }

    /**
     * The seed's {@code worker(name)}.
     *
     * @param name the worker number.
     */
    static void worker(final int name)
    {
        System.out.println("Worker " + name + ", PID: " + Process.currentProcess().pid());
    }

    /**
     * The seed's {@code background_task()}: runs until its process ends.
     *
     * @throws InterruptedException never, in practice: the process is terminated.
     */
    static void backgroundTask() throws InterruptedException
    {
        while (true)
        {
            System.out.println("Background process running...");
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /**
     * The seed's daemon example's main, run as a child JVM of its own so that its exit can be watched.
     *
     * @throws InterruptedException if interrupted.
     */
    static void daemonMain() throws InterruptedException
    {
        final Process p = Process.of(ProcessSections::backgroundTask).daemon(true);
        p.start();
        System.out.println("daemon-pid " + p.pid());
        TimeUnit.SECONDS.sleep(3);
        System.out.println("Main process exiting, daemon will be terminated");
    }

    /**
     * The seed's {@code long_running_task()}: a shutdown hook plays the part of Python's
     * {@code except KeyboardInterrupt}.
     *
     * @throws InterruptedException never, in practice: the process is terminated.
     */
    static void longRunningTask() throws InterruptedException
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("Graceful shutdown")));
        while (true)
        {
            System.out.println("Working...");
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** Creating Processes. */
    public static final class Creating implements Section
    {
        @Override
        public String id()
        {
            return "creating";
        }

        @Override
        public String title()
        {
            return "Creating Processes";
        }

        @Override
        public String lesson()
        {
            return "four child JVMs ran the worker, each with its own PID, and the parent joined them.";
        }

        @Override
        public void run() throws Exception
        {
            final List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                final Process p = Process.of(ProcessSections::worker, i);
                processes.add(p);
                p.start();
            }
            for (final Process p : processes)
            {
                p.join();
            }
            System.out.println("Main process PID: " + Process.currentProcess().pid());
        }
    }

    /** Daemon Processes. */
    public static final class Daemon implements Section
    {
        @Override
        public String id()
        {
            return "daemon";
        }

        @Override
        public String title()
        {
            return "Daemon Processes";
        }

        @Override
        public String lesson()
        {
            return "a daemon child is terminated when its parent JVM exits (and exits by itself if the parent is killed).";
        }

        @Override
        public void run() throws Exception
        {
            // The seed's main runs as a child JVM of its own, so this tour can watch what happens when it exits.
            final Process main = Process.of(ProcessSections::daemonMain).name("DaemonExample");
            try (OutputWatch watch = new OutputWatch("daemon-pid "))
            {
                main.start();
                main.join();
                final long daemonPid = Long.parseLong(watch.value().trim());
                final boolean gone = ProcessHandle.of(daemonPid)
                    .map(h -> h.onExit().completeOnTimeout(h, 10, TimeUnit.SECONDS).join())
                    .map(h -> !h.isAlive()).orElse(true);
                System.out.println("(daemon PID " + daemonPid + " still running after its parent exited: " + !gone + ")");
            }
        }
    }

    /** Handling Process Termination. */
    public static final class Termination implements Section
    {
        @Override
        public String id()
        {
            return "termination";
        }

        @Override
        public String title()
        {
            return "Handling Process Termination";
        }

        @Override
        public String lesson()
        {
            return "terminate() sent SIGTERM, the child's shutdown hook ran, and the exit code is -15 as in Python.";
        }

        @Override
        public void run() throws Exception
        {
            final Process p = Process.of(ProcessSections::longRunningTask);
            p.start();

            TimeUnit.SECONDS.sleep(3);

            // Graceful termination (SIGTERM)
            p.terminate();
            p.join(Duration.ofSeconds(2));

            // Force kill if still alive
            if (p.isAlive())
            {
                p.kill();
                p.join();
            }
            System.out.println("Exit code: " + p.exitCode().getAsInt());
        }
    }
}

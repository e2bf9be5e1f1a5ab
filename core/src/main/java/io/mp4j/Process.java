package io.mp4j;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task run in a new JVM: the Java twin of Python's {@code multiprocessing.Process}.
 *
 * <pre>{@code
 * public class Demo
 * {
 *     static void worker(int name)
 *     {
 *         System.out.println("Worker " + name + ", PID: " + Process.currentProcess().pid());
 *     }
 *
 *     public static void main(String[] args) throws InterruptedException
 *     {
 *         List<Process> processes = new ArrayList<>();
 *         for (int i = 0; i < 4; i++)
 *         {
 *             Process p = Process.of(Demo::worker, i);
 *             processes.add(p);
 *             p.start();
 *         }
 *         for (Process p : processes)
 *         {
 *             p.join();
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The target is a serializable lambda or method reference ({@link SerializableRunnable},
 * {@link SerializableConsumer} and their kin); it and its arguments are serialized in this JVM at
 * {@link #start()}, so an object that cannot be sent fails there, naming its class, and never inside the
 * child. mp4j's shared objects (values, locks, queues) travel as small handles and are re-attached in
 * the child. The child JVM is started with this JVM's {@code java}, class path and JVM options (see
 * {@link JvmFlags}) and the {@link StartMethod} of its {@link Context}.
 *
 * <p>The child's standard output and error are copied to this JVM's {@code System.out} and
 * {@code System.err} line by line; {@link #join()} returns only once everything the child wrote has been
 * copied. Exit codes follow Python: 0 after a normal return, 1 when the target threw (the stack trace is
 * on standard error after a {@code Process <name>:} line), {@code -N} when the child was killed by signal
 * N. (Java reports a death by signal N as status 128+N, so a child that itself calls
 * {@code System.exit(130)} reads as -2.)
 *
 * <p>A daemon child never outlives its parent: it is terminated when the parent exits normally, and it
 * exits by itself when the parent dies in any other way, SIGKILL included (it sees end-of-file on a pipe
 * only the parent held). Non-daemon children are joined when the parent exits normally, as in Python, and
 * also when it is stopped by SIGTERM or SIGINT, which run the same shutdown hooks. They are joined before
 * the {@linkplain io.mp4j.shm.RuntimeDirectory#global() global runtime directory} is deleted, so a child
 * may use the shared objects it was given after the parent's {@code main} has returned.
 *
 * <p>A {@code Process} is used from one thread at a time, except {@link #isAlive()}, {@link #exitCode()},
 * {@link #terminate()} and {@link #kill()}, which any thread may call.
 */
public final class Process
{
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();
    private static final long OUTPUT_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    /**
     * Joins the children at exit, once, whichever hook gets there first; the other waits for it. The global
     * runtime directory's cleanup runs it before deleting the directory, whose regions a non-daemon child
     * may still attach to; the hook of our own covers a JVM that never made a global directory.
     */
    private static final java.util.concurrent.FutureTask<Void> AT_EXIT = new java.util.concurrent.FutureTask<>(Process::atExit, null);

    static
    {
        io.mp4j.shm.RuntimeDirectory.beforeGlobalCleanup(Process::joinChildrenAtExit);
        Runtime.getRuntime().addShutdownHook(new Thread(Process::joinChildrenAtExit, "mp4j-join-children"));
    }

    private final Object target;
    private final Object[] args;
    private final String identity;
    private String name;
    private boolean daemon;
    private Context context;
    private volatile ChildJvm jvm;
    private boolean joined;
    private boolean closed;

    private Process(final Object target, final Object... args)
    {
        this.target = Objects.requireNonNull(target, "target");
        this.args = args;
        final int number = COUNTER.incrementAndGet();
        this.identity = CurrentProcess.identity() + number;
        this.name = "Process-" + identity;
    }

    /**
     * @param target what the child runs.
     * @return a process, not yet started.
     */
    public static Process of(final SerializableRunnable target)
    {
        return new Process(target);
    }

    /**
     * @param target what the child runs.
     * @param a      its argument.
     * @param <A>    the argument type.
     * @return a process, not yet started.
     */
    public static <A> Process of(final SerializableConsumer<A> target, final A a)
    {
        return new Process(target, a);
    }

    /**
     * @param target what the child runs.
     * @param a      its first argument.
     * @param b      its second argument.
     * @param <A>    the first argument type.
     * @param <B>    the second argument type.
     * @return a process, not yet started.
     */
    public static <A, B> Process of(final SerializableBiConsumer<A, B> target, final A a, final B b)
    {
        return new Process(target, a, b);
    }

    /**
     * @param target what the child runs.
     * @param a      its first argument.
     * @param b      its second argument.
     * @param c      its third argument.
     * @param <A>    the first argument type.
     * @param <B>    the second argument type.
     * @param <C>    the third argument type.
     * @return a process, not yet started.
     */
    public static <A, B, C> Process of(final SerializableTriConsumer<A, B, C> target, final A a, final B b, final C c)
    {
        return new Process(target, a, b, c);
    }

    /**
     * Set the name (before or after start, as in Python; the child sees the name it had at start).
     *
     * @param name the new name.
     * @return this process.
     */
    public Process name(final String name)
    {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * Make the child a daemon, or not. Only before {@link #start()}.
     *
     * @param daemon whether the child must not outlive this JVM.
     * @return this process.
     * @throws IllegalStateException if already started.
     */
    public Process daemon(final boolean daemon)
    {
        requireNotStarted("set daemon on");
        this.daemon = daemon;
        return this;
    }

    /**
     * Start the child through this context instead of {@link Context#global()}. Only before {@link #start()}.
     *
     * @param context where the child's JVM comes from.
     * @return this process.
     * @throws IllegalStateException if already started.
     */
    public Process context(final Context context)
    {
        requireNotStarted("set the context of");
        this.context = Objects.requireNonNull(context, "context");
        return this;
    }

    /**
     * Start the child JVM and hand it the target. Returns once the task is on its way; the child may still
     * be starting.
     *
     * @throws IllegalStateException    if already started, or closed.
     * @throws IllegalArgumentException if the target or an argument is not serializable (naming its class).
     * @throws java.io.UncheckedIOException if no JVM could be started (the message says why).
     */
    public synchronized void start()
    {
        requireOpen();
        if (jvm != null)
        {
            throw new IllegalStateException(name + ": processes can only be started once");
        }
        final ProcessInfo self = CurrentProcess.self();
        final byte[] spec = new ChildSpec(name, identity + ":", daemon, self.pid(), self.startTime(), self.name(), target, args).toBytes();
        final ChildJvm started = (context != null ? context : Context.global()).launch();
        try
        {
            started.send(spec);
        }
        catch (final IOException ex)
        {
            // the child died before reading its task (a bad JVM option, say); its exit code and stderr tell why
        }
        jvm = started;
        pruneFinishedChildren();
        CHILDREN.add(this);
    }

    /**
     * Forget the children that have exited and whose output has been copied, as Python's {@code start()}
     * does: a program that starts many processes without joining them would otherwise keep every one, and
     * the pipe to its standard input, until it exits. A child whose output is still being copied stays, so
     * that the exit-time join waits for that output.
     */
    private static void pruneFinishedChildren()
    {
        for (final Process child : CHILDREN)
        {
            final ChildJvm finished = child.jvm;
            if (!finished.isAlive() && finished.isOutputCopied() && CHILDREN.remove(child))
            {
                finished.releaseStdin();
            }
        }
    }

    /**
     * Wait until the child has exited and its output has been copied.
     *
     * @throws InterruptedException  if interrupted while waiting.
     * @throws IllegalStateException if not started.
     */
    public void join() throws InterruptedException
    {
        final ChildJvm started = requireStarted("join");
        started.process.waitFor();
        started.awaitOutput(OUTPUT_DRAIN_NANOS);
        reaped();
    }

    /**
     * Wait at most {@code timeout} for the child to exit. Like Python's {@code join(timeout)}, returning
     * does not mean the child has exited: check {@link #isAlive()} or {@link #exitCode()}.
     *
     * @param timeout how long to wait at most.
     * @return whether the child has exited.
     * @throws InterruptedException  if interrupted while waiting.
     * @throws IllegalStateException if not started.
     */
    public boolean join(final Duration timeout) throws InterruptedException
    {
        final ChildJvm started = requireStarted("join");
        final long timeoutNanos = io.mp4j.shm.IdleStrategies.toNanos(timeout);
        final long deadline = System.nanoTime() + timeoutNanos;
        if (!started.process.waitFor(timeoutNanos, TimeUnit.NANOSECONDS))
        {
            return false;
        }
        started.awaitOutput(Math.max(TimeUnit.MILLISECONDS.toNanos(100), deadline - System.nanoTime()));
        reaped();
        return true;
    }

    private void reaped()
    {
        joined = true;
        CHILDREN.remove(this);
        jvm.releaseStdin();
    }

    /**
     * Close the child's standard input now: a daemon child sees end-of-file and exits at once (status 143,
     * shutdown hooks run), without the JVM's wait of about 300 ms for a thread blocked in a native read
     * that a normal exit or SIGTERM pays. Used by {@link Pool} to stop its workers.
     */
    void releaseStdin()
    {
        final ChildJvm started = jvm;
        if (started != null)
        {
            started.releaseStdin();
        }
    }

    /**
     * @return whether the child has been started and has not exited yet.
     */
    public boolean isAlive()
    {
        final ChildJvm started = jvm;
        return started != null && started.isAlive();
    }

    /**
     * @return the child's process id.
     * @throws IllegalStateException if not started.
     */
    public long pid()
    {
        return requireStarted("get the pid of").pid();
    }

    /**
     * @return the name, {@code Process-N} unless set.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return whether the child is a daemon.
     */
    public boolean daemon()
    {
        return daemon;
    }

    /**
     * The exit code, as Python reports it: empty while the child runs (or before start), 0 after a normal
     * exit, 1 after an uncaught exception, {@code -N} after death by signal N.
     *
     * @return the exit code, if the child has exited.
     */
    public OptionalInt exitCode()
    {
        final ChildJvm started = jvm;
        if (started == null || started.isAlive())
        {
            return OptionalInt.empty();
        }
        return OptionalInt.of(pythonExitCode(started.process.exitValue()));
    }

    static int pythonExitCode(final int javaStatus)
    {
        return javaStatus > 128 && javaStatus <= 128 + 64 ? -(javaStatus - 128) : javaStatus;
    }

    /**
     * The last lines the child wrote to standard error (they were also copied to this JVM's
     * {@code System.err}): why a child that could not start, or that failed, did so.
     *
     * @return up to 40 lines, oldest first.
     */
    public List<String> stderrTail()
    {
        final ChildJvm started = jvm;
        return started == null ? List.of() : started.stderrTail();
    }

    /**
     * Ask the child to stop: SIGTERM, so its shutdown hooks run. Does nothing if it has exited.
     *
     * @throws IllegalStateException if not started.
     */
    public void terminate()
    {
        // through the handle: java.lang.Process.destroy() would also close the pipes and lose the output
        // the child writes while it shuts down
        requireStarted("terminate").process.toHandle().destroy();
    }

    /**
     * Stop the child at once: SIGKILL. Does nothing if it has exited.
     *
     * @throws IllegalStateException if not started.
     */
    public void kill()
    {
        requireStarted("kill").process.toHandle().destroyForcibly();
    }

    /**
     * Release what this object holds. Python's {@code close()}: the process must have exited.
     *
     * @throws IllegalStateException if the child is still running.
     */
    public synchronized void close()
    {
        if (isAlive())
        {
            throw new IllegalStateException(name + ": cannot close a process that is still running; join or terminate it first");
        }
        if (jvm != null)
        {
            reaped();
        }
        closed = true;
    }

    private ChildJvm requireStarted(final String action)
    {
        requireOpen();
        final ChildJvm started = jvm;
        if (started == null)
        {
            throw new IllegalStateException("cannot " + action + " " + name + ": it has not been started");
        }
        return started;
    }

    private void requireNotStarted(final String action)
    {
        if (jvm != null)
        {
            throw new IllegalStateException("cannot " + action + " " + name + ": it has already been started");
        }
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /**
     * @return this JVM as a process: {@code MainProcess}, or the name its parent gave it.
     */
    public static ProcessInfo currentProcess()
    {
        return CurrentProcess.self();
    }

    /**
     * @return the parent of this JVM if mp4j started it, else null (as Python's {@code parent_process()}).
     */
    public static ProcessInfo parentProcess()
    {
        return CurrentProcess.parent();
    }

    /**
     * The children of this JVM that are still running. Like Python's {@code active_children()}, it
     * forgets children that have exited.
     *
     * @return the live children, in no particular order.
     */
    public static List<Process> activeChildren()
    {
        final List<Process> alive = new ArrayList<>();
        for (final Process child : CHILDREN)
        {
            if (child.isAlive())
            {
                alive.add(child);
            }
            else
            {
                CHILDREN.remove(child);
            }
        }
        return alive;
    }

    /**
     * @return the number of processors this JVM may use ({@link Runtime#availableProcessors()}).
     */
    public static int cpuCount()
    {
        return Runtime.getRuntime().availableProcessors();
    }

    private static void joinChildrenAtExit()
    {
        AT_EXIT.run();
        try
        {
            AT_EXIT.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            ex.getCause().printStackTrace();
        }
    }

    private static void atExit()
    {
        for (final Process child : CHILDREN)
        {
            if (child.daemon && child.isAlive())
            {
                child.jvm.process.toHandle().destroy();
            }
        }
        for (final Process child : CHILDREN)
        {
            try
            {
                if (child.daemon)
                {
                    if (!child.jvm.process.waitFor(5, TimeUnit.SECONDS))
                    {
                        child.jvm.process.destroyForcibly();
                    }
                }
                else
                {
                    child.jvm.process.waitFor();
                    child.jvm.awaitOutput(OUTPUT_DRAIN_NANOS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString()
    {
        final ChildJvm started = jvm;
        final String state = started == null ? "initial" : started.isAlive() ? "started" : "stopped exitcode=" + exitCode().getAsInt();
        return "<Process name='" + name + "' " + (started != null ? "pid=" + started.pid() + " " : "") +
            (daemon ? "daemon " : "") + state + '>';
    }
}

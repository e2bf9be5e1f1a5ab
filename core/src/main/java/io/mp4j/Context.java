package io.mp4j;

import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Condition;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Value;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Where mp4j objects live and how child JVMs are started: a private runtime directory (see
 * {@link RuntimeDirectory}: 0700 under {@code /dev/shm}, removed on {@link #close()}, stale ones swept
 * at start), a {@link StartMethod}, and the extra JVM options of children.
 *
 * <p>Most programs use {@link #global()}, which {@link Process#of} and the shared objects use when no
 * context is given; its directory is removed when the JVM exits. Create your own to choose the start
 * method or child JVM options, or to scope the files to a block:
 * <pre>{@code
 * try (Context ctx = Context.create(StartMethod.SPARE, List.of("-Xmx256m")))
 * {
 *     Process p = Process.of(Demo::worker, 1).context(ctx);
 *     p.start();
 *     p.join();
 * }
 * }</pre>
 *
 * <p>The default start method is read from the system property {@value #START_METHOD_PROPERTY}
 * ({@code spawn} or {@code spare}), else {@link StartMethod#SPAWN}. Thread-safe.
 */
public final class Context implements AutoCloseable
{
    /** How long after handing out a spare JVM the next one is started at the latest. */
    static final long REFILL_DELAY_MILLIS = 250;

    /** System property: how many ready spare JVMs a {@link StartMethod#SPARE} context keeps. */
    public static final String SPARES_PROPERTY = "mp4j.spares";

    /** System property that selects the global context's start method. */
    public static final String START_METHOD_PROPERTY = "mp4j.startMethod";

    private static final Object GLOBAL_LOCK = new Object();
    private static Context global;

    private RuntimeDirectory directory;
    private final StartMethod startMethod;
    private final List<String> jvmOptions;
    private final boolean ownsDirectory;
    private final int spareCount;
    private ExecutorService spareStarter;
    private final ArrayDeque<ChildJvm> spares = new ArrayDeque<>();
    private boolean closed;
    private Backend backend;

    private Context(
        final RuntimeDirectory directory, final boolean ownsDirectory, final StartMethod startMethod, final List<String> jvmOptions)
    {
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
        this.startMethod = startMethod;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.spareCount = startMethod == StartMethod.SPARE ? defaultSpareCount() : 0;
    }

    /**
     * @return the context of this JVM that mp4j uses when none is given; never closed before exit.
     */
    public static Context global()
    {
        synchronized (GLOBAL_LOCK)
        {
            if (global == null)
            {
                // the directory is made on first use: a program that only starts processes leaves no files
                global = new Context(null, false, defaultStartMethod(), List.of());
            }
            return global;
        }
    }

    private static Context globalIfMade()
    {
        synchronized (GLOBAL_LOCK)
        {
            return global;
        }
    }

    /**
     * @return a context with its own runtime directory and the default start method.
     */
    public static Context create()
    {
        return create(defaultStartMethod(), List.of());
    }

    /**
     * @param startMethod how children get their JVM.
     * @param jvmOptions  options added to every child JVM's command line, e.g. {@code -Xmx256m}.
     * @return a context with its own runtime directory.
     */
    public static Context create(final StartMethod startMethod, final List<String> jvmOptions)
    {
        java.util.Objects.requireNonNull(startMethod, "startMethod");
        java.util.Objects.requireNonNull(jvmOptions, "jvmOptions");
        return new Context(RuntimeDirectory.create(), true, startMethod, jvmOptions);
    }

    /**
     * A context whose shared objects live in the given backend, for example a cluster:
     * {@code Context.create(ClusterBackend.join(config))}. Child processes and pools of this context still
     * run on this host; the context closes the backend when it is closed.
     *
     * @param backend where the objects of {@link #lock(String)}, {@link #value}, {@link #queue(String)}...
     *                live.
     * @return a context with its own runtime directory and the default start method.
     */
    public static Context create(final Backend backend)
    {
        java.util.Objects.requireNonNull(backend, "backend");
        final Context context = create();
        context.backend = backend;
        return context;
    }

    /**
     * @return where this context's named shared objects live: the backend given to {@link #create(Backend)},
     *         else the memory-mapped one over {@link #directory()}.
     */
    public synchronized Backend backend()
    {
        if (backend == null)
        {
            backend = new MappedBackend(this);
        }
        return backend;
    }

    /**
     * Get or create a shared value by name (see {@link Backend} for the get-or-create contract).
     *
     * @param name    its name.
     * @param type    its element type.
     * @param initial the initial value, used by the creator.
     * @return the value.
     */
    public Value value(final String name, final ElementType type, final Object initial)
    {
        return backend().value(name, type, initial);
    }

    /**
     * @param name   its name.
     * @param type   its element type.
     * @param length its length, used by the creator.
     * @return the shared array of that name.
     */
    public Array array(final String name, final ElementType type, final int length)
    {
        return backend().array(name, type, length);
    }

    /**
     * @param name its name.
     * @return the shared lock of that name.
     */
    public Lock lock(final String name)
    {
        return backend().lock(name);
    }

    /**
     * @param name its name.
     * @return the shared reentrant lock of that name.
     */
    public RLock rlock(final String name)
    {
        return backend().rlock(name);
    }

    /**
     * @param name    its name.
     * @param permits initial permits, used by the creator.
     * @return the shared semaphore of that name.
     */
    public Semaphore semaphore(final String name, final int permits)
    {
        return backend().semaphore(name, permits);
    }

    /**
     * @param name    its name.
     * @param permits initial permits and bound, used by the creator.
     * @return the shared bounded semaphore of that name.
     */
    public BoundedSemaphore boundedSemaphore(final String name, final int permits)
    {
        return backend().boundedSemaphore(name, permits);
    }

    /**
     * @param name its name.
     * @return the shared event of that name.
     */
    public Event event(final String name)
    {
        return backend().event(name);
    }

    /**
     * @param name its name.
     * @return the shared condition of that name.
     */
    public Condition condition(final String name)
    {
        return backend().condition(name);
    }

    /**
     * @param name    its name.
     * @param parties how many parties meet, used by the creator.
     * @return the shared barrier of that name.
     */
    public Barrier barrier(final String name, final int parties)
    {
        return backend().barrier(name, parties);
    }

    /**
     * @param name its name.
     * @param <T>  the element type.
     * @return the shared queue of that name.
     */
    public <T> Queue<T> queue(final String name)
    {
        return backend().queue(name);
    }

    /**
     * @param name its name.
     * @param <T>  the element type.
     * @return the shared joinable queue of that name.
     */
    public <T> JoinableQueue<T> joinableQueue(final String name)
    {
        return backend().joinableQueue(name);
    }

    /**
     * @param processes how many workers.
     * @return a new pool on this context's backend.
     */
    public Pool pool(final int processes)
    {
        return backend().pool(processes);
    }

    /**
     * @param workers how many workers.
     * @return a new executor on this context's backend.
     */
    public ProcessPoolExecutor executor(final int workers)
    {
        return backend().executor(workers);
    }

    /**
     * @param name its name.
     * @param <K>  the key type.
     * @param <V>  the value type.
     * @return the shared map of that name (Python's {@code manager.dict()}).
     */
    public <K, V> Map<K, V> dict(final String name)
    {
        return backend().dict(name);
    }

    /**
     * @param name its name.
     * @param <E>  the element type.
     * @return the shared list of that name (Python's {@code manager.list()}).
     */
    public <E> List<E> list(final String name)
    {
        return backend().list(name);
    }

    private static StartMethod defaultStartMethod()
    {
        final String configured = System.getProperty(START_METHOD_PROPERTY);
        if (configured == null || configured.isBlank())
        {
            return StartMethod.SPAWN;
        }
        try
        {
            return StartMethod.valueOf(configured.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(
                START_METHOD_PROPERTY + "=" + configured + " is not a start method; use spawn or spare", ex);
        }
    }

    /**
     * @return the runtime directory that holds this context's mapped files.
     */
    public synchronized RuntimeDirectory directory()
    {
        if (directory == null)
        {
            directory = RuntimeDirectory.global();
        }
        return directory;
    }

    /**
     * @return how children of this context get their JVM.
     */
    public StartMethod startMethod()
    {
        return startMethod;
    }

    /**
     * @return the options added to every child JVM's command line.
     */
    public List<String> jvmOptions()
    {
        return jvmOptions;
    }

    /**
     * A JVM for a new child, by this context's start method: a ready spare if one is waiting, else a new JVM.
     */
    ChildJvm launch()
    {
        final ChildJvm taken;
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("context is closed");
            }
            if (startMethod == StartMethod.SPAWN)
            {
                return startJvm(false);
            }
            ChildJvm live = null;
            while (live == null && !spares.isEmpty())
            {
                final ChildJvm s = spares.pollFirst();
                if (s.isAlive())
                {
                    live = s;
                }
            }
            taken = live;
            final ExecutorService starter = starter();
            if (taken == null)
            {
                starter.execute(this::refillSpares);
            }
            else
            {
                // A JVM starting takes both cores of a small machine for a while: refill once the one just
                // taken has exited, or after REFILL_DELAY_MILLIS, so the new spares do not compete with the
                // work just handed out.
                taken.process.onExit()
                    .applyToEither(CompletableFuture.supplyAsync(() -> null,
                        CompletableFuture.delayedExecutor(REFILL_DELAY_MILLIS, TimeUnit.MILLISECONDS)), ignored -> null)
                    .thenRun(() ->
                    {
                        try
                        {
                            starter.execute(this::refillSpares);
                        }
                        catch (final java.util.concurrent.RejectedExecutionException closed)
                        {
                            // the context was closed meanwhile
                        }
                    });
            }
        }
        return taken != null ? taken : startJvm(false);
    }

    private ExecutorService starter()
    {
        if (spareStarter == null)
        {
            spareStarter = Executors.newSingleThreadExecutor(r ->
            {
                final Thread t = new Thread(r, "mp4j-spare-starter");
                t.setDaemon(true);
                return t;
            });
        }
        return spareStarter;
    }

    /**
     * Start spares until {@link #spareCount()} are waiting, one after the other: each is ready (its warm-up
     * done) before the next starts, so they never take all the cores at once.
     */
    private void refillSpares()
    {
        while (true)
        {
            synchronized (this)
            {
                if (closed || spares.size() >= spareCount)
                {
                    return;
                }
            }
            final ChildJvm started;
            try
            {
                started = ChildJvm.start(jvmOptions, true);
            }
            catch (final IOException ex)
            {
                return;
            }
            try
            {
                while (!started.awaitReady(20, TimeUnit.MILLISECONDS))
                {
                    if (!started.isAlive())
                    {
                        // it could not start (bad JVM options?): a process that asks will see why
                        return;
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                // closing
                stop(started);
                return;
            }
            synchronized (this)
            {
                if (closed)
                {
                    stop(started);
                    return;
                }
                spares.addLast(started);
                notifyAll();
            }
        }
    }

    /**
     * @return how many ready spare JVMs a {@link StartMethod#SPARE} context keeps: the system property
     * {@value #SPARES_PROPERTY}, else {@link Process#cpuCount()} (so that a default {@link Pool} takes all its
     * workers from spares). Each costs an idle JVM's memory (measured on Java 17: 47 MB resident, 25 MB of it private).
     */
    public int spareCount()
    {
        return spareCount;
    }

    private static int defaultSpareCount()
    {
        final String configured = System.getProperty(SPARES_PROPERTY);
        if (configured == null || configured.isBlank())
        {
            return Math.max(1, Process.cpuCount());
        }
        try
        {
            final int n = Integer.parseInt(configured.trim());
            if (n >= 1)
            {
                return n;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalArgumentException(SPARES_PROPERTY + "=" + configured + " is not a number of spare JVMs (1 or more)");
    }

    /**
     * Start the spare JVMs now if this context uses {@link StartMethod#SPARE} and they are not all there, and
     * wait until {@link #spareCount()} of them are ready for a task. Benchmarks and latency-sensitive
     * programs call this before timing starts.
     *
     * @param timeout how long to wait.
     * @param unit    unit of timeout.
     * @return whether all the spares are ready (false at once for {@link StartMethod#SPAWN}).
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitSpare(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (startMethod != StartMethod.SPARE)
        {
            return false;
        }
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this)
        {
            if (closed)
            {
                return false;
            }
            spares.removeIf(s -> !s.isAlive());
            if (spares.size() < spareCount)
            {
                starter().execute(this::refillSpares);
            }
            while (spares.size() < spareCount)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0 || closed)
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
                spares.removeIf(s -> !s.isAlive());
            }
            return true;
        }
    }

    private static void stop(final ChildJvm idle)
    {
        idle.releaseStdin();
        idle.process.destroyForcibly();
        try
        {
            idle.process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private ChildJvm startJvm(final boolean asSpare)
    {
        try
        {
            return ChildJvm.start(jvmOptions, asSpare);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start a child JVM (" + JvmFlags.javaExecutable() + "): " + ex.getMessage(), ex);
        }
    }

    /**
     * Stop the spare JVMs, if any, and remove this context's runtime directory with every file in it (for a
     * context from {@link #create()}). The global context is not closed by this method, which does nothing
     * for it (so {@code try (Context ctx = Context.global())} does not break every later {@link Process} of
     * the JVM): its directory is removed and its spares stop when the JVM exits. Children already started
     * are not affected. Idempotent: the spares are stopped and the directory removed also when the backend's
     * {@code close()} throws (the exception then propagates, once; a second call does nothing).
     */
    @Override
    public void close()
    {
        if (this == globalIfMade())
        {
            return;
        }
        final List<ChildJvm> idle;
        final ExecutorService starter;
        final Backend objects;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            idle = new ArrayList<>(spares);
            spares.clear();
            starter = spareStarter;
            notifyAll();
            objects = backend;
        }
        try
        {
            if (objects != null)
            {
                objects.close();
            }
        }
        finally
        {
            // a backend that fails to close must not leave spare JVMs running or the directory behind:
            // close() is not retried, it returns at once the second time
            stopSparesAndRemoveDirectory(starter, idle);
        }
    }

    private void stopSparesAndRemoveDirectory(final ExecutorService starter, final List<ChildJvm> idle)
    {
        try
        {
            if (starter != null)
            {
                // interrupts a spare being started: refillSpares stops it
                starter.shutdownNow();
                try
                {
                    starter.awaitTermination(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            for (final ChildJvm s : idle)
            {
                s.releaseStdin();
                s.process.destroyForcibly();
            }
            for (final ChildJvm s : idle)
            {
                stop(s);
            }
        }
        finally
        {
            if (ownsDirectory)
            {
                directory.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return "Context{" + (directory == null ? "global" : directory.path()) + ", " + startMethod + '}';
    }
}

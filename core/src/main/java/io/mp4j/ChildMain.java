package io.mp4j;

import io.mp4j.shm.ProcessIds;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The main class of every child JVM mp4j starts. Not for direct use.
 *
 * <p>The parent writes a length-prefixed serialized {@code ChildSpec} to the child's standard input
 * and keeps that pipe open for the child's whole life. The child runs the target, then returns (exit
 * code 0 once its non-daemon threads end, as a Python child joins its threads), or prints the
 * exception after a {@code Process <name>:} line on standard error and exits with 1.
 *
 * <p>Once the task is read, {@code System.in} reads end-of-file at once (Python gives its children
 * {@code os.devnull}): the pipe is left to a watcher thread. Only the parent holds the other end of that
 * pipe, so end-of-file on it means the parent has died or let the child go, however it died, SIGKILL included. A daemon child then exits at once; a
 * spare JVM that was never given a task exits too; a non-daemon child carries on, as in Python.
 */
public final class ChildMain
{
    /** Printed on standard output by a spare JVM once it is ready for a task; the parent swallows it. */
    static final String READY_MARKER = "\u0000mp4j-spare-ready";
    /** First argument of a spare JVM. */
    static final String SPARE_ARG = "--spare";
    /** Exit status of a daemon child whose parent went away: what a SIGTERM gives (128 + 15). */
    static final int ORPHANED_DAEMON_STATUS = 143;

    /** Classes a pool worker needs before its first task, loaded ahead by a spare JVM's warm-up. */
    private static final String[] POOL_WORKER_CLASSES = {
        "io.mp4j.PoolWorker", "io.mp4j.PoolWorker$Target", "io.mp4j.WorkerSpec", "io.mp4j.WorkerChannel",
        "io.mp4j.TaskCodec", "io.mp4j.shm.MappedRegion", "org.agrona.concurrent.ringbuffer.OneToOneRingBuffer",
        "io.mp4j.shm.TimedBackoffIdleStrategy", "org.agrona.ExpandableArrayBuffer",
        "org.agrona.collections.Int2ObjectHashMap", "org.agrona.concurrent.UnsafeBuffer" };

    /** Opened ahead by a spare JVM's warm-up: NIO's first use loads native libraries and probes the network stack. */
    private static FileChannel stdinChannel;

    private ChildMain()
    {
    }

    /**
     * @param args {@value #SPARE_ARG} for a spare JVM, else nothing.
     */
    public static void main(final String[] args)
    {
        final InputStream stdin = System.in;
        if (args.length > 0 && SPARE_ARG.equals(args[0]))
        {
            warmUp();
            System.out.println(READY_MARKER);
            System.out.flush();
        }

        final ChildSpec spec;
        try
        {
            final DataInputStream in = new DataInputStream(stdin);
            final int length = in.readInt();
            final byte[] bytes = new byte[length];
            in.readFully(bytes);
            spec = ChildSpec.fromBytes(bytes);
        }
        catch (final EOFException ex)
        {
            // the parent went away before giving us anything to do
            System.exit(0);
            return;
        }
        catch (final IOException | ClassNotFoundException | RuntimeException ex)
        {
            System.err.println("mp4j child: cannot read the task from the parent: " + ex);
            ex.printStackTrace();
            System.exit(1);
            return;
        }

        CurrentProcess.initChild(spec.name, spec.identity, spec.daemon, spec.parentPid, spec.parentStartTime, spec.parentName);
        watchParent(stdin, spec.daemon);
        // the pipe belongs to the parent-death watcher; a target that reads System.in would otherwise block
        // until the parent closes the pipe, which it does only after join() returns: Python's child gets
        // os.devnull as its standard input, so ours reads end-of-file
        System.setIn(new ByteArrayInputStream(new byte[0]));

        try
        {
            spec.run();
        }
        catch (final Throwable ex)
        {
            System.out.flush();
            System.err.println("Process " + spec.name + ":");
            ex.printStackTrace();
            System.err.flush();
            System.exit(1);
        }
        System.out.flush();
        System.err.flush();
    }

    /**
     * A spare JVM has time before its task arrives: it runs the path a task takes once (serialization,
     * lambda deserialization, the dispatch), so that the real task finds those classes loaded.
     */
    private static void warmUp()
    {
        try
        {
            final SerializableConsumer<Object> noop = ChildMain::warmUpTarget;
            final ChildSpec spec = ChildSpec.fromBytes(
                new ChildSpec("warm-up", "", false, 0, ProcessIds.NO_PROCESS, "", noop, new Object[]{ "warm-up" }).toBytes());
            spec.run();
            stdinChannel = openStdinChannel();
            WarmUp.mapping();
            // a spare often becomes a pool worker: load, verify and initialise its classes now
            final ClassLoader loader = ChildMain.class.getClassLoader();
            for (final String name : POOL_WORKER_CLASSES)
            {
                Class.forName(name, true, loader);
            }
            WarmUp.ring();
            // and its first function's unboxed form: reflection and a class spun at run time, 7-10 ms cold
            final SerializableFunction<Long, Long> unboxed = ChildMain::warmUpIdentity;
            UnboxedFunction.of(TaskCodec.deserialize(TaskCodec.serialize(unboxed, "the warm-up function")));
        }
        catch (final Exception | LinkageError ex)
        {
            // warming up is an optimisation; the real task reports its own failures
        }
    }

    private static void warmUpTarget(final Object ignored)
    {
    }

    private static long warmUpIdentity(final long x)
    {
        return x;
    }

    /**
     * Watch standard input for end-of-file in a daemon thread.
     *
     * <p>Not with {@code System.in}: a thread blocked in a native read makes HotSpot's exit wait about
     * 300 ms for it (VM_Exit waits for threads in native code), which would be most of a short child's
     * life. An interruptible channel on the same pipe is closed by a shutdown hook instead, which takes
     * the watcher out of native code before the VM exits.
     */
    private static void watchParent(final InputStream stdin, final boolean daemon)
    {
        final FileChannel channel = stdinChannel != null ? stdinChannel : openStdinChannel();
        if (channel != null)
        {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(channel), "mp4j-parent-watcher-stop"));
        }
        final Thread watcher = new Thread(() ->
        {
            try
            {
                if (channel != null)
                {
                    final ByteBuffer buffer = ByteBuffer.allocate(64);
                    while (channel.read(buffer.clear()) != -1)
                    {
                        // the parent never writes after the spec; anything else is ignored
                    }
                }
                else
                {
                    while (stdin.read() != -1)
                    {
                        // as above
                    }
                }
            }
            catch (final ClosedChannelException exiting)
            {
                return;
            }
            catch (final IOException ignore)
            {
                // a broken pipe is the same news as end-of-file
            }
            if (daemon)
            {
                exitOrphanedDaemon();
            }
        }, "mp4j-parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static FileChannel openStdinChannel()
    {
        final Path fd0 = Paths.get("/proc/self/fd/0");
        if (!Files.exists(fd0))
        {
            return null;
        }
        try
        {
            return FileChannel.open(fd0, StandardOpenOption.READ);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return null;
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // exiting anyway
        }
    }

    private static void exitOrphanedDaemon()
    {
        final Thread halter = new Thread(() ->
        {
            try
            {
                TimeUnit.SECONDS.sleep(5);
            }
            catch (final InterruptedException ignore)
            {
                // exiting anyway
            }
            Runtime.getRuntime().halt(ORPHANED_DAEMON_STATUS);
        }, "mp4j-orphan-halter");
        halter.setDaemon(true);
        halter.start();
        System.exit(ORPHANED_DAEMON_STATUS);
    }
}

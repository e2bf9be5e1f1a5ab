package io.mp4j.tests.shm;

import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.Condition;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.ShareableList;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;

import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;

/**
 * The child JVM of the cross-JVM shm tests: one command per run, results on stdout, one per line.
 */
public final class ShmChild
{
    private ShmChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String command = args[0];
        switch (command)
        {
            case "increment":
                increment(Value.attach(path(args[1])), Integer.parseInt(args[2]));
                break;
            case "increment-handle":
                increment((Value)deserialize(args[1]), Integer.parseInt(args[2]));
                break;
            case "double":
            {
                final Array array = Array.attach(path(args[1]));
                try (SharedLock.Held held = array.getLock().locked())
                {
                    for (int i = 0; i < array.length(); i++)
                    {
                        array.setInt(i, array.getInt(i) * 2);
                    }
                }
                System.out.println("done");
                break;
            }
            case "hold":
                hold(args[1], path(args[2]));
                break;
            case "barrier":
            {
                final Barrier barrier = Barrier.attach(path(args[1]));
                try
                {
                    System.out.println("index " + barrier.await(Duration.ofSeconds(60)));
                }
                catch (final Exception ex)
                {
                    System.out.println(ex.getClass().getSimpleName());
                }
                break;
            }
            case "cond-wait":
            {
                final Condition cond = Condition.attach(path(args[1]));
                try (SharedLock.Held held = cond.locked())
                {
                    System.out.println(cond.await(Duration.ofSeconds(60)) ? "woken" : "timeout");
                }
                break;
            }
            case "event-pong":
            {
                final Event ping = Event.attach(path(args[1]));
                final Event pong = Event.attach(path(args[2]));
                final boolean got = ping.await(Duration.ofSeconds(60));
                pong.set();
                System.out.println(got ? "ponged" : "timeout");
                break;
            }
            case "named-increment":
            {
                final RuntimeDirectory dir = RuntimeDirectory.openNamed(args[1]);
                Value counter;
                try
                {
                    counter = Value.createRaw(dir, "counter", ElementType.LONG, 0);
                }
                catch (final IllegalStateException exists)
                {
                    counter = Value.attach(dir.resolve("counter"));
                }
                for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++)
                {
                    counter.incrementAndGet();
                }
                System.out.println("done");
                break;
            }
            case "named-race":
                namedRace(Paths.get(args[1]), args[2], Integer.parseInt(args[3]), Barrier.attach(path(args[4])), args[5]);
                break;
            case "use-after-close":
                useAfterClose(RuntimeDirectory.attach(path(args[1])));
                break;
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
        System.out.flush();
    }

    private static void increment(final Value counter, final int n)
    {
        final SharedLock lock = counter.getLock();
        for (int i = 0; i < n; i++)
        {
            lock.lock();
            try
            {
                counter.setInt(counter.getInt() + 1);
            }
            finally
            {
                lock.unlock();
            }
        }
        System.out.println("done");
    }

    private static void hold(final String kind, final Path file) throws Exception
    {
        switch (kind)
        {
            case "lock":
                Lock.attach(file).lock();
                break;
            case "rlock":
            {
                final RLock lock = RLock.attach(file);
                lock.lock();
                lock.lock();
                break;
            }
            case "semaphore":
                Semaphore.attach(file).acquire();
                break;
            default:
                throw new IllegalArgumentException(kind);
        }
        System.out.println("held");
        System.out.flush();
        // hold until killed (or until the parent closes our stdin)
        while (System.in.read() >= 0)
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Open the named directories {@code prefix0 .. prefix<n-1>} in {@code base}, each after a round of the
     * barrier, so that all racers open it at the same moment, and report each as "k owner", "k joined" or
     * "k error ..."; then "opened"; on the next line of stdin (or its end) close them all and report
     * "closed". Unless {@code deadPid} is "-", first make each directory as a process {@code deadPid} that
     * died would have left it.
     */
    private static void namedRace(final Path base, final String prefix, final int n, final Barrier barrier,
        final String deadPid) throws Exception
    {
        String dirPrefix = null;
        if (!"-".equals(deadPid))
        {
            // the directory name openNamed gives a name, learnt before any racer passes the barrier
            try (RuntimeDirectory probe = RuntimeDirectory.openNamed(base, prefix + "probe"))
            {
                final String probeName = probe.path().getFileName().toString();
                dirPrefix = probeName.substring(0, probeName.length() - (prefix + "probe").length());
            }
        }
        final java.util.List<RuntimeDirectory> opened = new java.util.ArrayList<>();
        final StringBuilder report = new StringBuilder();
        for (int k = 0; k < n; k++)
        {
            if (dirPrefix != null)
            {
                final Path dead = base.resolve(dirPrefix + prefix + k);
                java.nio.file.Files.createDirectory(dead, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                java.nio.file.Files.writeString(dead.resolve(RuntimeDirectory.OWNER_FILE), deadPid + " 1\n");
                java.nio.file.Files.writeString(dead.resolve("old-region"), "x");
            }
            barrier.await(Duration.ofSeconds(60));
            try
            {
                final RuntimeDirectory dir = RuntimeDirectory.openNamed(base, prefix + k);
                opened.add(dir);
                report.append(k).append(dir.isOwner() ? " owner" : " joined").append('\n');
            }
            catch (final RuntimeException ex)
            {
                report.append(k).append(" error ").append(ex).append('\n');
            }
        }
        System.out.print(report);
        System.out.println("opened");
        System.out.flush();
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
        for (final RuntimeDirectory dir : opened)
        {
            dir.close();
        }
        System.out.println("closed");
    }

    /**
     * Close shared objects in the ways a program may, then use them: a crash of this JVM (an access to an
     * unmapped region) fails the parent's test instead of killing it.
     */
    private static void useAfterClose(final RuntimeDirectory dir) throws Exception
    {
        final Value v = Value.create(dir, "v", "i", 7);
        final Value a1 = (Value)deserialize(serialize(v));
        final Value a2 = (Value)deserialize(serialize(v));
        System.out.println("same instance " + (a1 == v && a2 == v));
        a1.close();
        System.out.println("after one holder closed: " + v.getInt() + " " + a2.getInt() + " closed=" + ((io.mp4j.shm.SharedObject)v).isClosed());
        a2.close();
        v.incrementAndGet();
        v.close();
        System.out.println("after every holder closed: closed=" + ((io.mp4j.shm.SharedObject)v).isClosed());
        report("value", () -> v.getInt());

        final Value again = (Value)deserialize(serialize(Value.attach(dir.resolve("v"))));
        System.out.println("attached again: " + again.getInt());

        final Lock lock = Lock.create(dir, "lock");
        lock.close();
        report("lock", lock::tryLock);
        final RLock rlock = RLock.create(dir, "rlock");
        rlock.close();
        report("rlock", () -> rlock.acquire(false));
        final Event event = Event.create(dir, "event");
        event.close();
        report("event", () -> { event.set(); return null; });
        final Semaphore semaphore = Semaphore.create(dir, "sem", 1);
        semaphore.close();
        report("semaphore", semaphore::tryAcquire);
        final Condition condition = Condition.create(dir, "cond");
        condition.close();
        report("condition", condition::signalAll);
        final Barrier barrier = Barrier.create(dir, "barrier", 2);
        barrier.close();
        report("barrier", barrier::nWaiting);
        final Array array = Array.create(dir, "array", "d", 4);
        array.close();
        report("array", () -> array.getDouble(1));
        final ShareableList list = ShareableList.create(dir, "list", java.util.List.of(1L, "x"));
        list.close();
        report("list", () -> list.get(0));
        System.out.println("done");
    }

    private static void report(final String what, final java.util.concurrent.Callable<?> use)
    {
        try
        {
            System.out.println(what + " used after close: " + use.call());
        }
        catch (final IllegalStateException ex)
        {
            System.out.println(what + " IllegalStateException" + (ex.getMessage().contains("closed") ? "" : ": " + ex.getMessage()));
        }
        catch (final Exception ex)
        {
            System.out.println(what + " " + ex);
        }
    }

    static String serialize(final Object object) throws java.io.IOException
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes))
        {
            out.writeObject(object);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static Path path(final String file)
    {
        return Paths.get(file);
    }

    static Object deserialize(final String base64) throws Exception
    {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64))))
        {
            return in.readObject();
        }
    }
}

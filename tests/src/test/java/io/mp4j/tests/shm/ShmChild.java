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

package io.mp4j.shm;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

/**
 * The child JVM of {@link CrashWindowTest}: one command on a semaphore or condition file, run with
 * {@code -Dmp4j.test.crashPoint=<point>} so that it halts between two stores of that command (or with a
 * pause point, so that it waits there for the test, see {@link CrashPoints}).
 * Prints "held" when told to hold, else "done" if it got through without reaching its crash point.
 */
public final class CrashChild
{
    private CrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path file = Paths.get(args[1]);
        switch (args[0])
        {
            case "acquire":
                Semaphore.attach(file).acquire();
                break;
            case "acquire-release":
            {
                final Semaphore semaphore = Semaphore.attach(file);
                semaphore.acquire();
                semaphore.release();
                break;
            }
            case "hold":
                Semaphore.attach(file).acquire();
                System.out.println("held");
                System.out.flush();
                while (System.in.read() >= 0)
                {
                    Thread.onSpinWait();
                }
                return;
            case "reclaim":
                System.out.println("reclaimed " + Semaphore.attach(file).reclaimDeadHolders());
                break;
            case "cond-wait":
            {
                final Condition condition = Condition.attach(file);
                try (SharedLock.Held held = condition.locked())
                {
                    System.out.println(condition.await(Duration.ofMillis(Long.parseLong(args[2]))) ? "woken" : "timeout");
                }
                break;
            }
            case "cond-wait-interrupted":
            {
                // the main thread waits; once it is parked in the wait, this prints "waiting", and a line on
                // standard input makes a helper thread interrupt it
                final Condition condition = Condition.attach(file);
                final Thread waiter = Thread.currentThread();
                final Thread interrupter = new Thread(() ->
                {
                    while (waiter.getState() != Thread.State.TIMED_WAITING)
                    {
                        Thread.onSpinWait();
                    }
                    System.out.println("waiting");
                    System.out.flush();
                    try
                    {
                        new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
                    }
                    catch (final java.io.IOException ex)
                    {
                        return;
                    }
                    waiter.interrupt();
                });
                interrupter.setDaemon(true);
                try (SharedLock.Held held = condition.locked())
                {
                    interrupter.start();
                    System.out.println(condition.await(Duration.ofMinutes(1)) ? "woken" : "timeout");
                }
                catch (final InterruptedException ex)
                {
                    System.out.println("interrupted");
                }
                break;
            }
            case "cond-signal":
            {
                final Condition condition = Condition.attach(file);
                try (SharedLock.Held held = condition.locked())
                {
                    condition.signal(Integer.parseInt(args[2]));
                }
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + args[0]);
        }
        System.out.println("done");
    }
}

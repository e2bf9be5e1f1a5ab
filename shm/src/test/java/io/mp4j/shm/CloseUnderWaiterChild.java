package io.mp4j.shm;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link CloseUnderWaiterTest}: for each round, a thread waits in one primitive, and once
 * it waits, the main thread closes the primitive (its last holder in this JVM). The waiter must leave with
 * an {@link IllegalStateException} naming the primitive; a fault under it kills this JVM, which the test
 * sees in the exit status. Prints "ok" and exits 0 if every round passed, else prints what went wrong and
 * exits 1.
 *
 * <p>Arguments: the primitive (lock, rlock, lockInterruptibly, lockTimed, event, semaphore, barrier,
 * condition) and the number of rounds.
 */
public final class CloseUnderWaiterChild
{
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private CloseUnderWaiterChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String kind = args[0];
        final int rounds = Integer.parseInt(args[1]);
        final RuntimeDirectory dir = RuntimeDirectory.create();
        try
        {
            for (int i = 0; i < rounds; i++)
            {
                final String failure = round(kind, dir, "o" + i);
                if (failure != null)
                {
                    System.out.println("round " + i + ": " + failure);
                    System.out.flush();
                    System.exit(1);
                }
            }
        }
        finally
        {
            dir.close();
        }
        System.out.println("ok");
    }

    /** What the waiter thread runs, on the primitive {@code object}. */
    private interface Wait
    {
        void run() throws Exception;
    }

    private static String round(final String kind, final RuntimeDirectory dir, final String name) throws Exception
    {
        final SharedObject object;
        final Wait wait;
        SharedLock extraLock = null;
        switch (kind)
        {
            case "lock":
            case "lockInterruptibly":
            case "lockTimed":
            {
                final Lock lock = Lock.create(dir, name);
                lock.lock();
                object = (SharedObject)lock;
                wait = kind.equals("lock") ? lock::lock : kind.equals("lockTimed") ? () -> lock.acquire(java.time.Duration.ofHours(1)) :
                    lock::lockInterruptibly;
                break;
            }
            case "rlock":
            {
                final RLock lock = RLock.create(dir, name);
                lock.lock();
                object = (SharedObject)lock;
                wait = lock::lock;
                break;
            }
            case "event":
            {
                final Event event = Event.create(dir, name);
                object = (SharedObject)event;
                wait = event::await;
                break;
            }
            case "semaphore":
            {
                final Semaphore semaphore = Semaphore.create(dir, name, 0);
                object = (SharedObject)semaphore;
                wait = semaphore::acquire;
                break;
            }
            case "barrier":
            {
                final Barrier barrier = Barrier.create(dir, name, 2);
                object = (SharedObject)barrier;
                wait = barrier::await;
                break;
            }
            case "condition":
            {
                final Lock lock = Lock.create(dir, name + ".l");
                extraLock = lock;
                final Condition condition = Condition.create(dir, name, lock);
                object = (SharedObject)condition;
                wait = () ->
                {
                    lock.lock();
                    try
                    {
                        condition.await();
                    }
                    catch (final IllegalStateException ex)
                    {
                        // else the caller's unlock() in its finally throws IllegalMonitorStateException, hiding ex
                        if (!lock.isHeldByCurrentThread())
                        {
                            throw new AssertionError("the condition threw without taking its lock back: " + ex, ex);
                        }
                        throw ex;
                    }
                    finally
                    {
                        if (lock.isHeldByCurrentThread())
                        {
                            lock.unlock();
                        }
                    }
                };
                break;
            }
            default:
                throw new IllegalArgumentException("unknown primitive " + kind);
        }
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                wait.run();
            }
            catch (final Throwable ex)
            {
                thrown.set(ex);
            }
        }, "waiter-" + kind);
        waiter.start();
        if (!awaitWaiting(object, waiter))
        {
            return "the waiter did not start waiting: " + waiter.getState();
        }
        object.close();
        waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
        if (waiter.isAlive())
        {
            return "the waiter did not leave its wait after close()";
        }
        if (extraLock != null)
        {
            extraLock.close();
        }
        final Throwable ex = thrown.get();
        if (!(ex instanceof IllegalStateException) || ex.getMessage() == null || !ex.getMessage().contains(object.path().toString()))
        {
            return "expected an IllegalStateException naming " + object.path() + ", got " + ex;
        }
        return null;
    }

    /**
     * Whether the waiter is inside its wait: counted as a waiter by the object, which it is from just before
     * its wait loop (waiting in the idle strategy, or spinning) until it leaves.
     */
    private static boolean awaitWaiting(final SharedObject object, final Thread waiter)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() - deadline < 0)
        {
            if (((MappedObject)object).waitersInside() > 0)
            {
                return true;
            }
            Thread.yield();
        }
        return false;
    }
}

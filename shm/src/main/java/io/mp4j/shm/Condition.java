package io.mp4j.shm;

import java.io.Serializable;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A condition variable shared between the threads of any number of JVMs: Python's
 * {@code multiprocessing.Condition}. It is bound to a {@link Lock} or {@link RLock} (a new RLock named
 * {@code <name>.lock} by default, as in Python), which the caller must hold to wait or signal.
 *
 * <p>Python to Java names ({@code wait} and {@code notify} are final methods of {@link Object}):
 * {@code wait()} is {@link #await()}, {@code wait(timeout)} is {@link #await(Duration)} (false on
 * timeout), {@code wait_for(predicate, timeout)} is {@link #waitFor(BooleanSupplier, Duration)},
 * {@code notify(n)} is {@link #signal(int)}, {@code notify_all()} is {@link #signalAll()}. Waiting or
 * signalling without holding the lock throws {@link IllegalMonitorStateException}. Waiting releases the
 * lock completely (whatever the RLock depth) and restores it before returning, also on timeout and on
 * interruption. Waiters are woken in the order they started waiting.
 *
 * <p>How it works: a waiter, holding the lock, takes a free slot in a table and records its pid,
 * process start time and a ticket from a sequence, then releases the lock and idles on its slot's state.
 * {@code signal(n)} (under the lock) CASes the state of the {@code n} oldest waiting slots from WAITING
 * to SIGNALLED, stamping each with the time and with the ticket sequence at that moment. A waiter that
 * times out CASes its own slot from WAITING to FREE; if that fails it was signalled and returns true,
 * freeing the slot with a CAS from SIGNALLED to FREE. Each step is one store or CAS, so a process killed
 * between any two of them leaves no slot that cannot be claimed again.
 *
 * <p><b>A dead waiter does not swallow a signal.</b> Signalling reads no {@code /proc} (that would cost
 * microseconds per signal); instead a signal that was not taken up within a liveness interval
 * ({@code mp4j.liveness.checkMillis}, 10 ms by default) is checked: if its waiter's process is dead (pid
 * and start time), the slot is freed and the signal handed on to the oldest live waiter that was already
 * waiting when it was given (ticket not above the stamped sequence), or dropped if there is none, as
 * it would have been had the dead waiter never waited. Waiters do this check every liveness interval
 * while they wait (taking the lock for it if it is free), and so does every {@code signal}. Waiters whose process died while waiting are freed
 * when the table fills up. A waiter that wakes with a signal but is interrupted passes the signal on.
 *
 * <p>Memory consistency effects: as for the lock: actions before {@code signal} while holding the lock
 * happen-before the signalled waiter's actions after it re-acquires it.
 *
 * <pre>{@code
 * Condition cond = Condition.create(dir, "items");      // with its own RLock
 * Value count = Value.create(dir, "count", ElementType.INT, 0, cond.getLock());
 * // consumer:
 * try (SharedLock.Held held = cond.locked())
 * {
 *     if (!cond.waitFor(() -> count.getInt() > 0, Duration.ofSeconds(5))) { return; }
 *     count.setInt(count.getInt() - 1);
 * }
 * // producer:
 * try (SharedLock.Held held = cond.locked())
 * {
 *     count.setInt(count.getInt() + 1);
 *     cond.signal();
 * }
 * }</pre>
 */
public interface Condition extends AutoCloseable, Serializable
{
    /**
     * Python's {@code Condition()}: with a new {@link RLock} named {@code name + ".lock"}.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the condition.
     */
    static Condition create(RuntimeDirectory directory, String name)
    {
        return MappedCondition.create(directory, name);
    }

    /**
     * Python's {@code Condition(lock)}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param lock      a {@link Lock} or {@link RLock}.
     * @return the condition.
     */
    static Condition create(RuntimeDirectory directory, String name, SharedLock lock)
    {
        return MappedCondition.create(directory, name, lock);
    }

    /**
     * A condition with room for {@code maxWaiters} threads waiting at once.
     *
     * @param directory  where.
     * @param name       its file name.
     * @param lock       a {@link Lock} or {@link RLock}.
     * @param maxWaiters at least 1.
     * @return the condition.
     */
    static Condition create(RuntimeDirectory directory, String name, SharedLock lock, int maxWaiters)
    {
        return MappedCondition.create(directory, name, lock, maxWaiters);
    }

    /**
     * Python's {@code Condition()} in this JVM's default runtime directory.
     *
     * @return the condition.
     */
    static Condition create()
    {
        return MappedCondition.create();
    }

    /**
     * Attach to an existing Condition by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the condition.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    static Condition attach(RuntimeDirectory directory, String name)
    {
        return MappedCondition.attach(directory, name);
    }

    /**
     * Attach to an existing condition, and to its lock.
     *
     * @param file its region file.
     * @return the condition.
     * @throws InvalidRegionException if the file is not a valid condition region, or its lock cannot be attached.
     */
    static Condition attach(Path file)
    {
        return MappedCondition.attach(file);
    }

    /**
     * Use this idle strategy when waiting on this condition (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    Condition withIdleStrategy(Supplier<IdleStrategy> supplier);

    /**
     * @return the lock this condition is bound to.
     */
    SharedLock getLock();

    /**
     * Acquire the underlying lock (Python's {@code with cond:}).
     *
     * @return the guard releasing it.
     */
    default SharedLock.Held locked()
    {
        return getLock().locked();
    }

    /**
     * Wait until signalled. The lock must be held.
     *
     * @throws InterruptedException if interrupted while waiting (the lock is held again when thrown).
     */
    void await() throws InterruptedException;

    /**
     * Python's {@code wait(timeout)}. The lock must be held.
     *
     * @param timeout at most this long (null: forever).
     * @return false if the timeout elapsed, true if signalled.
     * @throws InterruptedException if interrupted while waiting (the lock is held again when thrown).
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * As {@link #await(Duration)}.
     *
     * @param timeout at most this long.
     * @param unit    its unit.
     * @return false if the timeout elapsed, true if signalled.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Python's {@code wait_for(predicate, timeout)}: wait until the predicate, evaluated with the lock
     * held, is true. The lock must be held.
     *
     * @param predicate the condition waited for.
     * @param timeout   at most this long in total (null: forever).
     * @return the last value of the predicate (false only on timeout).
     * @throws InterruptedException if interrupted while waiting.
     */
    default boolean waitFor(final BooleanSupplier predicate, final Duration timeout) throws InterruptedException
    {
        final long timeoutNanos = Math.max(0, IdleStrategies.toNanos(timeout)); // Long.MIN_VALUE - elapsed would wrap
        final long start = System.nanoTime();
        boolean result = predicate.getAsBoolean();
        while (!result)
        {
            if (timeoutNanos == Long.MAX_VALUE)
            {
                await();
            }
            else
            {
                final long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0)
                {
                    break;
                }
                await(remaining, TimeUnit.NANOSECONDS);
            }
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /**
     * Wait, with no timeout, until the predicate is true.
     *
     * @param predicate the condition waited for.
     * @throws InterruptedException if interrupted while waiting.
     */
    default void waitFor(final BooleanSupplier predicate) throws InterruptedException
    {
        waitFor(predicate, null);
    }

    /**
     * Wake one waiter (Python's {@code notify()}). The lock must be held.
     */
    void signal();

    /**
     * Wake up to {@code n} waiters, oldest first (Python's {@code notify(n)}). The lock must be held.
     * A signal given to a waiter whose process turns out to be dead is handed on (see the class comment).
     *
     * @param n how many.
     * @return how many waiters were signalled.
     */
    int signal(int n);

    /**
     * Wake every waiter (Python's {@code notify_all()}). The lock must be held.
     *
     * @return how many waiters were signalled.
     */
    int signalAll();

    /**
     * @return how many threads are waiting now (a snapshot).
     */
    int waiters();

    /**
     * Release this holder's handle and, with the last, the object's hold on its lock (the lock stays for its other holders: it may guard other objects). The creator and every handle deserialized in this JVM share one
     * object, counted per holder (see {@link SharedObjects#attach}): the view is unmapped when the last
     * holder closes it, and using the object after that throws {@link IllegalStateException}. The shared
     * object and its state stay for the other processes. A holder closes once: closing again gives back
     * another holder's count; once unmapped, further calls do nothing.
     */
    void close();
}

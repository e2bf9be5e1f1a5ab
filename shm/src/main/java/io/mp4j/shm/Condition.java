package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
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
 * times out CASes its own slot from WAITING to LEAVING; if that fails it was signalled and returns true.
 * A slot is freed by clearing its pid and start time while it is still SIGNALLED or LEAVING and then
 * storing FREE, so a new waiter never claims a slot that is being left.
 *
 * <p><b>A dead waiter does not swallow a signal.</b> Signalling reads no {@code /proc} (that would cost
 * microseconds per signal); instead a signal that was not taken up within a liveness interval
 * ({@code mp4j.liveness.checkMillis}, 10 ms by default) is checked: if its waiter's process is dead (pid
 * and start time), the slot is freed and the signal handed on to the oldest live waiter that was already
 * waiting when it was given (ticket not above the stamped sequence), or dropped if there is none, as
 * it would have been had the dead waiter never waited. Waiters do this check every liveness interval
 * while they wait, and so does every {@code signal}. Waiters whose process died while waiting are freed
 * when the table fills up. A waiter that wakes with a signal but is interrupted passes the signal on.
 *
 * <p>Layout (payload of a {@link RegionType#CONDITION} region, variant 0):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Lock reference (448 bytes): kind, path length, UTF-8 path  ...
 * ...                                                              |
 *  +---------------------------------------------------------------+ 448
 *  |          Ticket sequence (64 bits, written under the lock)    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Waiter slot count                        |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to offset 512                     ...
 *  +---------------------------------------------------------------+ 512
 *  |        Waiter slot 0: pid of the waiting process (64 bits)    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 start time of that process (64 bits)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       ticket (64 bits)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     state: 0 FREE, 1 WAITING, 2 SIGNALLED, 3 LEAVING          |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  +---------------------------------------------------------------+
 *  |        signal time (System.nanoTime of the signaller)         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     ticket sequence when signalled (who was waiting then)     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Reserved to the end of the slot's cache line        ...
 *  +---------------------------------------------------------------+ 576
 *  |        Waiter slots 1 .. count-1, 64 bytes each              ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Memory consistency effects: as for the lock: actions before {@code signal} while holding the lock
 * happen-before the signalled waiter's actions after it re-acquires it.
 *
 * <pre>{@code
 * Condition cond = Condition.create(dir, "items");      // with its own RLock
 * Value count = Value.create(dir, "count", "i", 0, cond.getLock());
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
public final class Condition implements SharedObject
{
    /** Waiter slots of a condition created without a count: at most this many threads wait at once. */
    public static final int DEFAULT_MAX_WAITERS = 64;

    static final int LOCK_REFERENCE_OFFSET = 0;
    static final int SEQUENCE_OFFSET = 448;
    static final int SLOT_COUNT_OFFSET = 456;
    static final int SLOTS_OFFSET = 512;
    static final int SLOT_LENGTH = 64;
    static final int SLOT_PID_OFFSET = 0;
    static final int SLOT_START_TIME_OFFSET = 8;
    static final int SLOT_TICKET_OFFSET = 16;
    static final int SLOT_STATE_OFFSET = 24;
    static final int SLOT_SIGNAL_TIME_OFFSET = 32;
    static final int SLOT_SIGNAL_SEQUENCE_OFFSET = 40;

    static final int FREE = 0;
    static final int WAITING = 1;
    static final int SIGNALLED = 2;
    static final int LEAVING = 3;

    private final MappedRegion region;
    private final AtomicBuffer buffer;
    private final SharedLock lock;
    private final RobustMutex mutex;
    private final int slotCount;
    private final IdleCache idleCache = new IdleCache();
    private volatile Supplier<IdleStrategy> idle;

    private Condition(final MappedRegion region, final SharedLock lock)
    {
        this.region = region;
        this.buffer = region.buffer();
        this.lock = lock;
        this.mutex = mutexOf(lock);
        this.slotCount = buffer.getInt(SLOT_COUNT_OFFSET);
    }

    static RobustMutex mutexOf(final SharedLock lock)
    {
        if (lock instanceof Lock)
        {
            return ((Lock)lock).mutex();
        }
        if (lock instanceof RLock)
        {
            return ((RLock)lock).mutex();
        }
        throw new IllegalArgumentException("not an mp4j Lock or RLock: " + lock);
    }

    /**
     * Python's {@code Condition()}: with a new {@link RLock} named {@code name + ".lock"}.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the condition.
     */
    public static Condition create(final RuntimeDirectory directory, final String name)
    {
        return create(directory, name, RLock.create(directory, name + Value.LOCK_SUFFIX), DEFAULT_MAX_WAITERS);
    }

    /**
     * Python's {@code Condition(lock)}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param lock      a {@link Lock} or {@link RLock}.
     * @return the condition.
     */
    public static Condition create(final RuntimeDirectory directory, final String name, final SharedLock lock)
    {
        return create(directory, name, lock, DEFAULT_MAX_WAITERS);
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
    public static Condition create(final RuntimeDirectory directory, final String name, final SharedLock lock, final int maxWaiters)
    {
        if (maxWaiters < 1 || maxWaiters > 1 << 20)
        {
            throw new IllegalArgumentException("maxWaiters=" + maxWaiters + " is out of range 1.." + (1 << 20));
        }
        mutexOf(lock);
        final Path file = directory.resolve(name);
        final MappedRegion region = MappedRegion.create(file, RegionType.CONDITION, 0, SLOTS_OFFSET + (long)maxWaiters * SLOT_LENGTH);
        try
        {
            LockReference.write(region.buffer(), LOCK_REFERENCE_OFFSET, lock);
            region.buffer().putInt(SLOT_COUNT_OFFSET, maxWaiters);
            region.publish();
            return SharedObjects.register(new Condition(region, lock));
        }
        catch (final RuntimeException ex)
        {
            region.close();
            MappedRegion.deleteQuietly(file);
            throw ex;
        }
    }

    /**
     * Python's {@code Condition()} in this JVM's default runtime directory.
     *
     * @return the condition.
     */
    public static Condition create()
    {
        return create(RuntimeDirectory.global(), Names.unique("condition"));
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
    public static Condition attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    /**
     * Attach to an existing condition, and to its lock.
     *
     * @param file its region file.
     * @return the condition.
     * @throws InvalidRegionException if the file is not a valid condition region, or its lock cannot be attached.
     */
    public static Condition attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.CONDITION);
        try
        {
            if (region.payloadLength() < SLOTS_OFFSET)
            {
                throw new InvalidRegionException(file, "condition payload is " + region.payloadLength() + " bytes");
            }
            final int slots = region.buffer().getInt(SLOT_COUNT_OFFSET);
            if (slots < 1 || SLOTS_OFFSET + (long)slots * SLOT_LENGTH > region.payloadLength())
            {
                throw new InvalidRegionException(file, "corrupt condition: slots=" + slots +
                    ", payloadLength=" + region.payloadLength());
            }
            final SharedLock lock = LockReference.read(region.buffer(), LOCK_REFERENCE_OFFSET, file);
            if (lock == null)
            {
                throw new InvalidRegionException(file, "corrupt condition: no lock reference");
            }
            return new Condition(region, lock);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    /**
     * Use this idle strategy when waiting on this condition (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    public Condition withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    /**
     * @return the lock this condition is bound to.
     */
    public SharedLock getLock()
    {
        return lock;
    }

    /**
     * Acquire the underlying lock (Python's {@code with cond:}).
     *
     * @return the guard releasing it.
     */
    public SharedLock.Held locked()
    {
        return lock.locked();
    }

    /**
     * Wait until signalled. The lock must be held.
     *
     * @throws InterruptedException if interrupted while waiting (the lock is held again when thrown).
     */
    public void await() throws InterruptedException
    {
        await(Long.MAX_VALUE);
    }

    /**
     * Python's {@code wait(timeout)}. The lock must be held.
     *
     * @param timeout at most this long (null: forever).
     * @return false if the timeout elapsed, true if signalled.
     * @throws InterruptedException if interrupted while waiting (the lock is held again when thrown).
     */
    public boolean await(final Duration timeout) throws InterruptedException
    {
        return await(IdleStrategies.toNanos(timeout));
    }

    /**
     * As {@link #await(Duration)}.
     *
     * @param timeout at most this long.
     * @param unit    its unit.
     * @return false if the timeout elapsed, true if signalled.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return await(unit.toNanos(timeout));
    }

    /**
     * Python's {@code wait_for(predicate, timeout)}: wait until the predicate, evaluated with the lock
     * held, is true. The lock must be held.
     *
     * @param predicate the condition waited for.
     * @param timeout   at most this long in total (null: forever).
     * @return the last value of the predicate (false only on timeout).
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean waitFor(final BooleanSupplier predicate, final Duration timeout) throws InterruptedException
    {
        final long timeoutNanos = IdleStrategies.toNanos(timeout);
        final long start = System.nanoTime();
        boolean result = predicate.getAsBoolean();
        while (!result)
        {
            long remaining = Long.MAX_VALUE;
            if (timeoutNanos != Long.MAX_VALUE)
            {
                remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0)
                {
                    break;
                }
            }
            await(remaining);
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
    public void waitFor(final BooleanSupplier predicate) throws InterruptedException
    {
        waitFor(predicate, null);
    }

    private void checkHeld(final String what)
    {
        if (!mutex.isHeldByCurrentThread())
        {
            throw new IllegalMonitorStateException("cannot " + what + " without holding the lock " + lock.path() +
                " (held by " + OwnerWord.describe(mutex.owner()) + ")");
        }
    }

    private boolean await(final long timeoutNanos) throws InterruptedException
    {
        checkHeld("wait");
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final int slot = claimSlot();
        final int depth = mutex.holdCount();
        mutex.release();

        final Supplier<IdleStrategy> own = idle;
        final Supplier<IdleStrategy> supplier = own != null ? own : IdleStrategies.forRegion(region.path());
        final IdleStrategy idleStrategy = idleCache.get(supplier);
        final long start = System.nanoTime();
        long nextCheck = start + OwnerWord.LIVENESS_INTERVAL_NANOS;
        boolean signalled = false;
        boolean interrupted = false;
        while (true)
        {
            if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == SIGNALLED)
            {
                signalled = true;
                break;
            }
            final long now = System.nanoTime();
            if (now - nextCheck >= 0)
            {
                nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
                handOnSignalsOfDeadWaiters(now);
                continue;
            }
            if (Thread.interrupted())
            {
                interrupted = true;
                signalled = !cancel(slot);
                break;
            }
            if (timeoutNanos != Long.MAX_VALUE && now - start >= timeoutNanos)
            {
                signalled = !cancel(slot);
                break;
            }
            idleStrategy.idle();
        }
        freeSlot(slot);

        reacquire(depth, supplier);
        if (interrupted)
        {
            if (signalled)
            {
                signal(1);
            }
            throw new InterruptedException();
        }
        return signalled;
    }

    private void reacquire(final int depth, final Supplier<IdleStrategy> supplier)
    {
        try
        {
            mutex.acquire(OwnerWord.current(), Long.MAX_VALUE, false, supplier);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("not interruptible", ex);
        }
        mutex.holdCount(depth);
    }

    private boolean cancel(final int slot)
    {
        return buffer.compareAndSetInt(slot + SLOT_STATE_OFFSET, WAITING, LEAVING);
    }

    private void freeSlot(final int slot)
    {
        buffer.putLong(slot + SLOT_START_TIME_OFFSET, 0);
        buffer.putLong(slot + SLOT_PID_OFFSET, 0);
        buffer.putIntRelease(slot + SLOT_STATE_OFFSET, FREE);
    }

    /**
     * Called with the lock held: slot claims and signals are serialized by the lock; only the waiter's
     * own cancel runs without it, as a CAS on its state.
     */
    private int claimSlot()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == FREE &&
                    buffer.getLongVolatile(slot + SLOT_PID_OFFSET) == 0)
                {
                    final long ticket = buffer.getLong(SEQUENCE_OFFSET) + 1;
                    buffer.putLong(SEQUENCE_OFFSET, ticket);
                    buffer.putLong(slot + SLOT_TICKET_OFFSET, ticket);
                    buffer.putLong(slot + SLOT_START_TIME_OFFSET, OwnerWord.START_TIME);
                    buffer.putLong(slot + SLOT_PID_OFFSET, OwnerWord.PID);
                    buffer.putIntRelease(slot + SLOT_STATE_OFFSET, WAITING);
                    return slot;
                }
            }
            reclaimDeadSlots();
        }
        throw new IllegalStateException("more than " + slotCount + " threads waiting on " + region.path() +
            "; create the condition with a larger maxWaiters");
    }

    private void reclaimDeadSlots()
    {
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            final int state = buffer.getIntVolatile(slot + SLOT_STATE_OFFSET);
            if ((state == WAITING || state == SIGNALLED) &&
                OwnerWord.isSlotDead(buffer, slot + SLOT_PID_OFFSET, slot + SLOT_START_TIME_OFFSET))
            {
                final long sequence = buffer.getLongVolatile(slot + SLOT_SIGNAL_SEQUENCE_OFFSET);
                if (buffer.compareAndSetInt(slot + SLOT_STATE_OFFSET, state, LEAVING))
                {
                    freeSlot(slot);
                    if (state == SIGNALLED)
                    {
                        handOn(sequence);
                    }
                }
            }
        }
    }

    /**
     * Wake one waiter (Python's {@code notify()}). The lock must be held.
     */
    public void signal()
    {
        signal(1);
    }

    /**
     * Wake up to {@code n} waiters, oldest first (Python's {@code notify(n)}). The lock must be held.
     * A signal given to a waiter whose process turns out to be dead is handed on (see the class comment).
     *
     * @param n how many.
     * @return how many waiters were signalled.
     */
    public int signal(final int n)
    {
        checkHeld("notify");
        final long now = System.nanoTime();
        handOnSignalsOfDeadWaiters(now);
        final long sequence = buffer.getLong(SEQUENCE_OFFSET);
        int woken = 0;
        long lastTicket = Long.MIN_VALUE;
        while (woken < n)
        {
            final int oldest = oldestWaiting(lastTicket, Long.MAX_VALUE);
            if (oldest < 0)
            {
                break;
            }
            lastTicket = buffer.getLong(oldest + SLOT_TICKET_OFFSET);
            if (trySignal(oldest, now, sequence))
            {
                woken++;
            }
        }
        return woken;
    }

    private int oldestWaiting(final long afterTicket, final long maxTicket)
    {
        int oldest = -1;
        long oldestTicket = Long.MAX_VALUE;
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == WAITING)
            {
                final long ticket = buffer.getLong(slot + SLOT_TICKET_OFFSET);
                if (ticket > afterTicket && ticket <= maxTicket && ticket < oldestTicket)
                {
                    oldest = slot;
                    oldestTicket = ticket;
                }
            }
        }
        return oldest;
    }

    private boolean trySignal(final int slot, final long now, final long sequence)
    {
        buffer.putLong(slot + SLOT_SIGNAL_TIME_OFFSET, now);
        buffer.putLong(slot + SLOT_SIGNAL_SEQUENCE_OFFSET, sequence);
        return buffer.compareAndSetInt(slot + SLOT_STATE_OFFSET, WAITING, SIGNALLED);
    }

    /**
     * Free the slots of dead processes holding a signal they never took up, handing each signal on. May
     * run without the lock (from a waiter): every change is a CAS on a slot state.
     */
    private void handOnSignalsOfDeadWaiters(final long now)
    {
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == SIGNALLED &&
                now - buffer.getLongVolatile(slot + SLOT_SIGNAL_TIME_OFFSET) >= OwnerWord.LIVENESS_INTERVAL_NANOS &&
                OwnerWord.isSlotDead(buffer, slot + SLOT_PID_OFFSET, slot + SLOT_START_TIME_OFFSET))
            {
                final long sequence = buffer.getLongVolatile(slot + SLOT_SIGNAL_SEQUENCE_OFFSET);
                if (buffer.compareAndSetInt(slot + SLOT_STATE_OFFSET, SIGNALLED, LEAVING))
                {
                    freeSlot(slot);
                    handOn(sequence);
                }
            }
        }
    }

    /** Give a signal to the oldest waiter whose ticket is at most {@code sequence}, if any. */
    private void handOn(final long sequence)
    {
        long lastTicket = Long.MIN_VALUE;
        while (true)
        {
            final int oldest = oldestWaiting(lastTicket, sequence);
            if (oldest < 0)
            {
                return;
            }
            lastTicket = buffer.getLong(oldest + SLOT_TICKET_OFFSET);
            if (trySignal(oldest, System.nanoTime(), sequence))
            {
                return;
            }
        }
    }

    /**
     * Wake every waiter (Python's {@code notify_all()}). The lock must be held.
     *
     * @return how many waiters were signalled.
     */
    public int signalAll()
    {
        return signal(Integer.MAX_VALUE);
    }

    /**
     * @return how many threads are waiting now (a snapshot).
     */
    public int waiters()
    {
        int count = 0;
        for (int i = 0; i < slotCount; i++)
        {
            if (buffer.getIntVolatile(SLOTS_OFFSET + i * SLOT_LENGTH + SLOT_STATE_OFFSET) == WAITING)
            {
                count++;
            }
        }
        return count;
    }

    @Override
    public Path path()
    {
        return region.path();
    }

    @Override
    public boolean isClosed()
    {
        return region.isClosed();
    }

    /**
     * Unmap the condition (its lock stays attached).
     */
    @Override
    public void close()
    {
        region.close();
    }

    @Override
    public String toString()
    {
        return "Condition{" + region.path() + ", lock " + lock.path() + '}';
    }

    private Object writeReplace()
    {
        return RegionHandle.of(this);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a Condition travels as a RegionHandle");
    }
}

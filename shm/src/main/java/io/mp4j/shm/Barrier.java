package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A cyclic barrier for the threads of any number of JVMs: Python's {@code multiprocessing.Barrier(parties,
 * action, timeout)} with {@link java.util.concurrent.CyclicBarrier}'s exceptions.
 *
 * <p>{@link #await()} blocks until {@code parties} threads have called it, then releases them all and
 * returns each a distinct arrival index from 0 (first) to {@code parties - 1} (last, as in Python). The
 * last arriver runs the action, if any, once per generation, before the others are released; if the
 * action throws, the barrier breaks and the exception is thrown to the last arriver. A broken barrier
 * makes every waiting and every later {@code await} throw {@link BrokenBarrierException} until
 * {@link #reset()}. It breaks on {@link #abort()}, on an action that throws, on a waiter's timeout (that
 * waiter gets {@link TimeoutException}, the others {@link BrokenBarrierException}), on a waiter's
 * interruption, and <b>when a waiting party's process dies</b>: waiters check the processes recorded in
 * the waiter table every liveness interval ({@code mp4j.liveness.checkMillis}) and break the barrier
 * instead of hanging. The default timeout given at creation is stored in the region, so every process
 * uses it.
 *
 * <p>The action is code and cannot live in shared memory: each JVM gives its own to
 * {@link #attach(Path, Runnable)}; a barrier passed to another JVM by serialization carries its action
 * along when the action is {@link Serializable} (a serializable lambda), as Python pickles it.
 *
 * <p>Internal state changes are made under an internal {@link RobustMutex} (recovered if its holder dies).
 * A waiter takes a free slot in the waiter table, recording its pid, start time and generation, and
 * idles on its own slot's state, which the last arriver sets to RELEASED, or a breaker to BROKEN.
 *
 * <p>Layout (payload of a {@link RegionType#BARRIER} region, variant 0):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Internal mutex (64 bytes, see Lock's layout)          ...
 *  +---------------------------------------------------------------+ 64
 *  |                          Parties                              |
 *  +---------------------------------------------------------------+
 *  |                     Waiter slot count                         |
 *  +---------------------------------------------------------------+
 *  |       Default timeout in nanoseconds (64 bits, -1: none)      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to offset 128                     ...
 *  +---------------------------------------------------------------+ 128
 *  |                  Generation (64 bits)                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |           Count: arrived in this generation                   |
 *  +---------------------------------------------------------------+
 *  |                 Broken (0 or 1)                               |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to offset 192                     ...
 *  +---------------------------------------------------------------+ 192
 *  |        Waiter slot 0: pid (0: free, 64 bits)                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 start time of that process (64 bits)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 generation it waits in (64 bits)              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |       state: 0 FREE, 1 WAITING, 2 RELEASED, 3 BROKEN          |
 *  +---------------------------------------------------------------+
 *  |          Reserved to the end of the slot's cache line        ...
 *  +---------------------------------------------------------------+ 256
 *  |    Waiter slots 1 .. count-1 (count = 2 * parties + 8)       ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <pre>{@code
 * Barrier barrier = Barrier.create(dir, "phase", 3, () -> System.out.println("phase done"), Duration.ofSeconds(30));
 * // in each of 3 worker JVMs, given the barrier:
 * computePhase1();
 * int index = barrier.await();   // BrokenBarrierException if a worker died meanwhile
 * computePhase2();
 * }</pre>
 */
public final class Barrier implements SharedObject
{
    static final int MUTEX_OFFSET = 0;
    static final int PARTIES_OFFSET = 64;
    static final int SLOT_COUNT_OFFSET = 68;
    static final int TIMEOUT_OFFSET = 72;
    static final int GENERATION_OFFSET = 128;
    static final int COUNT_OFFSET = 136;
    static final int BROKEN_OFFSET = 140;
    static final int SLOTS_OFFSET = 192;
    static final int SLOT_LENGTH = 64;
    static final int SLOT_PID_OFFSET = 0;
    static final int SLOT_START_TIME_OFFSET = 8;
    static final int SLOT_GENERATION_OFFSET = 16;
    static final int SLOT_STATE_OFFSET = 24;

    static final int FREE = 0;
    static final int WAITING = 1;
    static final int RELEASED = 2;
    static final int BROKEN = 3;

    private final MappedRegion region;
    private final AtomicBuffer buffer;
    private final RobustMutex mutex;
    private final int parties;
    private final int slotCount;
    private final long defaultTimeoutNanos;
    private final IdleCache idleCache = new IdleCache();
    private volatile Runnable action;
    private volatile Supplier<IdleStrategy> idle;

    private Barrier(final MappedRegion region, final Runnable action)
    {
        this.region = region;
        this.buffer = region.buffer();
        this.mutex = new RobustMutex(buffer, MUTEX_OFFSET);
        this.parties = buffer.getInt(PARTIES_OFFSET);
        this.slotCount = buffer.getInt(SLOT_COUNT_OFFSET);
        this.defaultTimeoutNanos = buffer.getLong(TIMEOUT_OFFSET);
        this.action = action;
    }

    /**
     * Python's {@code Barrier(parties)}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param parties   at least 1.
     * @return the barrier.
     */
    public static Barrier create(final RuntimeDirectory directory, final String name, final int parties)
    {
        return create(directory, name, parties, null, null);
    }

    /**
     * Python's {@code Barrier(parties, action, timeout)}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param parties   at least 1.
     * @param action    run by the last arriver of each generation in this JVM, or null.
     * @param timeout   default timeout of {@link #await()}, or null for none.
     * @return the barrier.
     */
    public static Barrier create(
        final RuntimeDirectory directory, final String name, final int parties, final Runnable action, final Duration timeout)
    {
        if (parties < 1 || parties > 1 << 16)
        {
            throw new IllegalArgumentException("parties=" + parties + " is out of range 1.." + (1 << 16));
        }
        final int slots = 2 * parties + 8;
        final MappedRegion region = MappedRegion.create(
            directory.resolve(name), RegionType.BARRIER, 0, SLOTS_OFFSET + (long)slots * SLOT_LENGTH);
        final AtomicBuffer buffer = region.buffer();
        buffer.putInt(PARTIES_OFFSET, parties);
        buffer.putInt(SLOT_COUNT_OFFSET, slots);
        buffer.putLong(TIMEOUT_OFFSET, timeout == null ? -1 : Math.max(0, IdleStrategies.toNanos(timeout)));
        region.publish();
        return SharedObjects.register(new Barrier(region, action));
    }

    /**
     * Python's {@code Barrier(parties)} in this JVM's default runtime directory.
     *
     * @param parties at least 1.
     * @return the barrier.
     */
    public static Barrier create(final int parties)
    {
        return create(RuntimeDirectory.global(), Names.unique("barrier"), parties);
    }

    /**
     * Attach to an existing Barrier by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the barrier.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    public static Barrier attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    /**
     * Attach to an existing barrier, with no action in this JVM.
     *
     * @param file its region file.
     * @return the barrier.
     * @throws InvalidRegionException if the file is not a valid barrier region.
     */
    public static Barrier attach(final Path file)
    {
        return attach(file, null);
    }

    /**
     * Attach to an existing barrier.
     *
     * @param file   its region file.
     * @param action run when this JVM's thread arrives last, or null.
     * @return the barrier.
     * @throws InvalidRegionException if the file is not a valid barrier region.
     */
    public static Barrier attach(final Path file, final Runnable action)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.BARRIER);
        try
        {
            if (region.payloadLength() < SLOTS_OFFSET)
            {
                throw new InvalidRegionException(file, "barrier payload is " + region.payloadLength() + " bytes");
            }
            final AtomicBuffer buffer = region.buffer();
            final int parties = buffer.getInt(PARTIES_OFFSET);
            final int slots = buffer.getInt(SLOT_COUNT_OFFSET);
            if (parties < 1 || slots < parties || SLOTS_OFFSET + (long)slots * SLOT_LENGTH > region.payloadLength())
            {
                throw new InvalidRegionException(file, "corrupt barrier: parties=" + parties + ", slots=" + slots +
                    ", payloadLength=" + region.payloadLength());
            }
            return new Barrier(region, action);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    /**
     * Use this idle strategy when waiting on this barrier (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    public Barrier withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    /**
     * Set the action this JVM runs when one of its threads arrives last.
     *
     * @param action the action, or null.
     * @return this.
     */
    public Barrier withAction(final Runnable action)
    {
        this.action = action;
        return this;
    }

    private Supplier<IdleStrategy> idle()
    {
        final Supplier<IdleStrategy> own = idle;
        return own != null ? own : IdleStrategies.forRegion(region.path());
    }

    /**
     * Wait for all parties, with the barrier's default timeout if it has one.
     *
     * @return the arrival index, 0 for the first, {@code parties - 1} for the last.
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting.
     * @throws TimeoutException       if the default timeout elapsed (the barrier is now broken).
     * @throws InterruptedException   if interrupted while waiting (the barrier is now broken).
     */
    public int await() throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return await(defaultTimeoutNanos < 0 ? Long.MAX_VALUE : defaultTimeoutNanos);
    }

    /**
     * Wait for all parties, at most {@code timeout}.
     *
     * @param timeout at most this long (null: forever).
     * @return the arrival index.
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting.
     * @throws TimeoutException       if the timeout elapsed (the barrier is now broken).
     * @throws InterruptedException   if interrupted while waiting (the barrier is now broken).
     */
    public int await(final Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return await(IdleStrategies.toNanos(timeout));
    }

    /**
     * As {@link #await(Duration)}.
     *
     * @param timeout at most this long.
     * @param unit    its unit.
     * @return the arrival index.
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting.
     * @throws TimeoutException       if the timeout elapsed.
     * @throws InterruptedException   if interrupted while waiting.
     */
    public int await(final long timeout, final TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return await(unit.toNanos(timeout));
    }

    private void lockMutex()
    {
        try
        {
            mutex.acquire(OwnerWord.current(), Long.MAX_VALUE, false, idle());
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException("not interruptible", ex);
        }
    }

    private int await(final long timeoutNanos) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        if (Thread.interrupted())
        {
            abort();
            throw new InterruptedException();
        }
        final long start = System.nanoTime();
        final Supplier<IdleStrategy> supplier = idle();
        int slot;
        long generation;
        int index;
        IdleStrategy idleStrategy = null;
        while (true)
        {
            lockMutex();
            if (buffer.getIntVolatile(BROKEN_OFFSET) != 0)
            {
                mutex.release();
                throw new BrokenBarrierException();
            }
            generation = buffer.getLong(GENERATION_OFFSET);
            final int count = buffer.getInt(COUNT_OFFSET);
            slot = claimSlot(generation);
            if (slot >= 0)
            {
                index = count;
                buffer.putIntVolatile(COUNT_OFFSET, count + 1);
                break;
            }
            // table full of waiters of the previous generation that have not yet woken: let them
            mutex.release();
            if (idleStrategy == null)
            {
                idleStrategy = idleCache.get(supplier);
            }
            idleStrategy.idle();
        }

        if (index + 1 == parties)
        {
            // last arriver: the slot (WAITING) marks this process as a party, so that if it dies inside
            // the action the others see it and break the barrier
            final Runnable todo = action;
            if (todo != null)
            {
                try
                {
                    todo.run();
                }
                catch (final RuntimeException | Error ex)
                {
                    breakBarrier();
                    freeSlot(slot);
                    mutex.release();
                    throw ex;
                }
            }
            releaseAll(generation);
            freeSlot(slot);
            mutex.release();
            return index;
        }
        mutex.release();

        idleStrategy = idleCache.get(supplier);
        long nextCheck = System.nanoTime() + OwnerWord.LIVENESS_INTERVAL_NANOS;
        while (true)
        {
            final int state = buffer.getIntVolatile(slot + SLOT_STATE_OFFSET);
            if (state == RELEASED)
            {
                freeSlot(slot);
                return index;
            }
            if (state == BROKEN)
            {
                freeSlot(slot);
                throw new BrokenBarrierException();
            }
            final long now = System.nanoTime();
            if (now - nextCheck >= 0)
            {
                nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
                if (anyPartyDead(generation))
                {
                    abort();
                    continue;
                }
            }
            final boolean interrupted = Thread.interrupted();
            if (interrupted || (timeoutNanos != Long.MAX_VALUE && now - start >= timeoutNanos))
            {
                lockMutex();
                final int again = buffer.getIntVolatile(slot + SLOT_STATE_OFFSET);
                if (again == WAITING)
                {
                    breakBarrier();
                }
                mutex.release();
                freeSlot(slot);
                if (again == RELEASED)
                {
                    if (interrupted)
                    {
                        Thread.currentThread().interrupt();   // tripped anyway: keep the interrupt for later
                    }
                    return index;
                }
                if (interrupted)
                {
                    throw new InterruptedException();
                }
                if (again == WAITING)
                {
                    throw new TimeoutException("barrier " + region.path() + " timed out after " +
                        TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms with " + (index + 1) + " of " + parties +
                        " parties arrived; it is now broken");
                }
                throw new BrokenBarrierException();
            }
            idleStrategy.idle();
        }
    }

    private int claimSlot(final long generation)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == FREE && buffer.getLongVolatile(slot + SLOT_PID_OFFSET) == 0)
                {
                    buffer.putLong(slot + SLOT_GENERATION_OFFSET, generation);
                    buffer.putLong(slot + SLOT_START_TIME_OFFSET, OwnerWord.START_TIME);
                    buffer.putLong(slot + SLOT_PID_OFFSET, OwnerWord.PID);
                    buffer.putIntRelease(slot + SLOT_STATE_OFFSET, WAITING);
                    return slot;
                }
            }
            // free the slots of dead processes that were released or broken but never woke
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                final int state = buffer.getIntVolatile(slot + SLOT_STATE_OFFSET);
                if ((state == RELEASED || state == BROKEN) &&
                    OwnerWord.isSlotDead(buffer, slot + SLOT_PID_OFFSET, slot + SLOT_START_TIME_OFFSET))
                {
                    freeSlot(slot);
                }
            }
        }
        return -1;
    }

    private void freeSlot(final int slot)
    {
        buffer.putLong(slot + SLOT_START_TIME_OFFSET, 0);
        buffer.putLong(slot + SLOT_PID_OFFSET, 0);
        buffer.putIntRelease(slot + SLOT_STATE_OFFSET, FREE);
    }

    private boolean anyPartyDead(final long generation)
    {
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == WAITING &&
                buffer.getLongVolatile(slot + SLOT_GENERATION_OFFSET) == generation &&
                OwnerWord.isSlotDead(buffer, slot + SLOT_PID_OFFSET, slot + SLOT_START_TIME_OFFSET) &&
                buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == WAITING)
            {
                return true;
            }
        }
        return false;
    }

    /** Under the mutex: mark every waiting slot with {@code outcome}. */
    private void settleWaiters(final int outcome)
    {
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (buffer.getIntVolatile(slot + SLOT_STATE_OFFSET) == WAITING)
            {
                buffer.putIntRelease(slot + SLOT_STATE_OFFSET, outcome);
            }
        }
    }

    private void releaseAll(final long generation)
    {
        buffer.putIntVolatile(COUNT_OFFSET, 0);
        buffer.putLongVolatile(GENERATION_OFFSET, generation + 1);
        settleWaiters(RELEASED);
    }

    private void breakBarrier()
    {
        buffer.putIntVolatile(BROKEN_OFFSET, 1);
        settleWaiters(BROKEN);
    }

    /**
     * Put the barrier into the broken state: current and later waiters get {@link BrokenBarrierException}
     * until {@link #reset()}.
     */
    public void abort()
    {
        lockMutex();
        try
        {
            breakBarrier();
        }
        finally
        {
            mutex.release();
        }
    }

    /**
     * Return the barrier to its initial state: waiters now waiting get {@link BrokenBarrierException}, and
     * it is no longer broken.
     */
    public void reset()
    {
        lockMutex();
        try
        {
            settleWaiters(BROKEN);
            buffer.putIntVolatile(COUNT_OFFSET, 0);
            buffer.putLongVolatile(GENERATION_OFFSET, buffer.getLong(GENERATION_OFFSET) + 1);
            buffer.putIntVolatile(BROKEN_OFFSET, 0);
        }
        finally
        {
            mutex.release();
        }
    }

    /**
     * @return the number of parties needed to trip the barrier.
     */
    public int parties()
    {
        return parties;
    }

    /**
     * @return the number of parties waiting now (Python's {@code n_waiting}).
     */
    public int nWaiting()
    {
        return buffer.getIntVolatile(COUNT_OFFSET);
    }

    /**
     * @return whether the barrier is broken.
     */
    public boolean isBroken()
    {
        return buffer.getIntVolatile(BROKEN_OFFSET) != 0;
    }

    /**
     * @return the default timeout, or null if none.
     */
    public Duration timeout()
    {
        return defaultTimeoutNanos < 0 ? null : Duration.ofNanos(defaultTimeoutNanos);
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

    @Override
    public void close()
    {
        region.close();
    }

    @Override
    public String toString()
    {
        return "Barrier{" + region.path() + ", parties=" + parties + ", waiting=" + nWaiting() +
            (isBroken() ? ", broken" : "") + '}';
    }

    private Object writeReplace()
    {
        final Runnable todo = action;
        return new Handle(region.path().toString(), todo instanceof Serializable ? todo : null);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a Barrier travels as a Barrier.Handle");
    }

    /**
     * The serialized form of a barrier: its path and, if serializable, its action.
     */
    static final class Handle implements Serializable
    {
        private static final long serialVersionUID = 1L;

        private final String path;
        private final Runnable action;

        Handle(final String path, final Runnable action)
        {
            this.path = path;
            this.action = action;
        }

        Object readResolve() throws InvalidObjectException
        {
            try
            {
                final Barrier barrier = (Barrier)SharedObjects.attach(Barrier.class.getName(), Paths.get(path));
                if (action != null && barrier.action == null)
                {
                    barrier.action = action;
                }
                return barrier;
            }
            catch (final RuntimeException ex)
            {
                final InvalidObjectException ioe = new InvalidObjectException("cannot attach barrier " + path + ": " + ex.getMessage());
                ioe.initCause(ex);
                throw ioe;
            }
        }
    }
}

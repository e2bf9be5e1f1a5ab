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
 * The memory-mapped implementation of {@link Barrier}.
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
 */
final class MappedBarrier implements Barrier, SharedObject
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

    private MappedBarrier(final MappedRegion region, final Runnable action)
    {
        this.region = region;
        this.buffer = region.buffer();
        this.mutex = new RobustMutex(buffer, MUTEX_OFFSET);
        this.parties = buffer.getInt(PARTIES_OFFSET);
        this.slotCount = buffer.getInt(SLOT_COUNT_OFFSET);
        this.defaultTimeoutNanos = buffer.getLong(TIMEOUT_OFFSET);
        this.action = action;
    }

    static MappedBarrier create(final RuntimeDirectory directory, final String name, final int parties)
    {
        return create(directory, name, parties, null, null);
    }

    static MappedBarrier create(
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
        return SharedObjects.register(new MappedBarrier(region, action));
    }

    static MappedBarrier create(final int parties)
    {
        return create(RuntimeDirectory.global(), Names.unique("barrier"), parties);
    }

    static MappedBarrier attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedBarrier attach(final Path file)
    {
        return attach(file, null);
    }

    static MappedBarrier attach(final Path file, final Runnable action)
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
            return new MappedBarrier(region, action);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    @Override
    public Barrier withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    @Override
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

    @Override
    public int await() throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return await(defaultTimeoutNanos < 0 ? Long.MAX_VALUE : defaultTimeoutNanos);
    }

    @Override
    public int await(final Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return await(IdleStrategies.toNanos(timeout));
    }

    @Override
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

    @Override
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

    @Override
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

    @Override
    public int parties()
    {
        return parties;
    }

    @Override
    public int nWaiting()
    {
        return buffer.getIntVolatile(COUNT_OFFSET);
    }

    @Override
    public boolean isBroken()
    {
        return buffer.getIntVolatile(BROKEN_OFFSET) != 0;
    }

    @Override
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
                final MappedBarrier barrier = (MappedBarrier)SharedObjects.attach(MappedBarrier.class.getName(), Paths.get(path));
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

package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The memory-mapped implementation of {@link Semaphore}.
 *
 * <p>Layout (payload of a {@link RegionType#SEMAPHORE} region; variant 0 = Semaphore, 1 = bounded):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Value: permits available (64 bits)           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to end of cache line              ...
 *  +---------------------------------------------------------------+ 64
 *  |              Bound (64 bits; Long.MAX_VALUE if unbounded)     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |           Holder slot count (0: dead holders not recovered)   |
 *  +---------------------------------------------------------------+
 *  |                         Reserved                              |
 *  +---------------------------------------------------------------+
 *  |            Reclaimed permits, total (64 bits)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Untracked acquisitions (table full, 64 bits)       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to end of cache line              ...
 *  +---------------------------------------------------------------+ 128
 *  |   Holder slot 0: pid (0 free, -1 being reclaimed, 64 bits)    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 start time of that process (64 bits)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  permits it holds (64 bits)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Reserved to the end of the slot's cache line        ...
 *  +---------------------------------------------------------------+ 192
 *  |         Holder slots 1 .. count-1, 64 bytes each             ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
class MappedSemaphore extends MappedObject implements Semaphore
{
    /** Holder slots of a semaphore that recovers the permits of dead holders. */
    public static final int DEFAULT_HOLDER_SLOTS = 64;

    static final int VALUE_OFFSET = 0;

    static final int BOUND_OFFSET = 64;

    static final int SLOT_COUNT_OFFSET = 72;

    static final int RECLAIMED_OFFSET = 80;

    static final int UNTRACKED_OFFSET = 88;

    static final int SLOTS_OFFSET = 128;

    static final int SLOT_LENGTH = 64;

    static final int SLOT_PID_OFFSET = 0;

    static final int SLOT_START_TIME_OFFSET = 8;

    static final int SLOT_HELD_OFFSET = 16;

    static final int VARIANT_UNBOUNDED = 0;

    static final int VARIANT_BOUNDED = 1;

    private static final int SLOT_UNKNOWN = -1;

    private static final int SLOT_NONE = -2;

    private static final long RECLAIMING = -1;

    private final AtomicBuffer buffer;

    private final long bound;

    private final int slotCount;

    private final IdleCache idleCache = new IdleCache();

    private volatile int mySlot = SLOT_UNKNOWN;

    private volatile Supplier<IdleStrategy> idle;

    MappedSemaphore(final MappedRegion region)
    {
        super(region);
        this.buffer = region.buffer();
        this.bound = buffer().getLong(BOUND_OFFSET);
        this.slotCount = buffer().getInt(SLOT_COUNT_OFFSET);
    }

    static MappedSemaphore create(final RuntimeDirectory directory, final String name, final long value)
    {
        return create(directory, name, value, false);
    }

    static MappedSemaphore create(
        final RuntimeDirectory directory, final String name, final long value, final boolean recoverDeadHolders)
    {
        return SharedObjects.register(
            new MappedSemaphore(make(directory.resolve(name), VARIANT_UNBOUNDED, value, Long.MAX_VALUE, recoverDeadHolders)));
    }

    static MappedSemaphore create(final long value)
    {
        return create(RuntimeDirectory.global(), Names.unique("semaphore"), value);
    }

    static MappedRegion make(final Path file, final int variant, final long value, final long bound, final boolean recover)
    {
        return make(file, variant, value, bound, recover ? DEFAULT_HOLDER_SLOTS : 0);
    }

    static MappedRegion make(final Path file, final int variant, final long value, final long bound, final int slots)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("semaphore initial value must be >= 0: value=" + value);
        }
        final MappedRegion region = MappedRegion.create(file, RegionType.SEMAPHORE, variant, SLOTS_OFFSET + (long)slots * SLOT_LENGTH);
        final AtomicBuffer buffer = region.buffer();
        buffer.putLong(VALUE_OFFSET, value);
        buffer.putLong(BOUND_OFFSET, bound);
        buffer.putInt(SLOT_COUNT_OFFSET, slots);
        region.publish();
        return region;
    }

    static MappedRegion open(final Path file, final int requiredVariant)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.SEMAPHORE);
        try
        {
            final int variant = region.variant();
            if (variant != VARIANT_UNBOUNDED && variant != VARIANT_BOUNDED)
            {
                throw new InvalidRegionException(file, "unknown semaphore variant " + variant);
            }
            if (requiredVariant >= 0 && variant != requiredVariant)
            {
                throw new InvalidRegionException(file, "is an unbounded Semaphore, not a BoundedSemaphore");
            }
            if (region.payloadLength() < SLOTS_OFFSET)
            {
                throw new InvalidRegionException(file, "semaphore payload is " + region.payloadLength() + " bytes, expected at least " + SLOTS_OFFSET);
            }
            final AtomicBuffer buffer = region.buffer();
            final int slots = buffer.getInt(SLOT_COUNT_OFFSET);
            final long bound = buffer.getLong(BOUND_OFFSET);
            if (slots < 0 || SLOTS_OFFSET + (long)slots * SLOT_LENGTH > region.payloadLength() || bound < 0)
            {
                throw new InvalidRegionException(file, "corrupt semaphore: slots=" + slots + ", bound=" + bound +
                    ", payloadLength=" + region.payloadLength());
            }
            return region;
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    static MappedSemaphore attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedSemaphore attach(final Path file)
    {
        final MappedRegion region = open(file, -1);
        return region.variant() == VARIANT_BOUNDED ? new MappedBoundedSemaphore(region) : new MappedSemaphore(region);
    }

    @Override
    public Semaphore withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    private Supplier<IdleStrategy> idle()
    {
        final Supplier<IdleStrategy> own = idle;
        return own != null ? own : IdleStrategies.forRegion(region.path());
    }

    @Override
    public void acquire() throws InterruptedException
    {
        acquire(Long.MAX_VALUE);
    }

    @Override
    public boolean acquire(final boolean block) throws InterruptedException
    {
        return block ? acquire(Long.MAX_VALUE) : tryAcquire();
    }

    @Override
    public boolean acquire(final Duration timeout) throws InterruptedException
    {
        return acquire(IdleStrategies.toNanos(timeout));
    }

    @Override
    public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return acquire(unit.toNanos(timeout));
    }

    @Override
    public boolean tryAcquire()
    {
        while (true)
        {
            final long value = buffer().getLongVolatile(VALUE_OFFSET);
            if (value <= 0)
            {
                return false;
            }
            if (buffer().compareAndSetLong(VALUE_OFFSET, value, value - 1))
            {
                if (CrashPoints.ENABLED)
                {
                    CrashPoints.reached("semaphore.acquire");
                }
                track(1);
                return true;
            }
        }
    }

    private boolean acquire(final long timeoutNanos) throws InterruptedException
    {
        if (tryAcquire())
        {
            return true;
        }
        if (timeoutNanos <= 0)
        {
            return false;
        }
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final long start = System.nanoTime();
        long nextCheck = start + OwnerWord.LIVENESS_INTERVAL_NANOS;
        final IdleStrategy idleStrategy = idleCache.get(idle());
        while (true)
        {
            if (tryAcquire())
            {
                return true;
            }
            final long now = System.nanoTime();
            if (slotCount > 0 && now - nextCheck >= 0)
            {
                nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
                if (reclaimDeadHolders() > 0)
                {
                    continue;
                }
            }
            if (timeoutNanos != Long.MAX_VALUE && now - start >= timeoutNanos)
            {
                return false;
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            idleStrategy.idle();
        }
    }

    @Override
    public void release()
    {
        release(1);
    }

    @Override
    public void release(final long n)
    {
        if (n <= 0)
        {
            throw new IllegalArgumentException("n must be >= 1: n=" + n);
        }
        long value = buffer().getLongVolatile(VALUE_OFFSET);
        if (value > bound - n)
        {
            throw releasedTooMany(value, n);
        }
        // The holder slots are debited before the permits go back: a process killed in between leaks them
        // (its slot no longer shows them, the value does not have them yet), where the other order would
        // duplicate them (back in the value, and given back again when its slot is found dead).
        untrack(n);
        if (CrashPoints.ENABLED)
        {
            CrashPoints.reached("semaphore.release");
        }
        while (!buffer().compareAndSetLong(VALUE_OFFSET, value, value + n))
        {
            value = buffer().getLongVolatile(VALUE_OFFSET);
            if (value > bound - n)
            {
                // over-released in a race with another release: the debit stays, a leak rather than a duplicate
                throw releasedTooMany(value, n);
            }
        }
    }

    private IllegalStateException releasedTooMany(final long value, final long n)
    {
        return new IllegalStateException("semaphore released too many times: value=" + value + ", n=" + n +
            ", bound=" + bound + ": " + region.path());
    }

    @Override
    public long getValue()
    {
        return buffer().getLongVolatile(VALUE_OFFSET);
    }

    @Override
    public long bound()
    {
        return bound;
    }

    @Override
    public boolean recoversDeadHolders()
    {
        return slotCount > 0;
    }

    @Override
    public long reclaimedPermits()
    {
        return buffer().getLongVolatile(RECLAIMED_OFFSET);
    }

    @Override
    public long reclaimDeadHolders()
    {
        return reclaim(false);
    }

    /**
     * @param freeEmptySlots also free the slots of dead processes that held nothing (costs a liveness
     *                       check per slot, so only done when the table is full).
     */
    private long reclaim(final boolean freeEmptySlots)
    {
        long total = 0;
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            final long pid = buffer().getLongVolatile(slot + SLOT_PID_OFFSET);
            if (pid <= 0 || (!freeEmptySlots && buffer().getLongVolatile(slot + SLOT_HELD_OFFSET) <= 0))
            {
                continue;
            }
            final long startTime = buffer().getLongVolatile(slot + SLOT_START_TIME_OFFSET);
            // our own pid with another start time is an earlier process that had our pid: judged as any other
            if (startTime == 0 || OwnerWord.isAlive(pid, startTime))
            {
                continue;
            }
            if (buffer().compareAndSetLong(slot + SLOT_PID_OFFSET, pid, RECLAIMING))
            {
                final long held = buffer().getAndSetLong(slot + SLOT_HELD_OFFSET, 0);
                if (CrashPoints.ENABLED)
                {
                    CrashPoints.reached("semaphore.reclaim");
                }
                if (held > 0)
                {
                    total += giveBack(held);
                }
                buffer().putLong(slot + SLOT_START_TIME_OFFSET, 0);
                buffer().putLongRelease(slot + SLOT_PID_OFFSET, 0);
            }
        }
        if (total > 0)
        {
            buffer().getAndAddLong(RECLAIMED_OFFSET, total);
        }
        return total;
    }

    private long giveBack(final long held)
    {
        while (true)
        {
            final long value = buffer().getLongVolatile(VALUE_OFFSET);
            final long add = Math.min(held, bound - value);
            if (add <= 0)
            {
                return 0;
            }
            if (buffer().compareAndSetLong(VALUE_OFFSET, value, value + add))
            {
                return add;
            }
        }
    }

    private void track(final long n)
    {
        if (slotCount == 0)
        {
            return;
        }
        final int slot = mySlot();
        if (slot < 0)
        {
            buffer().getAndAddLong(UNTRACKED_OFFSET, n);
            return;
        }
        buffer().getAndAddLong(slot + SLOT_HELD_OFFSET, n);
    }

    private void untrack(final long n)
    {
        if (slotCount == 0)
        {
            return;
        }
        long remaining = n;
        final int slot = mySlot();
        if (slot >= 0)
        {
            remaining -= debit(slot, remaining);
        }
        for (int i = 0; i < slotCount && remaining > 0; i++)
        {
            final int other = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (other != slot && buffer().getLongVolatile(other + SLOT_HELD_OFFSET) > 0 &&
                OwnerWord.isSlotDead(buffer, other + SLOT_PID_OFFSET, other + SLOT_START_TIME_OFFSET))
            {
                remaining -= debit(other, remaining);
            }
        }
        // A release by a process that holds none returns someone else's permit, e.g. a parent's for a child
        // that is still alive: if that holder's slot kept it, the permit would come back a second time when
        // the holder exits (found dead with a permit it no longer has). Debit a live holder then.
        for (int i = 0; i < slotCount && remaining > 0; i++)
        {
            final int other = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (other != slot && buffer().getLongVolatile(other + SLOT_HELD_OFFSET) > 0)
            {
                remaining -= debit(other, remaining);
            }
        }
    }

    private long debit(final int slot, final long n)
    {
        while (true)
        {
            final long held = buffer().getLongVolatile(slot + SLOT_HELD_OFFSET);
            final long take = Math.min(held, n);
            if (take <= 0)
            {
                return 0;
            }
            if (buffer().compareAndSetLong(slot + SLOT_HELD_OFFSET, held, held - take))
            {
                return take;
            }
        }
    }

    private int mySlot()
    {
        final int cached = mySlot;
        if (cached != SLOT_UNKNOWN)
        {
            return cached;
        }
        synchronized (this)
        {
            if (mySlot != SLOT_UNKNOWN)
            {
                return mySlot;
            }
            int found = SLOT_NONE;
            for (int i = 0; i < slotCount && found == SLOT_NONE; i++)
            {
                final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                if (buffer().getLongVolatile(slot + SLOT_PID_OFFSET) == OwnerWord.PID &&
                    buffer().getLongVolatile(slot + SLOT_START_TIME_OFFSET) == OwnerWord.START_TIME)
                {
                    found = slot;
                }
            }
            for (int pass = 0; pass < 2 && found == SLOT_NONE; pass++)
            {
                if (pass == 1)
                {
                    reclaim(true);
                }
                for (int i = 0; i < slotCount && found == SLOT_NONE; i++)
                {
                    final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                    if (buffer().compareAndSetLong(slot + SLOT_PID_OFFSET, 0, OwnerWord.PID))
                    {
                        if (CrashPoints.ENABLED)
                        {
                            CrashPoints.reached("semaphore.claim");
                        }
                        buffer().putLongVolatile(slot + SLOT_START_TIME_OFFSET, OwnerWord.START_TIME);
                        found = slot;
                    }
                }
            }
            mySlot = found;
            return found;
        }
    }

    /** @return where the holder slots start in the payload. */
    int slotsOffset()
    {
        return SLOTS_OFFSET;
    }

    @Override
    public String toString()
    {
        return getClass().getSimpleName() + "{" + region.path() + (isClosed() ? ", closed" : ", value=" + getValue()) +
            (bound == Long.MAX_VALUE ? "" : ", bound=" + bound) + '}';
    }

    /**
     * @return the payload buffer, after checking that the region is still mapped.
     * @throws IllegalStateException once every holder has closed this object.
     */
    private AtomicBuffer buffer()
    {
        ensureOpen();
        return buffer;
    }
}

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
 * <p>Layout (payload of a {@link RegionType#SEMAPHORE} region). Header variant: bit 0 set = bounded,
 * bit 1 set = with a holder table (dead holders recovered); a semaphore without one is the first 128 bytes only.
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
 *  +---------------------------------------------------------------+ 128 (end of a semaphore without holder table)
 *  |     Table mutex: a {@link RobustMutex}, 64 bytes             ...
 *  +---------------------------------------------------------------+ 192
 *  |      Journal: entry count (0 = nothing pending)               |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  +---------------------------------------------------------------+ 200
 *  |      Journal entry 0: payload offset of a 64-bit word         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  value to store there (64 bits)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      Journal entries 1 .. 6, 16 bytes each                   ...
 *  +---------------------------------------------------------------+ 312
 *  |                          Reserved                            ...
 *  +---------------------------------------------------------------+ 320
 *  |   Holder slot 0: pid (0 free, 64 bits)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 start time of that process (64 bits)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  permits it holds (64 bits)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Reserved to the end of the slot's cache line        ...
 *  +---------------------------------------------------------------+ 384
 *  |         Holder slots 1 .. count-1, 64 bytes each             ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Without a holder table the value is the whole state: acquire and release are one CAS each. With one,
 * every update spans two or more words (the value and a holder slot, or a slot's pid and start time) and a
 * process may die between any two stores. So such an update is made under the table mutex, as a redo
 * journal: the holder writes the entries (offset, new value), publishes their count, stores them in order,
 * then clears the count. A process killed anywhere in between leaves the mutex held by a dead owner; whoever
 * recovers it ({@link RobustMutex#ownerDied()}) first stores any entries still counted (storing a new value
 * twice is harmless), so an update is either wholly done or not at all: no permit and no slot is leaked or
 * duplicated. The value is written only under the mutex then, and read by waiters without it.
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

    /** The payload of a semaphore without holder table. */
    static final int BASE_LENGTH = 128;

    static final int MUTEX_OFFSET = 128;

    static final int JOURNAL_COUNT_OFFSET = 192;

    static final int JOURNAL_ENTRIES_OFFSET = 200;

    static final int JOURNAL_ENTRY_LENGTH = 16;

    static final int JOURNAL_CAPACITY = 7;

    static final int SLOTS_OFFSET = 320;

    static final int SLOT_LENGTH = 64;

    static final int SLOT_PID_OFFSET = 0;

    static final int SLOT_START_TIME_OFFSET = 8;

    static final int SLOT_HELD_OFFSET = 16;

    static final int VARIANT_UNBOUNDED = 0;

    static final int VARIANT_BOUNDED = 1;

    /** Header variant bit: the payload has a table mutex, a journal and holder slots. */
    static final int VARIANT_HOLDER_TABLE = 2;

    private static final int SLOT_UNKNOWN = -1;

    private static final int SLOT_NONE = -2;

    private final AtomicBuffer buffer;

    private final long bound;

    private final int slotCount;

    /** Serializes the multi-word updates of the holder table (null without one). */
    private final RobustMutex tableMutex;

    private final IdleCache idleCache = new IdleCache();

    private volatile int mySlot = SLOT_UNKNOWN;

    private volatile Supplier<IdleStrategy> idle;

    MappedSemaphore(final MappedRegion region)
    {
        super(region);
        this.buffer = region.buffer();
        this.bound = buffer().getLong(BOUND_OFFSET);
        this.slotCount = buffer().getInt(SLOT_COUNT_OFFSET);
        this.tableMutex = slotCount > 0 ? new RobustMutex(this, buffer, MUTEX_OFFSET) : null;
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

    /**
     * @param slots holder slots (0: dead holders not recovered); a parameter for the tests, which want few.
     */
    static MappedRegion make(final Path file, final int variant, final long value, final long bound, final int slots)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("semaphore initial value must be >= 0: value=" + value);
        }
        final MappedRegion region = MappedRegion.create(file, RegionType.SEMAPHORE,
            slots > 0 ? variant | VARIANT_HOLDER_TABLE : variant, payloadLength(slots));
        final AtomicBuffer buffer = region.buffer();
        buffer.putLong(VALUE_OFFSET, value);
        buffer.putLong(BOUND_OFFSET, bound);
        buffer.putInt(SLOT_COUNT_OFFSET, slots);
        region.publish();
        return region;
    }

    private static long payloadLength(final int slots)
    {
        return slots > 0 ? SLOTS_OFFSET + (long)slots * SLOT_LENGTH : BASE_LENGTH;
    }

    static MappedRegion open(final Path file, final int requiredVariant)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.SEMAPHORE);
        try
        {
            final int variant = region.variant();
            if ((variant & ~(VARIANT_BOUNDED | VARIANT_HOLDER_TABLE)) != 0)
            {
                throw new InvalidRegionException(file, "unknown semaphore variant " + variant);
            }
            if (requiredVariant >= 0 && (variant & VARIANT_BOUNDED) != requiredVariant)
            {
                throw new InvalidRegionException(file, "is an unbounded Semaphore, not a BoundedSemaphore");
            }
            if (region.payloadLength() < BASE_LENGTH)
            {
                throw new InvalidRegionException(file, "semaphore payload is " + region.payloadLength() + " bytes, expected at least " + BASE_LENGTH);
            }
            final AtomicBuffer buffer = region.buffer();
            final int slots = buffer.getInt(SLOT_COUNT_OFFSET);
            final long bound = buffer.getLong(BOUND_OFFSET);
            if (slots > 0 && (variant & VARIANT_HOLDER_TABLE) == 0)
            {
                throw new InvalidRegionException(file, "has a holder table in the layout of an older mp4j (without table mutex " +
                    "and journal); recreate it with this version");
            }
            if (slots < 0 || (slots == 0) != ((variant & VARIANT_HOLDER_TABLE) == 0) ||
                payloadLength(slots) > region.payloadLength() || bound < 0)
            {
                throw new InvalidRegionException(file, "corrupt semaphore: slots=" + slots + ", bound=" + bound +
                    ", variant=" + variant + ", payloadLength=" + region.payloadLength());
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
        return (region.variant() & VARIANT_BOUNDED) != 0 ? new MappedBoundedSemaphore(region) : new MappedSemaphore(region);
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
        final AtomicBuffer buffer = buffer();
        if (slotCount == 0)
        {
            while (true)
            {
                final long value = buffer.getLongVolatile(VALUE_OFFSET);
                if (value <= 0)
                {
                    return false;
                }
                if (buffer.compareAndSetLong(VALUE_OFFSET, value, value - 1))
                {
                    return true;
                }
            }
        }
        if (buffer.getLongVolatile(VALUE_OFFSET) <= 0)
        {
            return false;
        }
        final int slot = mySlot();
        lockTable();
        try
        {
            final long value = buffer.getLongVolatile(VALUE_OFFSET);
            if (value <= 0)
            {
                return false;
            }
            final int heldOffset = slot >= 0 ? slot + SLOT_HELD_OFFSET : UNTRACKED_OFFSET;
            journal(0, VALUE_OFFSET, value - 1);
            journal(1, heldOffset, buffer.getLong(heldOffset) + 1);
            commit(2, "semaphore.acquire");
            return true;
        }
        finally
        {
            tableMutex.release();
        }
    }

    private boolean acquire(final long timeoutNanos) throws InterruptedException
    {
        // interrupted on entry: throw even if a permit is free, as java.util.concurrent.Semaphore does
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        if (tryAcquire())
        {
            return true;
        }
        if (timeoutNanos <= 0)
        {
            return false;
        }
        final long start = System.nanoTime();
        long nextCheck = start + OwnerWord.LIVENESS_INTERVAL_NANOS;
        final IdleStrategy idleStrategy = idleCache.get(idle());
        // counted while waiting, so that a close by another thread waits for this one to leave before it unmaps
        enterWait();
        try
        {
            while (true)
            {
                checkClosing();
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
        finally
        {
            exitWait();
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
        final AtomicBuffer buffer = buffer();
        if (slotCount == 0)
        {
            while (true)
            {
                final long value = buffer.getLongVolatile(VALUE_OFFSET);
                if (value > bound - n)
                {
                    throw releasedTooMany(value, n);
                }
                if (buffer.compareAndSetLong(VALUE_OFFSET, value, value + n))
                {
                    return;
                }
            }
        }
        final int slot = mySlot();
        lockTable();
        try
        {
            final long value = buffer.getLongVolatile(VALUE_OFFSET);
            if (value > bound - n)
            {
                throw releasedTooMany(value, n);
            }
            long remaining = n;
            if (slot >= 0)
            {
                remaining -= debit(slot, remaining);
            }
            for (int i = 0; i < slotCount && remaining > 0; i++)
            {
                final int other = SLOTS_OFFSET + i * SLOT_LENGTH;
                if (other != slot && buffer.getLong(other + SLOT_HELD_OFFSET) > 0 &&
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
                if (other != slot && buffer.getLong(other + SLOT_HELD_OFFSET) > 0)
                {
                    remaining -= debit(other, remaining);
                }
            }
            if (remaining > 0)
            {
                // permits no slot accounts for (acquired untracked): one store, nothing to journal
                buffer.putLongRelease(VALUE_OFFSET, buffer.getLong(VALUE_OFFSET) + remaining);
            }
        }
        finally
        {
            tableMutex.release();
        }
    }

    /**
     * Under the table mutex: move up to {@code n} permits from a holder slot back to the value, as one
     * journalled update, so that a death in between neither leaks them nor gives them back twice.
     */
    private long debit(final int slot, final long n)
    {
        final long held = buffer.getLong(slot + SLOT_HELD_OFFSET);
        final long take = Math.min(held, n);
        if (take <= 0)
        {
            return 0;
        }
        journal(0, slot + SLOT_HELD_OFFSET, held - take);
        journal(1, VALUE_OFFSET, buffer.getLong(VALUE_OFFSET) + take);
        commit(2, "semaphore.release");
        return take;
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
     * Liveness is judged without the table mutex (it reads {@code /proc}); the slot is then freed under it,
     * if it still belongs to the process judged dead (a dead process stays dead).
     *
     * @param freeEmptySlots also free the slots of dead processes that held nothing (costs a liveness
     *                       check per slot, so only done when the table is full).
     */
    private long reclaim(final boolean freeEmptySlots)
    {
        final AtomicBuffer buffer = buffer();
        final long owner = tableMutex.owner();
        if (owner != 0 && tableMutex.isOwnerDead(owner))
        {
            // a process killed amid an update may hold permits that no slot shows yet: finish its update
            lockTable();
            tableMutex.release();
        }
        long total = 0;
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            final long pid = buffer.getLongVolatile(slot + SLOT_PID_OFFSET);
            if (pid <= 0 || (!freeEmptySlots && buffer.getLongVolatile(slot + SLOT_HELD_OFFSET) <= 0))
            {
                continue;
            }
            final long startTime = buffer.getLongVolatile(slot + SLOT_START_TIME_OFFSET);
            // our own pid with another start time is an earlier process that had our pid: judged as any other
            if (startTime == 0 || OwnerWord.isAlive(pid, startTime))
            {
                continue;
            }
            lockTable();
            try
            {
                if (buffer.getLong(slot + SLOT_PID_OFFSET) == pid && buffer.getLong(slot + SLOT_START_TIME_OFFSET) == startTime)
                {
                    final long held = buffer.getLong(slot + SLOT_HELD_OFFSET);
                    final long available = buffer.getLong(VALUE_OFFSET);
                    // recovered permits never take a bounded semaphore above its bound
                    final long add = Math.max(0, Math.min(held, bound - available));
                    journal(0, slot + SLOT_HELD_OFFSET, 0);
                    journal(1, VALUE_OFFSET, available + add);
                    journal(2, slot + SLOT_START_TIME_OFFSET, 0);
                    journal(3, slot + SLOT_PID_OFFSET, 0);
                    journal(4, RECLAIMED_OFFSET, buffer.getLong(RECLAIMED_OFFSET) + add);
                    commit(5, "semaphore.reclaim");
                    total += add;
                }
            }
            finally
            {
                tableMutex.release();
            }
        }
        return total;
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
            int found = claimSlot();
            if (found == SLOT_NONE)
            {
                reclaim(true);
                found = claimSlot();
            }
            mySlot = found;
            return found;
        }
    }

    /**
     * @return this process's slot (found, as an earlier handle of this JVM claimed it, or claimed now), or
     * {@link #SLOT_NONE} if the table is full.
     */
    private int claimSlot()
    {
        final AtomicBuffer buffer = buffer();
        lockTable();
        try
        {
            int free = SLOT_NONE;
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                final long pid = buffer.getLong(slot + SLOT_PID_OFFSET);
                if (pid == OwnerWord.PID && buffer.getLong(slot + SLOT_START_TIME_OFFSET) == OwnerWord.START_TIME)
                {
                    return slot;
                }
                if (pid == 0 && free == SLOT_NONE)
                {
                    free = slot;
                }
            }
            if (free != SLOT_NONE)
            {
                journal(0, free + SLOT_PID_OFFSET, OwnerWord.PID);
                journal(1, free + SLOT_START_TIME_OFFSET, OwnerWord.START_TIME);
                commit(2, "semaphore.claim");
            }
            return free;
        }
        finally
        {
            tableMutex.release();
        }
    }

    /**
     * Take the table mutex, recovering it from a dead holder after a liveness interval, and then finish the
     * update that holder had committed but not wholly stored.
     */
    private void lockTable()
    {
        final long me = OwnerWord.current();
        if (!tableMutex.tryAcquireFree(me))
        {
            try
            {
                tableMutex.acquire(me, Long.MAX_VALUE, false, idle());
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException("not interruptible", ex);
            }
        }
        if (tableMutex.ownerDied())
        {
            final int pending = buffer.getIntVolatile(JOURNAL_COUNT_OFFSET);
            if (pending != 0)
            {
                if (pending < 0 || pending > JOURNAL_CAPACITY)
                {
                    tableMutex.release();
                    throw new IllegalStateException("corrupt semaphore journal: " + pending + " entries: " + region.path());
                }
                store(pending, null);
            }
        }
    }

    /** Under the table mutex: entry {@code i} of the next update. */
    private void journal(final int i, final int offset, final long value)
    {
        final int entry = JOURNAL_ENTRIES_OFFSET + i * JOURNAL_ENTRY_LENGTH;
        buffer.putLong(entry, offset);
        buffer.putLong(entry + 8, value);
    }

    /**
     * Under the table mutex: publish the journalled update of {@code count} entries, then make it. From the
     * count's store on, the update counts as made: a holder that recovers the mutex from us stores it again.
     *
     * @param crashPoint the test-only crash point between the first and the second store.
     */
    private void commit(final int count, final String crashPoint)
    {
        buffer.putIntRelease(JOURNAL_COUNT_OFFSET, count);
        store(count, crashPoint);
    }

    /**
     * Store the journal's first {@code count} entries, then clear it (each a release store, so in order).
     *
     * @param crashPoint the test-only crash point after the first store, or null.
     */
    private void store(final int count, final String crashPoint)
    {
        for (int i = 0; i < count; i++)
        {
            final int entry = JOURNAL_ENTRIES_OFFSET + i * JOURNAL_ENTRY_LENGTH;
            buffer.putLongRelease((int)buffer.getLong(entry), buffer.getLong(entry + 8));
            if (CrashPoints.ENABLED && i == 0 && crashPoint != null)
            {
                CrashPoints.reached(crashPoint);
            }
        }
        buffer.putIntRelease(JOURNAL_COUNT_OFFSET, 0);
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

    /**
     * @return what a semaphore region holds now, for {@link RegionInspector}s: {@code "3 permits"}, or for a
     * bounded one {@code "3 of 5 permits"}.
     */
    static String describe(final int variant, final org.agrona.concurrent.AtomicBuffer payload)
    {
        final long value = payload.getLongVolatile(VALUE_OFFSET);
        return (variant & VARIANT_BOUNDED) != 0
            ? value + " of " + payload.getLong(BOUND_OFFSET) + " permits"
            : value + (value == 1 ? " permit" : " permits");
    }
}

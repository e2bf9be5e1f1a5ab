package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.InvalidObjectException;
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
 * <p>How a round works: the whole barrier is one 64-bit state word, {@code generation << 32 | broken << 31
 * | arrived}, alone on its cache line. A thread takes a slot of the waiter table (a CAS on the slot's owner
 * word, on a line of its own; the slot it had last time is usually free), records the generation in it
 * and marks it WAITING, then arrives with a CAS that adds one to {@code arrived}; its arrival index is the
 * count before. The last arriver runs the action and releases everyone with one CAS of the state word to
 * {@code (generation + 1, 0)}. Waiters spin (then back off, per their {@link IdleStrategy}) on the state
 * word alone, and free their slot when it changes. Breaking sets the broken bit; a broken generation can
 * never trip (the last arriver's CAS expects it clear). {@link #reset()} breaks the generation, marks the
 * slots still WAITING in it BROKEN, and only then moves to the next generation, so that a waiter that sees
 * the generation change tells a reset (its slot says BROKEN) from a release.
 *
 * <p>Layout (payload of a {@link RegionType#BARRIER} region, header variant {@value #LAYOUT_VARIANT}):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Parties                              |
 *  +---------------------------------------------------------------+
 *  |                     Waiter slot count                         |
 *  +---------------------------------------------------------------+
 *  |       Default timeout in nanoseconds (64 bits, -1: none)      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to offset 128                     ...
 *  +---------------------------------------------------------------+ 128
 *  |    State word, 64 bits: bits 63..32 generation,               |
 *  |    bit 31 broken, bits 30..0 arrived in this generation       |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to offset 256                     ...
 *  +---------------------------------------------------------------+ 256
 *  |   Waiter slot 0: owner, pid &lt;&lt; 32 | thread id (0: free,      |
 *  |   -1: being reclaimed)                                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        start time of the owner's process (64 bits)            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |    generation it waits in (64 bits; low 32 bits used)         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        state: 0 FREE, 1 WAITING, 3 BROKEN (by a reset)        |
 *  +---------------------------------------------------------------+
 *  |          Reserved to offset 256 + 128                        ...
 *  +---------------------------------------------------------------+ 384
 *  |   Waiter slots 1 .. count-1 (count = 2 * parties + 8),       ...
 *  |   128 bytes each (two cache lines: the adjacent-line          |
 *  |   prefetcher must not couple the slots of two parties)        |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class MappedBarrier extends MappedObject implements Barrier
{
    /** The header variant of this layout (variant 0 was a mutex-guarded layout of earlier versions). */
    static final int LAYOUT_VARIANT = 1;
    static final int PARTIES_OFFSET = 0;
    static final int SLOT_COUNT_OFFSET = 4;
    static final int TIMEOUT_OFFSET = 8;
    static final int STATE_OFFSET = 128;
    static final int SLOTS_OFFSET = 256;
    static final int SLOT_LENGTH = 128;
    static final int SLOT_OWNER_OFFSET = 0;
    static final int SLOT_START_TIME_OFFSET = 8;
    static final int SLOT_GENERATION_OFFSET = 16;
    static final int SLOT_STATE_OFFSET = 24;

    static final int FREE = 0;
    static final int WAITING = 1;
    static final int BROKEN = 3;

    /** A slot's owner word while a reclaimer clears it: no valid owner word (pids are positive), never claimed. */
    static final long RECLAIMING = -1;

    static final long BROKEN_BIT = 1L << 31;
    static final long ARRIVED_MASK = BROKEN_BIT - 1;

    /** Idle calls of a waiter during which it reads the clock (for timeout and liveness) only every 8th time. */
    private static final int CLOCK_FREE_SPINS = 64;

    private final AtomicBuffer buffer;
    private final int parties;
    private final int slotCount;
    private final long defaultTimeoutNanos;
    private final ThreadLocal<Waiter> waiters = ThreadLocal.withInitial(Waiter::new);
    private volatile Runnable action;
    private volatile Supplier<IdleStrategy> idle;

    private MappedBarrier(final MappedRegion region, final Runnable action)
    {
        super(region);
        this.buffer = region.buffer();
        this.parties = buffer().getInt(PARTIES_OFFSET);
        this.slotCount = buffer().getInt(SLOT_COUNT_OFFSET);
        this.defaultTimeoutNanos = buffer().getLong(TIMEOUT_OFFSET);
        this.action = action;
    }

    /** What a thread keeps between its waits on this barrier: its idle strategy and the slot it had last. */
    private static final class Waiter
    {
        Supplier<IdleStrategy> supplier;
        IdleStrategy strategy;
        int slot = -1;

        IdleStrategy idle(final Supplier<IdleStrategy> wanted)
        {
            if (strategy == null || supplier != wanted)
            {
                supplier = wanted;
                strategy = wanted.get();
            }
            strategy.reset();
            return strategy;
        }
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
            directory.resolve(name), RegionType.BARRIER, LAYOUT_VARIANT, SLOTS_OFFSET + (long)slots * SLOT_LENGTH);
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
            if (region.variant() != LAYOUT_VARIANT)
            {
                throw new InvalidRegionException(file, "barrier layout variant " + region.variant() +
                    " is not the one this mp4j uses (" + LAYOUT_VARIANT + "): made by another mp4j version");
            }
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

    private static long generationOf(final long state)
    {
        return state >>> 32;
    }

    private static int arrivedOf(final long state)
    {
        return (int)(state & ARRIVED_MASK);
    }

    private static boolean isBroken(final long state)
    {
        return (state & BROKEN_BIT) != 0;
    }

    private int await(final long timeoutNanos) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        if (Thread.interrupted())
        {
            abort();
            throw new InterruptedException();
        }
        // counted for the whole wait, so that a close by another thread waits for this one to leave before it unmaps
        enterWait();
        try
        {
            return awaitCounted(timeoutNanos);
        }
        finally
        {
            exitWait();
        }
    }

    private int awaitCounted(final long timeoutNanos) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        final boolean timed = timeoutNanos != Long.MAX_VALUE;
        final long start = timed ? System.nanoTime() : 0;
        final Waiter waiter = waiters.get();
        final Supplier<IdleStrategy> supplier = idle();
        final int slot = claimSlot(waiter, supplier);

        long arrived;
        long generation;
        IdleStrategy fullWait = null;
        long nextFullCheck = 0;
        while (true)
        {
            if (isClosing())
            {
                freeSlot(slot);
                throw closedException();
            }
            final long state = buffer().getLongVolatile(STATE_OFFSET);
            if (isBroken(state))
            {
                freeSlot(slot);
                throw new BrokenBarrierException();
            }
            generation = generationOf(state);
            if (arrivedOf(state) >= parties)
            {
                // the generation is full and its last arriver runs the action: this arrival belongs to the
                // next one (CyclicBarrier's lock makes such a thread wait the same way)
                if (fullWait == null)
                {
                    fullWait = waiter.idle(supplier);
                    nextFullCheck = System.nanoTime() + OwnerWord.LIVENESS_INTERVAL_NANOS;
                }
                else if (System.nanoTime() - nextFullCheck >= 0)
                {
                    nextFullCheck = System.nanoTime() + OwnerWord.LIVENESS_INTERVAL_NANOS;
                    if (anyPartyDead(generation))
                    {
                        breakGeneration(generation);
                    }
                }
                if (Thread.interrupted())
                {
                    // not arrived yet: leave without breaking anything (the tripping generation has all its
                    // parties, and breaking it would fail them; the next one has none of this thread)
                    freeSlot(slot);
                    throw new InterruptedException();
                }
                fullWait.idle();
                continue;
            }
            // the slot says "waiting in this generation" before the arrival counts, so that a process that
            // dies after arriving is always seen by the others' liveness checks
            buffer().putLong(slot + SLOT_GENERATION_OFFSET, generation);
            buffer().putIntRelease(slot + SLOT_STATE_OFFSET, WAITING);
            if (buffer().compareAndSetLong(STATE_OFFSET, state, state + 1))
            {
                arrived = state + 1;
                break;
            }
        }
        final int index = arrivedOf(arrived) - 1;
        if (index + 1 == parties)
        {
            return trip(slot, arrived, generation, index);
        }

        final IdleStrategy idleStrategy = waiter.idle(supplier);
        boolean interrupted = false;
        long nextCheck = 0;
        int spins = 0;
        while (true)
        {
            final long state = buffer().getLongVolatile(STATE_OFFSET);
            if (generationOf(state) != generation)
            {
                final boolean reset = buffer().getIntVolatile(slot + SLOT_STATE_OFFSET) == BROKEN;
                freeSlot(slot);
                if (interrupted)
                {
                    // tripped or broken by another party anyway: keep the interrupt for later, as CyclicBarrier does
                    Thread.currentThread().interrupt();
                }
                if (reset)
                {
                    throw new BrokenBarrierException();
                }
                return index;
            }
            if (isBroken(state))
            {
                freeSlot(slot);
                if (interrupted)
                {
                    Thread.currentThread().interrupt();   // broken by another party: keep the interrupt
                }
                throw new BrokenBarrierException();
            }
            if (isClosing())
            {
                // closed under this waiter by another thread of this JVM: leave as an interrupted party does,
                // breaking the generation (unless it is tripping: then it has all its parties and releases them)
                if (arrivedOf(state) < parties && !buffer().compareAndSetLong(STATE_OFFSET, state, state | BROKEN_BIT))
                {
                    continue;
                }
                freeSlot(slot);
                throw closedException();
            }
            // a peer on another core answers within a few spins: read the clock (about 50 ns a read here)
            // only every 8th of the first spins
            if (spins < CLOCK_FREE_SPINS && (++spins & 7) != 0)
            {
                idleStrategy.idle();
                continue;
            }
            final long now = System.nanoTime();
            if (nextCheck == 0)
            {
                nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
            }
            else if (now - nextCheck >= 0)
            {
                nextCheck = now + OwnerWord.LIVENESS_INTERVAL_NANOS;
                if (anyPartyDead(generation))
                {
                    breakGeneration(generation);
                    continue;
                }
            }
            interrupted |= Thread.interrupted();
            final boolean timedOut = timed && now - start >= timeoutNanos;
            // a generation whose last party has arrived is tripping (its action runs): wait for it
            if ((interrupted || timedOut) && arrivedOf(state) < parties)
            {
                if (buffer().compareAndSetLong(STATE_OFFSET, state, state | BROKEN_BIT))
                {
                    freeSlot(slot);
                    if (interrupted)
                    {
                        throw new InterruptedException();
                    }
                    throw new TimeoutException("barrier " + region.path() + " timed out after " +
                        TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms with " + (index + 1) + " of " + parties +
                        " parties arrived; it is now broken");
                }
                continue;   // the state moved (an arrival, a release, a break): look again
            }
            idleStrategy.idle();
        }
    }

    /** The last arriver: run the action, then release the generation with one CAS of the state word. */
    private int trip(final int slot, final long arrived, final long generation, final int index) throws BrokenBarrierException
    {
        // the slot stays WAITING while the action runs: if this process dies in it, the others break the barrier
        final Runnable todo = action;
        if (todo != null)
        {
            try
            {
                todo.run();
            }
            catch (final RuntimeException | Error ex)
            {
                breakGeneration(generation);
                freeSlot(slot);
                throw ex;
            }
        }
        final boolean released = buffer().compareAndSetLong(STATE_OFFSET, arrived, nextGeneration(generation));
        freeSlot(slot);
        if (!released)
        {
            throw new BrokenBarrierException();   // broken while the action ran (abort, or a dead party)
        }
        return index;
    }

    private static long nextGeneration(final long generation)
    {
        return (generation + 1 & 0xFFFF_FFFFL) << 32;
    }

    /**
     * Take a slot of the waiter table: the one this thread had last time if it is free (a CAS on a line
     * no other party touches), else the first free one; reclaim the slots of dead processes if none is.
     */
    private int claimSlot(final Waiter waiter, final Supplier<IdleStrategy> supplier) throws InterruptedException
    {
        final long me = OwnerWord.current();
        if (waiter.slot >= 0 && tryClaim(waiter.slot, me))
        {
            return waiter.slot;
        }
        IdleStrategy idleStrategy = null;
        while (true)
        {
            checkClosing();
            final int first = (int)(((me ^ me >>> 32) * 0x9E3779B9L >>> 1) % slotCount);
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = SLOTS_OFFSET + ((first + i) % slotCount) * SLOT_LENGTH;
                if (tryClaim(slot, me))
                {
                    waiter.slot = slot;
                    return slot;
                }
            }
            if (reclaimDeadSlots() == 0)
            {
                // every slot is taken by a live thread still leaving an earlier generation: let it go first
                if (Thread.interrupted())
                {
                    // as on entry: this thread has not arrived, and breaks the generation it was to join
                    abort();
                    throw new InterruptedException();
                }
                if (idleStrategy == null)
                {
                    idleStrategy = waiter.idle(supplier);
                }
                idleStrategy.idle();
            }
        }
    }

    private boolean tryClaim(final int slot, final long me)
    {
        if (buffer().getLongVolatile(slot + SLOT_OWNER_OFFSET) == 0 && buffer().compareAndSetLong(slot + SLOT_OWNER_OFFSET, 0, me))
        {
            buffer().putLongRelease(slot + SLOT_START_TIME_OFFSET, OwnerWord.START_TIME);
            return true;
        }
        return false;
    }

    private void freeSlot(final int slot)
    {
        buffer().putInt(slot + SLOT_STATE_OFFSET, FREE);
        buffer().putLong(slot + SLOT_START_TIME_OFFSET, 0);
        buffer().putLongRelease(slot + SLOT_OWNER_OFFSET, 0);
    }

    /**
     * @return whether the process owning the slot is dead, read consistently: owner, then start time (0 while
     * a claim is in progress, never judged), then the owner again.
     */
    private boolean isSlotOwnerDead(final int slot, final long owner)
    {
        final long startTime = buffer().getLongVolatile(slot + SLOT_START_TIME_OFFSET);
        final long pid = OwnerWord.pidOf(owner);
        return startTime != 0 &&
            buffer().getLongVolatile(slot + SLOT_OWNER_OFFSET) == owner && !OwnerWord.isAlive(pid, startTime);
    }

    /** Free the slots of dead processes, except those waiting in the current, unbroken generation. */
    private int reclaimDeadSlots()
    {
        int reclaimed = 0;
        final long state = buffer().getLongVolatile(STATE_OFFSET);
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            final long owner = buffer().getLongVolatile(slot + SLOT_OWNER_OFFSET);
            if (owner != 0 && owner != RECLAIMING && isSlotOwnerDead(slot, owner) && reclaimSlot(slot, owner, state))
            {
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /**
     * Free a slot whose owner was judged dead, unless it is a party of the current generation (its death
     * breaks the barrier instead). The slot is won with a CAS of its owner word before anything in it is
     * written: by the time a slower reclaimer of the same dead owner gets here, the slot may have been
     * freed and claimed by a live thread, whose slot it must not touch.
     *
     * @param owner the dead owner as read before judging it.
     * @param state the state word read before the scan.
     * @return whether this call freed the slot.
     */
    boolean reclaimSlot(final int slot, final long owner, final long state)
    {
        final boolean party = buffer().getIntVolatile(slot + SLOT_STATE_OFFSET) == WAITING &&
            buffer().getLong(slot + SLOT_GENERATION_OFFSET) == generationOf(state) && !isBroken(state);
        if (!party && buffer().compareAndSetLong(slot + SLOT_OWNER_OFFSET, owner, RECLAIMING))
        {
            freeSlot(slot);
            return true;
        }
        return false;
    }

    private boolean anyPartyDead(final long generation)
    {
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
            if (buffer().getIntVolatile(slot + SLOT_STATE_OFFSET) != WAITING ||
                buffer().getLongVolatile(slot + SLOT_GENERATION_OFFSET) != generation)
            {
                continue;
            }
            final long owner = buffer().getLongVolatile(slot + SLOT_OWNER_OFFSET);
            if (owner != 0 && owner != RECLAIMING && isSlotOwnerDead(slot, owner) &&
                buffer().getIntVolatile(slot + SLOT_STATE_OFFSET) == WAITING &&
                buffer().getLongVolatile(slot + SLOT_GENERATION_OFFSET) == generation)
            {
                return true;
            }
        }
        return false;
    }

    /** Set the broken bit of {@code generation}, if it is still the current one. */
    private void breakGeneration(final long generation)
    {
        while (true)
        {
            final long state = buffer().getLongVolatile(STATE_OFFSET);
            if (generationOf(state) != generation || isBroken(state) ||
                buffer().compareAndSetLong(STATE_OFFSET, state, state | BROKEN_BIT))
            {
                return;
            }
        }
    }

    @Override
    public void abort()
    {
        breakGeneration(generationOf(buffer().getLongVolatile(STATE_OFFSET)));
    }

    @Override
    public void reset()
    {
        while (true)
        {
            long state = buffer().getLongVolatile(STATE_OFFSET);
            final long generation = generationOf(state);
            if (!isBroken(state))
            {
                // once broken, the generation can neither trip nor take another arrival
                if (!buffer().compareAndSetLong(STATE_OFFSET, state, state | BROKEN_BIT))
                {
                    continue;
                }
                state |= BROKEN_BIT;
            }
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = SLOTS_OFFSET + i * SLOT_LENGTH;
                if (buffer().getLongVolatile(slot + SLOT_GENERATION_OFFSET) == generation)
                {
                    buffer().compareAndSetInt(slot + SLOT_STATE_OFFSET, WAITING, BROKEN);
                }
            }
            if (buffer().compareAndSetLong(STATE_OFFSET, state, nextGeneration(generation)))
            {
                return;
            }
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
        return arrivedOf(buffer().getLongVolatile(STATE_OFFSET));
    }

    @Override
    public boolean isBroken()
    {
        return isBroken(buffer().getLongVolatile(STATE_OFFSET));
    }

    @Override
    public Duration timeout()
    {
        return defaultTimeoutNanos < 0 ? null : Duration.ofNanos(defaultTimeoutNanos);
    }

    @Override
    public String toString()
    {
        if (isClosed())
        {
            return "Barrier{" + region.path() + ", parties=" + parties + ", closed}";
        }
        return "Barrier{" + region.path() + ", parties=" + parties + ", waiting=" + nWaiting() +
            (isBroken() ? ", broken" : "") + '}';
    }

    @Override
    Object writeReplace()
    {
        final Runnable todo = action;
        return new Handle(region.path().toString(), todo instanceof Serializable ? todo : null);
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
     * @return a barrier region's current generation, for {@link RegionInspector}s:
     * {@code "1 of 3 parties waiting, generation 7"}, or {@code "broken, generation 7"}.
     */
    static String describe(final int variant, final org.agrona.concurrent.AtomicBuffer payload)
    {
        if (variant != LAYOUT_VARIANT)
        {
            return null;
        }
        final long state = payload.getLongVolatile(STATE_OFFSET);
        if (isBroken(state))
        {
            return "broken, generation " + generationOf(state);
        }
        return arrivedOf(state) + " of " + payload.getInt(PARTIES_OFFSET) + " parties waiting, generation " + generationOf(state);
    }
}

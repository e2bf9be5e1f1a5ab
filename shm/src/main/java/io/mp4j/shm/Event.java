package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A flag that threads of any number of JVMs can wait for: Python's {@code multiprocessing.Event}.
 * {@link #set()} wakes every waiter, {@link #clear()} resets it, {@link #await(Duration)} returns
 * false on timeout. ({@code wait} is taken by {@link Object}; the Java name is {@code await}.)
 *
 * <p>As in Python, a waiter that was waiting when {@link #set()} was called returns true even if the
 * flag was cleared again before it woke: each {@code set} of a clear flag also advances a set counter
 * kept in the same 64-bit word as the flag (so both change in one CAS), and a waiter returns true if
 * the flag is set or the counter moved since it started waiting.
 *
 * <p>No process owns an event, so a dead process cannot leave it stuck; a waiter whose setter died waits
 * until its timeout, as in Python.
 *
 * <p>Layout (payload of a {@link RegionType#EVENT} region, variant 0), one cache line:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  State word (64 bits): bit 0 = flag (1 set), bits 1..63 =    |
 *  |  set counter (sets of a clear flag); changed only by CAS      |
 *  +---------------------------------------------------------------+
 *  |                   Reserved to end of cache line              ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Memory consistency effects: actions before {@code set()} happen-before actions after an
 * {@code await} that returned true because of it, in any process, for data in shared memory.
 *
 * <pre>{@code
 * Event ready = Event.create(dir, "ready");
 * // child:  prepare(); ready.set();
 * // parent:
 * if (!ready.await(Duration.ofSeconds(10))) { throw new TimeoutException("child not ready"); }
 * }</pre>
 */
public final class Event implements SharedObject
{
    /** Payload length of an event region. */
    public static final int PAYLOAD_LENGTH = 64;

    static final int STATE_OFFSET = 0;
    private static final long FLAG = 1L;
    private static final long ONE_SET = 2L;

    private final MappedRegion region;
    private final AtomicBuffer buffer;
    private final IdleCache idleCache = new IdleCache();
    private volatile Supplier<IdleStrategy> idle;

    private Event(final MappedRegion region)
    {
        this.region = region;
        this.buffer = region.buffer();
    }

    /**
     * A new, clear event in a runtime directory.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the event.
     */
    public static Event create(final RuntimeDirectory directory, final String name)
    {
        return SharedObjects.register(
            new Event(MappedRegion.create(directory.resolve(name), RegionType.EVENT, 0, PAYLOAD_LENGTH).publish()));
    }

    /**
     * Python's {@code Event()} in this JVM's default runtime directory.
     *
     * @return the event.
     */
    public static Event create()
    {
        return create(RuntimeDirectory.global(), Names.unique("event"));
    }

    /**
     * Attach to an existing Event by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the event.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    public static Event attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    /**
     * Attach to an existing event.
     *
     * @param file its region file.
     * @return the event.
     * @throws InvalidRegionException if the file is not a valid event region.
     */
    public static Event attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.EVENT);
        if (region.payloadLength() < PAYLOAD_LENGTH)
        {
            region.close();
            throw new InvalidRegionException(file, "event payload is " + region.payloadLength() +
                " bytes, expected " + PAYLOAD_LENGTH);
        }
        return new Event(region);
    }

    /**
     * Use this idle strategy when waiting on this event (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    public Event withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    /**
     * @return whether the flag is set (Python's {@code is_set()}).
     */
    public boolean isSet()
    {
        return (buffer.getLongVolatile(STATE_OFFSET) & FLAG) != 0;
    }

    /**
     * Set the flag and wake every waiter.
     */
    public void set()
    {
        while (true)
        {
            final long state = buffer.getLongVolatile(STATE_OFFSET);
            if ((state & FLAG) != 0 || buffer.compareAndSetLong(STATE_OFFSET, state, (state + ONE_SET) | FLAG))
            {
                return;
            }
        }
    }

    /**
     * Clear the flag.
     */
    public void clear()
    {
        while (true)
        {
            final long state = buffer.getLongVolatile(STATE_OFFSET);
            if ((state & FLAG) == 0 || buffer.compareAndSetLong(STATE_OFFSET, state, state & ~FLAG))
            {
                return;
            }
        }
    }

    /**
     * Wait until the flag is set.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void await() throws InterruptedException
    {
        await(Long.MAX_VALUE);
    }

    /**
     * Python's {@code wait(timeout)}.
     *
     * @param timeout at most this long (null: forever).
     * @return true if the flag was set, false on timeout.
     * @throws InterruptedException if interrupted while waiting.
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
     * @return true if the flag was set, false on timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return await(unit.toNanos(timeout));
    }

    private boolean await(final long timeoutNanos) throws InterruptedException
    {
        final long initial = buffer.getLongVolatile(STATE_OFFSET);
        if ((initial & FLAG) != 0)
        {
            return true;
        }
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        if (timeoutNanos <= 0)
        {
            return false;
        }
        final long start = System.nanoTime();
        final Supplier<IdleStrategy> own = idle;
        final IdleStrategy idleStrategy = idleCache.get(own != null ? own : IdleStrategies.forRegion(region.path()));
        while (true)
        {
            final long state = buffer.getLongVolatile(STATE_OFFSET);
            if ((state & FLAG) != 0 || state >>> 1 != initial >>> 1)
            {
                return true;
            }
            if (timeoutNanos != Long.MAX_VALUE && System.nanoTime() - start >= timeoutNanos)
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
        return "Event{" + region.path() + (isSet() ? ", set" : ", clear") + '}';
    }

    private Object writeReplace()
    {
        return RegionHandle.of(this);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("an Event travels as a RegionHandle");
    }
}

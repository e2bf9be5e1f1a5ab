package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The memory-mapped implementation of {@link Event}.
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
 */
final class MappedEvent extends MappedObject implements Event
{
    /** Payload length of an event region. */
    public static final int PAYLOAD_LENGTH = 64;

    static final int STATE_OFFSET = 0;

    private static final long FLAG = 1L;

    private static final long ONE_SET = 2L;

    private final AtomicBuffer buffer;

    private final IdleCache idleCache = new IdleCache();

    private volatile Supplier<IdleStrategy> idle;

    private MappedEvent(final MappedRegion region)
    {
        super(region);
        this.buffer = region.buffer();
    }

    static MappedEvent create(final RuntimeDirectory directory, final String name)
    {
        return SharedObjects.register(
            new MappedEvent(MappedRegion.create(directory.resolve(name), RegionType.EVENT, 0, PAYLOAD_LENGTH).publish()));
    }

    static MappedEvent create()
    {
        return create(RuntimeDirectory.global(), Names.unique("event"));
    }

    static MappedEvent attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedEvent attach(final Path file)
    {
        final MappedRegion region = MappedRegion.attach(file, RegionType.EVENT);
        if (region.payloadLength() < PAYLOAD_LENGTH)
        {
            region.close();
            throw new InvalidRegionException(file, "event payload is " + region.payloadLength() +
                " bytes, expected " + PAYLOAD_LENGTH);
        }
        return new MappedEvent(region);
    }

    @Override
    public Event withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.idle = supplier;
        return this;
    }

    @Override
    public boolean isSet()
    {
        return (buffer().getLongVolatile(STATE_OFFSET) & FLAG) != 0;
    }

    @Override
    public void set()
    {
        while (true)
        {
            final long state = buffer().getLongVolatile(STATE_OFFSET);
            if ((state & FLAG) != 0 || buffer().compareAndSetLong(STATE_OFFSET, state, (state + ONE_SET) | FLAG))
            {
                return;
            }
        }
    }

    @Override
    public void clear()
    {
        while (true)
        {
            final long state = buffer().getLongVolatile(STATE_OFFSET);
            if ((state & FLAG) == 0 || buffer().compareAndSetLong(STATE_OFFSET, state, state & ~FLAG))
            {
                return;
            }
        }
    }

    @Override
    public void await() throws InterruptedException
    {
        await(Long.MAX_VALUE);
    }

    @Override
    public boolean await(final Duration timeout) throws InterruptedException
    {
        return await(IdleStrategies.toNanos(timeout));
    }

    @Override
    public boolean await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return await(unit.toNanos(timeout));
    }

    private boolean await(final long timeoutNanos) throws InterruptedException
    {
        final long initial = buffer().getLongVolatile(STATE_OFFSET);
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
        // counted while waiting, so that a close by another thread waits for this one to leave before it unmaps
        enterWait();
        try
        {
            while (true)
            {
                checkClosing();
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
        finally
        {
            exitWait();
        }
    }

    @Override
    public String toString()
    {
        return "Event{" + region.path() + (isClosed() ? ", closed" : isSet() ? ", set" : ", clear") + '}';
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
     * @return whether an event region's flag is set now, for {@link RegionInspector}s: {@code "set"} or
     * {@code "clear"}.
     */
    static String describe(final org.agrona.concurrent.AtomicBuffer payload)
    {
        return (payload.getLongVolatile(STATE_OFFSET) & 1) != 0 ? "set" : "clear";
    }
}

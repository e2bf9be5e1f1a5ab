package io.mp4j.cluster;

import io.mp4j.shm.Barrier;
import org.agrona.concurrent.IdleStrategy;
import org.apache.ignite.IgniteAtomicLong;
import org.apache.ignite.IgniteCache;

import java.io.ObjectStreamException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A {@link Barrier} held by the cluster, with the single-host semantics: arrival indexes 0 to
 * {@code parties - 1}, the action run by the last arriver (in its JVM) before anyone is released, a timeout,
 * an interrupt or {@link #abort()} breaking the barrier for everyone until {@link #reset()}, and a party whose
 * node leaves the cluster while it waits breaking it too.
 *
 * <p>State, in Ignite atomic longs and one cache:
 * <pre>
 *   arrivals  total arrivals ever; arrival n (1-based) is in generation (n-1)/parties, index (n-1)%parties
 *   released  generations released so far (set by each generation's last arriver)
 *   broken    0, or (from+1) &lt;&lt; 32 | until: generations from..until-1 are broken (until 0: until reset)
 *   parties   the party count, fixed by the creator
 *   cache     arrival n -&gt; the arriver's node order, while its generation waits (for the dead-party check)
 * </pre>
 * Waiters poll with back-off (100 µs to 5 ms) and look for dead parties every 20 polls.
 */
public final class ClusterBarrier implements Barrier
{
    private static final long serialVersionUID = 1L;
    private static final int DEAD_CHECK_EVERY = 20;

    private final transient ClusterBackend backend;
    private final String name;
    private final int parties;
    private final transient IgniteAtomicLong arrivals;
    private final transient IgniteAtomicLong released;
    private final transient IgniteAtomicLong broken;
    private final transient IgniteCache<Long, Long> waiting;
    private transient volatile Runnable action;
    private transient volatile Supplier<IdleStrategy> idle = OwnerWord::idle;

    ClusterBarrier(final ClusterBackend backend, final String name, final int parties, final IgniteAtomicLong arrivals,
        final IgniteAtomicLong released, final IgniteAtomicLong broken, final IgniteCache<Long, Long> waiting)
    {
        this.backend = backend;
        this.name = name;
        this.parties = parties;
        this.arrivals = arrivals;
        this.released = released;
        this.broken = broken;
        this.waiting = waiting;
    }

    static boolean isBroken(final long word, final long generation)
    {
        if (word == 0)
        {
            return false;
        }
        final long from = (word >>> 32) - 1;
        final long until = word & 0xFFFF_FFFFL;
        return generation >= from && (until == 0 || generation < until);
    }

    private void breakFrom(final long generation)
    {
        while (true)
        {
            final long word = broken.get();
            if (isBroken(word, generation) && (word & 0xFFFF_FFFFL) == 0)
            {
                return;
            }
            if (broken.compareAndSet(word, (generation + 1) << 32))
            {
                return;
            }
        }
    }

    @Override
    public Barrier withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        idle = supplier == null ? OwnerWord::idle : supplier;
        return this;
    }

    @Override
    public Barrier withAction(final Runnable action)
    {
        this.action = action;
        return this;
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return await((Duration)null);
    }

    @Override
    public int await(final long timeout, final TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        return await(Duration.ofNanos(unit.toNanos(timeout)));
    }

    @Override
    public int await(final Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        try
        {
            return arriveAndWait(timeout);
        }
        catch (final RuntimeException ex)
        {
            if (!IgniteInterrupts.isInterrupt(ex))
            {
                throw ex;
            }
            // an interrupt during a round trip before the wait (the arrival's increment may have been applied):
            // as any interrupt of a party, it breaks the barrier's current generation
            Thread.interrupted();
            final long arrived = arrivals.get();
            if (arrived > 0)
            {
                breakFrom((arrived - 1) / parties);
            }
            final InterruptedException interrupted = new InterruptedException("interrupted arriving at " + this + " (now broken)");
            interrupted.initCause(ex);
            throw interrupted;
        }
    }

    private int arriveAndWait(final Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException
    {
        final long deadline = timeout == null ? Long.MAX_VALUE : ClusterLockBase.deadline(timeout);
        if (isBroken(broken.get(), arrivals.get() / parties))
        {
            throw new BrokenBarrierException();
        }
        final long n = arrivals.incrementAndGet();
        final long generation = (n - 1) / parties;
        final int index = (int)((n - 1) % parties);
        if (isBroken(broken.get(), generation))
        {
            throw new BrokenBarrierException();
        }
        if (index == parties - 1)
        {
            final Runnable a = action;
            if (a != null)
            {
                try
                {
                    a.run();
                }
                catch (final RuntimeException | Error ex)
                {
                    breakFrom(generation);
                    throw ex;
                }
            }
            long r;
            while ((r = released.get()) <= generation && !released.compareAndSet(r, generation + 1))
            {
                // another generation's last arriver moved it meanwhile: read again
            }
            clearWaiting(generation);
            return index;
        }
        waiting.put(n, backend.nodeOrder());
        final IdleStrategy strategy = idle.get();
        int polls = 0;
        try
        {
            while (true)
            {
                if (released.get() > generation)
                {
                    return index;
                }
                if (isBroken(broken.get(), generation))
                {
                    throw new BrokenBarrierException();
                }
                if (Thread.interrupted())
                {
                    breakFrom(generation);
                    throw new InterruptedException("interrupted waiting on " + this + " (now broken)");
                }
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0)
                {
                    breakFrom(generation);
                    throw new TimeoutException("timed out after " + timeout + " waiting on " + this + " (now broken)");
                }
                if (++polls % DEAD_CHECK_EVERY == 0 && aPartyDied(generation))
                {
                    breakFrom(generation);
                    throw new BrokenBarrierException();
                }
                strategy.idle();
            }
        }
        catch (final RuntimeException ex)
        {
            if (!IgniteInterrupts.isInterrupt(ex))
            {
                throw ex;
            }
            // an interrupt during a round trip (Ignite's unchecked exception, wrapped by a cache), treated as one
            // between polls
            Thread.interrupted();
            breakFrom(generation);
            final InterruptedException interrupted = new InterruptedException("interrupted waiting on " + this + " (now broken)");
            interrupted.initCause(ex);
            throw interrupted;
        }
    }

    private boolean aPartyDied(final long generation)
    {
        final Set<Long> keys = new HashSet<>();
        final long first = generation * parties + 1;
        final long last = Math.min(arrivals.get(), first + parties - 1);
        for (long k = first; k <= last; k++)
        {
            keys.add(k);
        }
        for (final Map.Entry<Long, Long> e : waiting.getAll(keys).entrySet())
        {
            if (!backend.isNodeAlive(e.getValue()))
            {
                return true;
            }
        }
        return false;
    }

    private void clearWaiting(final long generation)
    {
        final Set<Long> keys = new HashSet<>();
        for (long k = generation * parties + 1; k <= generation * parties + parties; k++)
        {
            keys.add(k);
        }
        waiting.removeAllAsync(keys);
    }

    @Override
    public void abort()
    {
        breakFrom(arrivals.get() / parties);
    }

    @Override
    public void reset()
    {
        while (true)
        {
            final long n = arrivals.get();
            final long generation = n / parties;
            if (n % parties == 0)
            {
                broken.getAndSet(0);
                return;
            }
            // skip the rest of the waiting generation: its waiters see it broken, the next one starts clean
            if (arrivals.compareAndSet(n, (generation + 1) * parties))
            {
                broken.getAndSet((generation + 1) << 32 | (generation + 1));
                clearWaiting(generation);
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
        final long n = arrivals.get();
        return isBroken(broken.get(), n / parties) ? 0 : (int)(n % parties);
    }

    @Override
    public boolean isBroken()
    {
        return isBroken(broken.get(), arrivals.get() / parties);
    }

    /**
     * @return null: a cluster barrier made by a {@code Backend} has no default timeout.
     */
    @Override
    public Duration timeout()
    {
        return null;
    }

    @Override
    public void close()
    {
        // the barrier belongs to the cluster
    }

    private Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(ClusterHandle.Kind.BARRIER, name, null, parties);
    }

    @Override
    public String toString()
    {
        return "cluster barrier '" + name + "' (" + parties + " parties)";
    }
}

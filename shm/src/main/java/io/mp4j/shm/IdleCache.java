package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * One idle strategy per thread per primitive, made on the thread's first wait and reused (reset) on
 * later ones, so that waiting allocates nothing once warm. A new one is made if the primitive's
 * configured supplier changes.
 */
final class IdleCache
{
    private final ThreadLocal<Entry> local = new ThreadLocal<>();

    IdleStrategy get(final Supplier<IdleStrategy> supplier)
    {
        Entry entry = local.get();
        if (entry == null || entry.supplier != supplier)
        {
            entry = new Entry(supplier, supplier.get());
            local.set(entry);
        }
        entry.strategy.reset();
        return entry.strategy;
    }

    private static final class Entry
    {
        final Supplier<IdleStrategy> supplier;
        final IdleStrategy strategy;

        Entry(final Supplier<IdleStrategy> supplier, final IdleStrategy strategy)
        {
            this.supplier = supplier;
            this.strategy = strategy;
        }
    }
}

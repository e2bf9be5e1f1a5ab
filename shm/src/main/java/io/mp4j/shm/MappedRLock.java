package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The memory-mapped implementation of {@link RLock}: a {@link MappedMutexLock} whose owner re-enters by counting, and which only the
 * owner may release. The layout is
 * {@link MappedMutexLock}'s, in a {@link RegionType#RLOCK} region.
 */
final class MappedRLock extends MappedMutexLock implements RLock
{
    private MappedRLock(final MappedRegion region)
    {
        super(region, true);
    }

    static MappedRLock create(final RuntimeDirectory directory, final String name)
    {
        return create(directory.resolve(name));
    }

    static MappedRLock create(final Path file)
    {
        final MappedRegion region = MappedRegion.create(file, RegionType.RLOCK, 0, PAYLOAD_LENGTH);
        return SharedObjects.register(new MappedRLock(region.publish()));
    }

    static MappedRLock create()
    {
        return create(RuntimeDirectory.global(), Names.unique("rlock"));
    }

    static MappedRLock attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedRLock attach(final Path file)
    {
        return new MappedRLock(attachRegion(file, RegionType.RLOCK));
    }

    @Override
    public RLock withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        idleStrategy(supplier);
        return this;
    }

    @Override
    public void release()
    {
        unlock();
    }

    @Override
    public int getHoldCount()
    {
        return mutex().isHeldByCurrentThread() ? mutex().holdCount() : 0;
    }
}

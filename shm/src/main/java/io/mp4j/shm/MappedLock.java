package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The memory-mapped implementation of {@link Lock}: a {@link MappedMutexLock} without re-entry, which any thread of any process may
 * release. The layout is
 * {@link MappedMutexLock}'s, in a {@link RegionType#LOCK} region.
 */
final class MappedLock extends MappedMutexLock implements Lock
{
    private MappedLock(final MappedRegion region)
    {
        super(region, false);
    }

    static MappedLock create(final RuntimeDirectory directory, final String name)
    {
        return create(directory.resolve(name));
    }

    static MappedLock create(final Path file)
    {
        final MappedRegion region = MappedRegion.create(file, RegionType.LOCK, 0, PAYLOAD_LENGTH);
        return SharedObjects.register(new MappedLock(region.publish()));
    }

    static MappedLock create()
    {
        return create(RuntimeDirectory.global(), Names.unique("lock"));
    }

    static MappedLock attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedLock attach(final Path file)
    {
        return new MappedLock(attachRegion(file, RegionType.LOCK));
    }

    @Override
    public Lock withIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        idleStrategy(supplier);
        return this;
    }

    @Override
    public void release()
    {
        if (mutex().releaseAny() == 0)
        {
            throw new IllegalStateException("release of an unlocked lock: " + region.path());
        }
    }
}

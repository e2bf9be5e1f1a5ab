package io.mp4j.shm;

import java.nio.file.Path;

/**
 * The memory-mapped implementation of {@link BoundedSemaphore}.
 */
final class MappedBoundedSemaphore extends MappedSemaphore implements BoundedSemaphore
{
    MappedBoundedSemaphore(final MappedRegion region)
    {
        super(region);
    }

    static MappedBoundedSemaphore create(final RuntimeDirectory directory, final String name, final long value)
    {
        return create(directory, name, value, true);
    }

    static MappedBoundedSemaphore create(
        final RuntimeDirectory directory, final String name, final long value, final boolean recoverDeadHolders)
    {
        return SharedObjects.register(
            new MappedBoundedSemaphore(make(directory.resolve(name), VARIANT_BOUNDED, value, value, recoverDeadHolders)));
    }

    static MappedBoundedSemaphore create(final long value)
    {
        return create(RuntimeDirectory.global(), Names.unique("bsemaphore"), value);
    }

    static MappedBoundedSemaphore attach(final RuntimeDirectory directory, final String name)
    {
        return attach(directory.resolve(name));
    }

    static MappedBoundedSemaphore attach(final Path file)
    {
        return new MappedBoundedSemaphore(open(file, VARIANT_BOUNDED));
    }
}

package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The {@link RegionInspector} of the {@code shm} module's regions: values, arrays, locks, semaphores, events,
 * conditions and barriers. Found by {@link java.util.ServiceLoader}; not for direct use.
 */
public final class ShmRegionInspector implements RegionInspector
{
    @Override
    public String describe(final RegionType type, final int variant, final AtomicBuffer payload)
    {
        switch (type)
        {
            case VALUE:
                return MappedValue.describe(variant, payload);
            case ARRAY:
                return MappedArray.describe(variant, payload);
            case LOCK:
            case RLOCK:
                return RobustMutex.describe(payload, 0, type == RegionType.RLOCK);
            case SEMAPHORE:
                return MappedSemaphore.describe(variant, payload);
            case EVENT:
                return MappedEvent.describe(payload);
            case CONDITION:
                return MappedCondition.describe(payload);
            case BARRIER:
                return MappedBarrier.describe(variant, payload);
            default:
                return null;
        }
    }
}

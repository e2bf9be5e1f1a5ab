package io.mp4j.queue;

import io.mp4j.shm.RegionInspector;
import io.mp4j.shm.RegionType;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The {@link RegionInspector} of the {@code queue} module's regions: how much a {@link Queue},
 * {@link SimpleQueue} or {@link JoinableQueue} holds, and a {@link Pipe}'s ends. Found by {@link java.util.ServiceLoader}; not for direct
 * use.
 */
public final class QueueRegionInspector implements RegionInspector
{
    @Override
    public String describe(final RegionType type, final int variant, final AtomicBuffer payload)
    {
        switch (type)
        {
            case QUEUE:
                return QueueDescriptor.describe(variant, payload);
            case PIPE:
                return PipeDescriptor.describe(payload);
            default:
                return null;
        }
    }
}

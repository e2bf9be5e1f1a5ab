package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Tells what a live region holds now, in a few words, for tools that look inside regions such as
 * {@code mp4j stat} ({@link RegionInfo#state()}). Each module describes the layouts it owns: its inspector is
 * found with {@link java.util.ServiceLoader} ({@code META-INF/services/io.mp4j.shm.RegionInspector}). An
 * inspector only reads, through a read-only mapping, while other processes may be changing the region: what
 * it tells is a snapshot, and it never waits or fails on a state it does not expect.
 */
public interface RegionInspector
{
    /**
     * @param type    the region's type.
     * @param variant the header's variant.
     * @param payload the payload, mapped read-only: read it (volatile reads for words other processes change), never write it (a write faults).
     * @return the state in a few words ({@code "value 42"}, {@code "held by pid 4242"}), or null if this
     * inspector does not read regions of that type and variant.
     */
    String describe(RegionType type, int variant, AtomicBuffer payload);
}

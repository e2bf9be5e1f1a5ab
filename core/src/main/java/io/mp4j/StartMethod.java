package io.mp4j;

/**
 * How a {@link Process} gets its JVM: Python's start methods, as far as the JVM allows.
 */
public enum StartMethod
{
    /**
     * A new JVM for every process (Python's {@code spawn}): tens of milliseconds, no resident cost.
     */
    SPAWN,

    /**
     * Spare JVMs, started ahead and waiting for their task, take the next processes (the role Python's
     * {@code forkserver} plays); new spares are started in the background, one at a time, as they are
     * taken. Start-up drops to a few milliseconds when a spare is ready, at the cost of idle JVMs: a context
     * keeps {@code -Dmp4j.spares} of them, by default {@link Process#cpuCount()}, so that a default
     * {@link Pool} takes all its workers from spares. A spare exits on its own when its parent does,
     * however the parent dies.
     */
    SPARE
}

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
     * A spare JVM, started ahead and waiting for its task, takes the next process (the role Python's
     * {@code forkserver} plays); a new spare is started in the background as each one is taken. Start-up
     * drops to a few milliseconds when a spare is ready, at the cost of one idle JVM per context. A spare
     * exits on its own when its parent does, however the parent dies.
     */
    SPARE
}

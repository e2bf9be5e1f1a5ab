package io.mp4j;

import java.io.Serializable;

/**
 * What a pool hands each worker JVM: where its region is, and the initializer to run once.
 */
final class WorkerSpec implements Serializable
{
    private static final long serialVersionUID = 1L;

    final String regionPath;
    final Object initializer;
    final Object initArg;
    final long spinNanos;

    WorkerSpec(final String regionPath, final Object initializer, final Object initArg, final long spinNanos)
    {
        this.regionPath = regionPath;
        this.initializer = initializer;
        this.initArg = initArg;
        this.spinNanos = spinNanos;
    }
}

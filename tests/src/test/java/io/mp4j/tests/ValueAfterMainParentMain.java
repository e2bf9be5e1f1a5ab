package io.mp4j.tests;

import io.mp4j.Process;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Value;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A parent JVM for tests, in the usual Python pattern: a value in the global runtime directory, a
 * non-daemon child started with it, and main returns without joining. The child uses the value only once
 * the parent is shutting down (a shutdown hook of the parent opens a gate file), so it needs the
 * directory to outlive the exit-time join.
 */
public final class ValueAfterMainParentMain
{
    private ValueAfterMainParentMain()
    {
    }

    static void bumpLate(final Value value, final String gate) throws Exception
    {
        // wait (bounded) until the parent's main has returned and its shutdown has begun
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(Path.of(gate)) && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
        Files.deleteIfExists(Path.of(gate));
        System.out.println("OK " + value.addAndGet(1L));
    }

    /**
     * @param args unused.
     * @throws Exception never expected.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path gate = Files.createTempFile("mp4j-gate", ".txt");
        Files.delete(gate);
        final Value value = Value.create("l", 0L);
        System.out.println("runtime-dir=" + RuntimeDirectory.global().path());
        Process.of(ValueAfterMainParentMain::bumpLate, value, gate.toString()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                Files.writeString(gate, "go");
            }
            catch (final Exception ignore)
            {
                // the child's bound ends its wait anyway
            }
        }));
        System.out.println("main returns");
    }
}

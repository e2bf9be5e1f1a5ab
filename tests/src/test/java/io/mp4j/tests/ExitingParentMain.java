package io.mp4j.tests;

import io.mp4j.Process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A parent JVM for tests: starts a daemon child that would run forever and a non-daemon child that
 * finishes some work after a file appears, then returns from main at once.
 */
public final class ExitingParentMain
{
    private ExitingParentMain()
    {
    }

    static void runForever() throws InterruptedException
    {
        new CountDownLatch(1).await(); // never counted down: runs until the test stops this process by pid
    }

    static void finishLate(final String gate) throws Exception
    {
        // wait (bounded) until the parent's main has returned, so only the exit-time join can wait for us
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(Path.of(gate)) && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
        Files.deleteIfExists(Path.of(gate));   // the parent's hook made it in the shared temp directory
        System.out.println("non-daemon child done");
    }

    /**
     * @param args unused.
     * @throws Exception never expected.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path gate = Files.createTempFile("mp4j-gate", ".txt");
        Files.delete(gate);
        final Process daemon = Process.of(ExitingParentMain::runForever).daemon(true);
        daemon.start();
        System.out.println("daemon-child-pid=" + daemon.pid());
        final Process worker = Process.of(ExitingParentMain::finishLate, gate.toString());
        worker.start();
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

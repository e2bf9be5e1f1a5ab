package io.mp4j.queue;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Runs test bodies on their own daemon threads: the common fork-join pool may have a single worker on a
 * small machine, so a body blocked there would starve the others.
 */
final class TestThreads
{
    private TestThreads()
    {
    }

    static <T> CompletableFuture<T> supply(final Callable<T> body)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                result.complete(body.call());
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        }, "test-body");
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    static CompletableFuture<Void> run(final Runnable body)
    {
        return supply(() ->
        {
            body.run();
            return null;
        });
    }
}

package io.mp4j.shm;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A barrier party that arrives while the tripping generation's action runs waits for the next
 * generation, and answers an interrupt at once (it spun until the action ended before).
 */
class BarrierInterruptTest
{
    @AutoClose
    private final RuntimeDirectory dir = RuntimeDirectory.create();

    @Test
    void aPartyWaitingForTheTrippingGenerationsActionAnswersAnInterruptAtOnce() throws Exception
    {
        final CountDownLatch actionEntered = new CountDownLatch(1);
        final CountDownLatch actionMayEnd = new CountDownLatch(1);
        final Barrier barrier = Barrier.create(dir, "b", 2);
        barrier.withAction(() ->
        {
            actionEntered.countDown();
            try
            {
                actionMayEnd.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        final CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> awaitQuietly(barrier));
        final CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> awaitQuietly(barrier));
        assertTrue(actionEntered.await(60, TimeUnit.SECONDS), "the generation did not trip");

        // a third party arrives while the action runs: it waits for the next generation
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread late = new Thread(() ->
        {
            try
            {
                barrier.await();
            }
            catch (final Throwable ex)
            {
                thrown.set(ex);
            }
        });
        late.start();
        Await.until("the late party waits", () -> late.getState() == Thread.State.TIMED_WAITING);
        late.interrupt();
        late.join(TimeUnit.SECONDS.toMillis(60));
        final boolean leftWhileTheActionRan = !late.isAlive();
        actionMayEnd.countDown();
        late.join(TimeUnit.SECONDS.toMillis(60));
        assertTrue(leftWhileTheActionRan, "the interrupted party waited for the action to end");
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertEquals(0, first.get(60, TimeUnit.SECONDS) + second.get(60, TimeUnit.SECONDS) - 1, "both parties were released");
        assertFalse(barrier.isBroken(), "the next generation is broken, though nobody arrived in it");
        assertEquals(0, barrier.nWaiting());
    }

    private static int awaitQuietly(final Barrier barrier)
    {
        try
        {
            return barrier.await();
        }
        catch (final InterruptedException | BrokenBarrierException | java.util.concurrent.TimeoutException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}

package io.mp4j.tests.pool;

import io.mp4j.AsyncResult;
import io.mp4j.ResultIterator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public factories other backends build their pools' results with. */
class ResultsOfFuturesTest
{
    @Test
    void orderedResultsComeInInputOrderWhateverTheCompletionOrder() throws Exception
    {
        final List<CompletableFuture<Integer>> futures = List.of(new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>());
        final ResultIterator<Integer> results = ResultIterator.of(futures, true);
        futures.get(2).complete(2);
        assertThrows(TimeoutException.class, () -> results.next(Duration.ofMillis(1)), "the first result is not there yet");
        futures.get(0).complete(0);
        futures.get(1).completeExceptionally(new IllegalArgumentException("task 1 failed"));
        assertEquals(0, results.next());
        final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, results::next);
        assertEquals("task 1 failed", failure.getMessage());
        assertEquals(2, results.next());
        assertFalse(results.hasNext());
    }

    @Test
    void unorderedResultsComeAsTheyComplete() throws Exception
    {
        final List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            futures.add(new CompletableFuture<>());
        }
        final ResultIterator<String> results = ResultIterator.of(futures, false);
        futures.get(2).complete("c");
        assertEquals("c", results.next(Duration.ofSeconds(30)));
        futures.get(0).complete(null);
        assertEquals(null, results.next(Duration.ofSeconds(30)));
        futures.get(1).complete("b");
        assertEquals("b", results.next(Duration.ofSeconds(30)));
        assertFalse(results.hasNext());
    }

    @Test
    void anAsyncResultFollowsItsFuture() throws Exception
    {
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        final AsyncResult<Integer> result = AsyncResult.of(future);
        assertFalse(result.ready());
        future.complete(42);
        assertTrue(result.ready());
        assertTrue(result.successful());
        assertEquals(42, result.get(Duration.ofSeconds(30)));

        final CompletableFuture<Integer> failing = new CompletableFuture<>();
        final AsyncResult<Integer> failed = AsyncResult.of(failing);
        failing.completeExceptionally(new IllegalStateException("boom"));
        assertFalse(failed.successful());
        final ExecutionException ex = assertThrows(ExecutionException.class, failed::get);
        assertEquals("boom", ex.getCause().getMessage());
    }
}

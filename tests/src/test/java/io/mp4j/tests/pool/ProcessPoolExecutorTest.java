package io.mp4j.tests.pool;

import io.mp4j.ProcessPoolExecutor;
import io.mp4j.RemoteTaskException;
import io.mp4j.SerializableCallable;
import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class ProcessPoolExecutorTest
{
    static long compute(final int n)
    {
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += (long)i * i;
        }
        return sum;
    }

    static int sleepThenReturn(final int millis) throws InterruptedException
    {
        // the behaviour under test: tasks that finish in a known order
        TimeUnit.MILLISECONDS.sleep(millis);
        return millis;
    }

    static int boom(final int x)
    {
        throw new ArithmeticException("boom " + x);
    }

    static int block(final String dir) throws Exception
    {
        Files.writeString(Path.of(dir, "started-" + ProcessHandle.current().pid()), "x");
        new CountDownLatch(1).await(); // never counted down: runs until the test stops this worker
        return 0;
    }

    @Test
    void submitTakesALambdaWithoutACastAndReturnsACompletableFuture() throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(2))
        {
            final int n = 1000;
            final CompletableFuture<Long> f = executor.submit(() -> compute(n));
            assertEquals(compute(n), f.get());
            assertEquals(7, executor.submit(() -> 7).thenApply(x -> x * 2).get() / 2);
            final List<Long> all = new ArrayList<>();
            executor.map(ProcessPoolExecutorTest::compute, List.of(10, 20, 30)).forEachRemaining(all::add);
            assertEquals(List.of(compute(10), compute(20), compute(30)), all);
        }
    }

    @Test
    void aPlainCallableLambdaIsRejectedWithAHint()
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(1))
        {
            final Callable<Integer> plain = () -> 1;
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> executor.submit(plain));
            assertTrue(ex.getMessage().contains("SerializableCallable"), ex.getMessage());
            final Runnable runnable = () -> { };
            assertThrows(IllegalArgumentException.class, () -> executor.submit(runnable));
        }
    }

    @Test
    void invokeAllAndInvokeAny() throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(2))
        {
            final List<SerializableCallable<Integer>> tasks = List.of(() -> sleepThenReturn(30), () -> sleepThenReturn(1), () -> sleepThenReturn(10));
            final List<Future<Integer>> futures = executor.invokeAll(tasks);
            final List<Integer> results = new ArrayList<>();
            for (final Future<Integer> f : futures)
            {
                assertTrue(f.isDone());
                results.add(f.get());
            }
            assertEquals(List.of(30, 1, 10), results);
            final int any = executor.invokeAny(List.<SerializableCallable<Integer>>of(() -> boom(1), () -> sleepThenReturn(5)));
            assertEquals(5, any);
        }
    }

    static int mark(final String dir, final int i) throws Exception
    {
        Files.writeString(Path.of(dir, "ran-" + i), "x");
        return i;
    }

    @Test
    void aTimedInvokeAllThatTimedOutSendsNothingAndLeavesNoWayForAPlainFutureTaskToRunHere(@TempDir final Path dir) throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(1))
        {
            assertTrue(executor.awaitReady(Await.DEFAULT));
            final String d = dir.toString();
            final List<SerializableCallable<Integer>> tasks = List.of(() -> mark(d, 1), () -> mark(d, 2));
            // timeout 0: AbstractExecutorService made every task (newTaskFor, which sends it) before its first look at the clock
            final List<Future<Integer>> futures = executor.invokeAll(tasks, 0, TimeUnit.SECONDS);
            assertEquals(2, futures.size());
            for (final Future<Integer> f : futures)
            {
                assertTrue(f.isCancelled(), "not sent in time, cancelled");
            }
            // one worker runs what it is sent in order: once this task is done, any sent before it has run
            assertEquals(3, executor.submit(() -> mark(d, 3)).get());
            assertFalse(Files.exists(dir.resolve("ran-1")), "a task was sent after the timeout passed");
            assertFalse(Files.exists(dir.resolve("ran-2")), "a task was sent after the timeout passed");

            // the timed-out call left no task of this thread waiting for its wrapper: a user's plain
            // FutureTask (not serializable) is refused, not run on a thread of this JVM
            final java.util.concurrent.atomic.AtomicReference<String> ranOn = new java.util.concurrent.atomic.AtomicReference<>();
            final java.util.concurrent.FutureTask<String> local = new java.util.concurrent.FutureTask<>(() ->
            {
                ranOn.set(Thread.currentThread().getName());
                return "local";
            });
            assertThrows(IllegalArgumentException.class, () -> executor.execute(local));
            assertFalse(local.isDone());
            assertEquals(null, ranOn.get());
        }
    }

    @Test
    void completionOrderWithAsCompletedAndExecutorCompletionService() throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(2))
        {
            // both workers up, so the short task is not held back while the second JVM starts
            assertTrue(executor.awaitReady(Await.DEFAULT));
            final List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (final int ms : List.of(1500, 1))
            {
                futures.add(executor.submit(() -> sleepThenReturn(ms)));
            }
            final List<Integer> order = new ArrayList<>();
            for (final Future<Integer> f : ProcessPoolExecutor.asCompleted(futures))
            {
                order.add(f.get());
            }
            assertEquals(List.of(1, 1500), order);

            final CompletionService<Integer> ecs = new ExecutorCompletionService<>(executor);
            for (final int ms : List.of(1500, 1))
            {
                final SerializableCallable<Integer> task = () -> sleepThenReturn(ms);
                ecs.submit(task);
            }
            assertEquals(1, ecs.take().get());
            assertEquals(1500, ecs.take().get());
        }
    }

    @Test
    void aCancelledTaskOfACompletionServiceIsReportedAndTheServiceGoesOn(@TempDir final Path dir) throws Exception
    {
        final ProcessPoolExecutor executor = ProcessPoolExecutor.create(2);
        try
        {
            final String d = dir.toString();
            final CompletionService<Integer> ecs = new ExecutorCompletionService<>(executor);
            final Future<Integer> blocked = ecs.submit((SerializableCallable<Integer>)() -> block(d));
            Await.until("the task to start in a worker", () -> dir.toFile().list().length > 0);
            assertTrue(blocked.cancel(true));
            // the wrapper waits for the task on a thread of this JVM and reports it, cancelled, as done
            final Future<Integer> first = ecs.poll(60, TimeUnit.SECONDS);
            assertTrue(first == blocked, "the cancelled task is the first reported complete");
            assertTrue(first.isCancelled());
            ecs.submit((SerializableCallable<Integer>)() -> 7);
            final Future<Integer> second = ecs.poll(60, TimeUnit.SECONDS);
            assertEquals(7, second == null ? null : second.get());
        }
        finally
        {
            executor.shutdownNow(); // the blocked worker runs until it is stopped
        }
    }

    @Test
    void aTaskExceptionIsAnExecutionExceptionWithTheRemoteCause() throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(1))
        {
            final ExecutionException ex = assertThrows(ExecutionException.class, () -> executor.submit(() -> boom(3)).get());
            final RemoteTaskException remote = assertInstanceOf(RemoteTaskException.class, ex.getCause());
            assertInstanceOf(ArithmeticException.class, remote.getCause());
            assertTrue(remote.getCause().getStackTrace()[0].getMethodName().contains("boom"));
            assertEquals(2, executor.submit(() -> 2).get());
        }
    }

    @Test
    void shutdownLetsSubmittedTasksFinishAndRejectsNewOnes() throws Exception
    {
        final ProcessPoolExecutor executor = ProcessPoolExecutor.create(2);
        try
        {
            final CompletableFuture<Integer> f = executor.submit(() -> sleepThenReturn(200));
            executor.shutdown();
            assertTrue(executor.isShutdown());
            assertThrows(RejectedExecutionException.class, () -> executor.submit(() -> 1));
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
            assertTrue(executor.isTerminated());
            assertEquals(200, f.get());
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shutdownNowStopsRunningTasksAndReturnsThoseNeverStarted(@TempDir final Path dir) throws Exception
    {
        final ProcessPoolExecutor executor = ProcessPoolExecutor.create(io.mp4j.Pool.builder().processes(1).prefetch(1));
        try
        {
            final String d = dir.toString();
            final CompletableFuture<Integer> running = executor.submit(() -> block(d));
            final CompletableFuture<Integer> queued = executor.submit(() -> 5);
            Await.until("task started", () -> dir.toFile().list().length > 0);
            final List<Runnable> never = executor.shutdownNow();
            assertEquals(1, never.size());
            assertTrue(executor.isTerminated());
            assertThrows(CancellationException.class, running::get);
            assertThrows(CancellationException.class, queued::get);
            assertFalse(running.isCompletedExceptionally() && !running.isDone());
        }
        finally
        {
            executor.shutdownNow();
        }
    }
}

package io.mp4j.tests.pool;

import io.mp4j.AsyncResult;
import io.mp4j.Context;
import io.mp4j.StartMethod;
import io.mp4j.Pool;
import io.mp4j.ProcessPoolExecutor;
import io.mp4j.SerializableCallable;
import io.mp4j.WorkerDiedException;
import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool facing its callers' interrupts, callbacks that end it, and workers that die.
 */
@ExtendWith(NoLeaks.class)
class PoolRobustnessTest
{
    static int square(final int x)
    {
        return x * x;
    }

    @Test
    void anInterruptedCallerWhoseCallRetiresAWorkerDoesNotBreakThePool() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(1).build())
        {
            assertEquals(4, pool.apply(PoolRobustnessTest::square, 2));
            for (int i = 0; i < 3; i++)
            {
                // the replacement is ready: the interrupted call is sent to it, which retires it and asks for the next
                assertTrue(pool.awaitReady(Duration.ofSeconds(60)), "the replacement worker to be ready");
                Thread.currentThread().interrupt();
                final AsyncResult<Integer> r = pool.applyAsync(PoolRobustnessTest::square, i);
                assertTrue(Thread.interrupted(), "the caller's interrupt is kept for it");
                assertEquals(i * i, r.get(60, TimeUnit.SECONDS));
            }
            assertEquals(9, pool.apply(PoolRobustnessTest::square, 3), "the pool still works");
        }
    }

    @Test
    void anInterruptedCallerThatFindsAKilledWorkerDoesNotBreakThePool() throws Exception
    {
        try (Pool pool = Pool.builder().processes(1).build())
        {
            assertEquals(4, pool.apply(PoolRobustnessTest::square, 2));
            final long victim = pool.workerPids().iterator().next();
            final ProcessHandle handle = ProcessHandle.of(victim).orElseThrow();
            handle.destroyForcibly();
            // interrupted calls, each a round of dispatching, until the pool has noticed the death (most
            // often in one of these rounds); the replacement is never started on the interrupted caller's flag
            final List<AsyncResult<Integer>> results = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pool.workerPids().contains(victim))
            {
                assertTrue(System.nanoTime() - deadline < 0, "the pool never noticed its worker's death");
                Thread.currentThread().interrupt();
                results.add(pool.applyAsync(PoolRobustnessTest::square, results.size()));
                assertTrue(Thread.interrupted(), "the caller's interrupt is kept for it");
            }
            for (int i = 0; i < results.size(); i++)
            {
                try
                {
                    assertEquals(i * i, results.get(i).get(60, TimeUnit.SECONDS));
                }
                catch (final ExecutionException ex)
                {
                    // sent to the worker before it was seen dead: lost with it, as documented
                    assertInstanceOf(WorkerDiedException.class, ex.getCause());
                }
            }
            assertEquals(9, pool.apply(PoolRobustnessTest::square, 3), "the pool still works");
            Await.until("a replacement worker", () -> !pool.workerPids().isEmpty() && !pool.workerPids().contains(victim));
            assertFalse(pool.workerPids().contains(victim));
        }
    }

    static int sleepThenSquare(final int x) throws InterruptedException
    {
        // shorter than the 20 ms a waiting caller collects results itself, so the callback most often runs on it
        TimeUnit.MILLISECONDS.sleep(5);
        return x * x;
    }

    /** Run on a daemon thread, failing if it has not returned within the bound (a deadlock). */
    private static void withinBound(final String what, final Runnable body) throws InterruptedException
    {
        final Thread t = new Thread(body, what);
        t.setDaemon(true);
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(t.isAlive(), what + " is stuck: " + java.util.Arrays.toString(t.getStackTrace()));
    }

    @Test
    void closeJoinAndAwaitTerminationFromACallbackOnAWaitingCallerDoNotDeadlock() throws Exception
    {
        for (int i = 0; i < 3; i++)
        {
            final Pool pool = Pool.builder().processes(1).build();
            try
            {
                assertEquals(1, pool.apply(PoolRobustnessTest::square, 1));
                final AtomicReference<Object> joinFromCallback = new AtomicReference<>();
                final AtomicReference<Object> result = new AtomicReference<>();
                withinBound("a caller whose callback closes the pool", () ->
                {
                    final AsyncResult<Integer> r = pool.applyAsync(PoolRobustnessTest::sleepThenSquare, 3);
                    r.onSuccess(v ->
                    {
                        try
                        {
                            pool.terminate();
                            joinFromCallback.set(assertThrowsIllegalState(pool::join));
                            assertFalse(pool.awaitTermination(Duration.ofSeconds(60)), "it cannot have terminated yet");
                        }
                        catch (final InterruptedException ex)
                        {
                            joinFromCallback.set(ex);
                        }
                        pool.close();
                    });
                    try
                    {
                        result.set(r.get());
                    }
                    catch (final Exception ex)
                    {
                        result.set(ex);
                    }
                });
                assertEquals(9, result.get());
                // get() returns once the result is there; the callback may still be running (see AsyncResult)
                Await.until("the callback to have called join()", () -> joinFromCallback.get() != null);
                assertInstanceOf(IllegalStateException.class, joinFromCallback.get());
                assertTrue(pool.awaitTermination(Duration.ofSeconds(60)), "the pool ends once the callback has returned");
            }
            finally
            {
                // bounded, unlike close(), should the pool be stuck
                pool.terminate();
                pool.awaitTermination(Duration.ofSeconds(60));
            }
        }
    }

    private static Object assertThrowsIllegalState(final org.junit.jupiter.api.function.Executable call)
    {
        try
        {
            call.execute();
            return "returned";
        }
        catch (final Throwable ex)
        {
            return ex;
        }
    }

    @Test
    void shutdownNowAndCloseFromAnExecutorCallbackDoNotWaitForThemselves() throws Exception
    {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(1))
        {
            final CompletableFuture<Integer> f = executor.submit((SerializableCallable<Integer>)() -> sleepThenSquare(2));
            final CompletableFuture<Object> fromCallback = new CompletableFuture<>();
            f.whenComplete((v, ex) ->
            {
                try
                {
                    executor.close();
                    fromCallback.complete(executor.shutdownNow());
                }
                catch (final Throwable t)
                {
                    fromCallback.complete(t);
                }
            });
            assertEquals(4, f.get(60, TimeUnit.SECONDS));
            assertEquals(List.of(), fromCallback.get(60, TimeUnit.SECONDS));
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void tasksOfACompletionServiceAcceptedBeforeShutdownAllComplete() throws Exception
    {
        final ProcessPoolExecutor executor = ProcessPoolExecutor.create(2);
        try
        {
            final ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(executor);
            for (int i = 0; i < 50; i++)
            {
                final int n = i;
                ecs.submit((SerializableCallable<Integer>)() -> n);
            }
            executor.shutdown();
            assertThrows(RejectedExecutionException.class, () -> ecs.submit((SerializableCallable<Integer>)() -> -1));
            int sum = 0;
            for (int i = 0; i < 50; i++)
            {
                final Future<Integer> done = ecs.poll(60, TimeUnit.SECONDS);
                assertNotNull(done, "task " + i + " was never reported complete");
                sum += done.get(60, TimeUnit.SECONDS);
            }
            assertEquals(49 * 50 / 2, sum, "every task accepted before shutdown ran");
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));

            // a FutureTask of the caller's own is not run in this JVM: it is a Runnable that must be serializable
            final ProcessPoolExecutor other = ProcessPoolExecutor.create(1);
            try
            {
                assertThrows(IllegalArgumentException.class, () -> other.execute(new FutureTask<>(() -> 1)));
            }
            finally
            {
                other.shutdownNow();
            }
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    static int markThenSleep(final String dir, final int i) throws Exception
    {
        Files.createFile(Path.of(dir, "started-" + i));
        TimeUnit.SECONDS.sleep(2); // long enough that shutdownNow comes while the first task runs
        return i;
    }

    @Test
    void shutdownNowReturnsTheTasksQueuedInAWorkerThatNeverStarted(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        final ProcessPoolExecutor executor = ProcessPoolExecutor.create(1);
        try
        {
            assertTrue(executor.awaitReady(Duration.ofSeconds(60)));
            final List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++)
            {
                final int n = i;
                final String where = dir.toString();
                futures.add(executor.submit(() -> markThenSleep(where, n)));
            }
            Await.until("the first task to start", () -> Files.exists(dir.resolve("started-0")));
            final List<Runnable> never = executor.shutdownNow();
            assertTrue(executor.isTerminated(), "shutdownNow returns once the workers have exited");
            final Set<Integer> started = new TreeSet<>();
            try (var files = Files.list(dir))
            {
                files.forEach(f -> started.add(Integer.parseInt(f.getFileName().toString().substring("started-".length()))));
            }
            final List<Integer> returned = new ArrayList<>();
            for (final Runnable r : never)
            {
                final int index = futures.indexOf(r);
                assertTrue(index >= 0, "a returned task is one of those submitted");
                assertFalse(started.contains(index), "task " + index + " started, yet was returned as never started");
                assertTrue(futures.get(index).isCancelled(), "task " + index + " is cancelled");
                returned.add(index);
            }
            assertEquals(40, returned.size() + started.size(),
                "every task either started or is returned (started " + started + ", returned " + returned + ")");
            assertEquals(new ArrayList<>(new TreeSet<>(returned)), returned, "in submission order");
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void aPoolWhoseThirdWorkerCannotStartLeavesNoWorkerNorFileBehind() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of()))
        {
            final Path dir = ctx.directory().path();
            final String probe;
            try (Pool first = Pool.builder().processes(1).context(ctx).build())
            {
                probe = first.toString(); // "<Pool-PID-N processes=...": pools are numbered in a JVM
            }
            final String firstName = probe.substring(1, probe.indexOf(' '));
            final int dash = firstName.lastIndexOf('-');
            final String next = firstName.substring(0, dash + 1) + (Integer.parseInt(firstName.substring(dash + 1)) + 1);
            // the third worker's channel file exists already: creating it fails, after two workers started
            final Path blocker = Files.createFile(dir.resolve(next + "-worker-3"));
            try
            {
                final RuntimeException failed = assertThrows(RuntimeException.class,
                    () -> Pool.builder().processes(3).context(ctx).build());
                assertTrue(String.valueOf(failed.getMessage()).contains(next + "-worker-3"), failed.toString());
                try (var files = Files.list(dir))
                {
                    final List<String> left = new ArrayList<>();
                    files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(next)).forEach(left::add);
                    assertEquals(List.of(blocker.getFileName().toString()), left, "the started workers' channel files are deleted");
                }
                assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
                    "the started workers are killed and reaped");
            }
            finally
            {
                Files.deleteIfExists(blocker);
            }
        }
    }

    @Test
    void anExecutorWhoseWorkersCannotStartSaysItIsShutDownAndWhy() throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-XX:+NoSuchOptionForThisTest")))
        {
            final ProcessPoolExecutor executor = ProcessPoolExecutor.create(Pool.builder().processes(1).context(ctx));
            try
            {
                Await.until("three failed worker starts to break the executor", executor::isShutdown);
                final RejectedExecutionException refused = assertThrows(RejectedExecutionException.class,
                    () -> executor.submit((SerializableCallable<Integer>)() -> 1));
                assertTrue(refused.getMessage().contains("before they were ready"), refused.getMessage());
                assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
            }
            finally
            {
                executor.shutdownNow();
            }
        }
    }

    @Test
    void anExceptionThrownByACallbackIsPrintedNotLost() throws Exception
    {
        final java.io.PrintStream originalErr = System.err;
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        try (Pool pool = Pool.builder().processes(1).build())
        {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            final AsyncResult<Integer> r = pool.applyAsync(PoolRobustnessTest::square, 3)
                .onSuccess(v -> { throw new IllegalStateException("callback failure " + v); });
            assertEquals(9, r.get(60, TimeUnit.SECONDS), "the result is unaffected");
            Await.until("the callback's exception on stderr", () ->
                err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("callback failure 9"));
        }
        finally
        {
            System.setErr(originalErr);
        }
    }
}

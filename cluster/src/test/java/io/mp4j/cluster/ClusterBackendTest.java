package io.mp4j.cluster;

import io.mp4j.SerializableCallable;
import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Await;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Event;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Lock;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Value;
import org.apache.ignite.IgniteClientDisconnectedException;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member and a client node in this JVM, on 127.0.0.1: the behaviours that need no separate JVM.
 */
class ClusterBackendTest
{
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(120);

    static ClusterBackend member;
    static ClusterBackend client;
    static ClusterConfig clientConfig;

    @BeforeAll
    static void start()
    {
        // a block of 20 ports: discovery base..base+7, communication base+8..base+19
        final int base = 46_000 + ThreadLocalRandom.current().nextInt(0, 100) * 20;
        final ClusterConfig.Builder builder = ClusterConfig.builder()
            .seeds("127.0.0.1:" + base)
            .localAddress("127.0.0.1")
            .communicationPort(base + 8, 11)
            .memory(64L << 20)
            .threads(4)
            .noSecret(true)
            // Ignite interrupts a cancelled task after this (three tests wait for it); 10 s by default
            .failureDetectionTimeout(Duration.ofSeconds(4));
        member = ClusterBackend.startMember(builder.discoveryPort(base, 1).build());
        clientConfig = builder.discoveryPort(base + 1, 6).build();
        client = ClusterBackend.join(clientConfig);
    }

    @AfterAll
    static void stop()
    {
        if (client != null)
        {
            client.close();
        }
        if (member != null)
        {
            member.close();
        }
    }

    @Test
    void aLockTakenAfterAClientReconnectIsNotTakenOverByOthers()
    {
        final long before = client.nodeOrder();
        ((TcpDiscoverySpi)client.ignite().configuration().getDiscoverySpi()).clientReconnect();
        Await.until("the client reconnected with a new order", Duration.ofNanos(BOUND_NANOS), () ->
        {
            try
            {
                return client.ignite().cluster().localNode().order() != before
                    && member.ignite().cluster().forClients().nodes().size() == 1;
            }
            catch (final IgniteClientDisconnectedException ex)
            {
                return false;
            }
        });
        final Lock held = client.lock("reconnect");
        held.lock();
        try
        {
            // before the fix the client wrote its order from before the reconnect, no longer in the topology
            final Lock other = member.lock("reconnect");
            assertFalse(other.tryLock(), "the member took over a lock the reconnected client holds");
            assertTrue(held.isHeldByCurrentThread());
        }
        finally
        {
            held.unlock();
        }
    }

    @Test
    void anIntValueWrapsOnOverflowAndStaysUsable()
    {
        final Value value = client.value("overflow", ElementType.INT, 0);
        value.setInt(Integer.MAX_VALUE);
        assertEquals(Integer.MIN_VALUE, value.incrementAndGet());
        // before the fix getLong() was 2147483648 and this compare-and-set, the body of every CAS loop, failed
        assertEquals(Integer.MIN_VALUE, value.getInt());
        assertEquals(Integer.MIN_VALUE, value.getLong());
        assertTrue(value.compareAndSet(value.getInt(), 0));
        assertEquals(0, value.getInt());
        value.setInt(Integer.MIN_VALUE);
        assertEquals(Integer.MIN_VALUE, value.getAndAdd(-1));
        assertEquals(Integer.MAX_VALUE, member.value("overflow", ElementType.INT, 0).getLong());
        assertThrows(IllegalArgumentException.class, () -> value.addAndGet(1L << 32));
        assertEquals(Integer.MAX_VALUE, value.getInt());
    }

    @Test
    void aPlainSemaphoreGetsNoPermitsBackWhenAConsumerLeaves() throws Exception
    {
        final Semaphore signals = client.semaphore("signals", 0);
        try (ClusterBackend consumer = ClusterBackend.join(clientConfig))
        {
            signals.release(5);
            final Semaphore mine = consumer.semaphore("signals", 0);
            for (int i = 0; i < 5; i++)
            {
                assertTrue(mine.tryAcquire(BOUND_NANOS, TimeUnit.NANOSECONDS));
            }
            assertEquals(0, mine.getValue());
        }
        Await.until("the consumer's node left", Duration.ofNanos(BOUND_NANOS), () -> member.ignite().cluster().nodes().size() == 2);
        // before the fix Ignite's fail-over-safe semaphore gave the 5 consumed signals back
        assertEquals(0, signals.getValue());
        assertFalse(signals.tryAcquire());
        assertFalse(signals.recoversDeadHolders());
    }

    @Test
    void aBoundedSemaphoreNeverShowsMoreThanItsBoundAfterAHolderLeaves() throws Exception
    {
        final BoundedSemaphore pool = client.boundedSemaphore("pool", 2);
        try (ClusterBackend holder = ClusterBackend.join(clientConfig))
        {
            final BoundedSemaphore mine = holder.boundedSemaphore("pool", 2);
            assertTrue(mine.tryAcquire(BOUND_NANOS, TimeUnit.NANOSECONDS));
            assertTrue(mine.tryAcquire(BOUND_NANOS, TimeUnit.NANOSECONDS));
            // the permits handed back by another node: Ignite still counts them as the holder's
            pool.release(2);
        }
        Await.until("the holder's node left", Duration.ofNanos(BOUND_NANOS), () -> member.ignite().cluster().nodes().size() == 2);
        for (int i = 0; i < 3; i++)
        {
            final long value = pool.getValue();
            assertTrue(value <= 2, "above the bound: " + value);
        }
        // the 2 released above are there, and no more (a release trims first, then checks the bound)
        assertThrows(IllegalStateException.class, () -> pool.release(1));
        assertTrue(pool.tryAcquire());
        assertTrue(pool.tryAcquire());
        assertFalse(pool.tryAcquire(), "a third permit of a semaphore bounded at 2");
        pool.release(2);
    }

    @Test
    void aTimeoutTooLongForNanosecondsMeansForever() throws Exception
    {
        // Duration.toNanos() overflows past 292 years: these threw ArithmeticException, even when ready
        final Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        final Event event = client.event("setForForever");
        event.set();
        assertTrue(event.await(forever));
        final Semaphore semaphore = client.semaphore("oneForForever", 1);
        assertTrue(semaphore.acquire(forever));
        final Lock lock = client.lock("lockForForever");
        assertTrue(lock.acquire(forever));
        lock.release();
        final Queue<String> queue = client.queue("queueForForever");
        queue.put("x", forever);
        assertEquals("x", queue.get(forever));
    }

    @Test
    void anInterruptedSemaphoreAcquireThrowsInterruptedException() throws Exception
    {
        final Semaphore plain = client.semaphore("empty", 0);
        final Semaphore bounded = client.boundedSemaphore("emptyBounded", 0);
        assertInterruptible(plain + " acquire", plain::acquire);
        assertInterruptible(bounded + " acquire", bounded::acquire);
        assertInterruptible(bounded + " tryAcquire", () -> bounded.tryAcquire(BOUND_NANOS, TimeUnit.NANOSECONDS));
    }

    @Test
    void anInterruptedQueueGetThrowsInterruptedException() throws Exception
    {
        final Queue<String> queue = client.queue("emptyQueue");
        assertInterruptible("get", queue::get);
        assertInterruptible("poll", () -> queue.poll(BOUND_NANOS, TimeUnit.NANOSECONDS));
    }

    interface Blocking
    {
        void call() throws Exception;
    }

    /** Run {@code call} on a thread, interrupt it once it waits, and check it threw InterruptedException. */
    static void assertInterruptible(final String what, final Blocking call) throws InterruptedException
    {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                call.call();
                thrown.set(new AssertionError("returned"));
            }
            catch (final Throwable ex)
            {
                thrown.set(ex);
            }
        });
        waiter.start();
        Await.until("the waiter blocks", Duration.ofNanos(BOUND_NANOS), () -> waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING);
        waiter.interrupt();
        waiter.join(TimeUnit.NANOSECONDS.toMillis(BOUND_NANOS));
        assertFalse(waiter.isAlive());
        // before the fix Ignite's unchecked IgniteInterruptedException came out
        assertTrue(thrown.get() instanceof InterruptedException, what + " threw " + thrown.get());
    }

    @Test
    void invokeAnyTimedInvokeAllAndACompletionServiceRunOnTheCluster() throws Exception
    {
        // before the fix each failed: AbstractExecutorService handed execute() a FutureTask (or the completion
        // service's QueueingFuture), refused as "a cluster task must be serializable"
        final ExecutorService executor = client.executor(2);
        try
        {
            final List<Callable<Integer>> tasks = List.of((SerializableCallable<Integer>)() -> 6 * 7,
                (SerializableCallable<Integer>)() -> 6 * 7);
            assertEquals(42, executor.invokeAny(tasks, BOUND_NANOS, TimeUnit.NANOSECONDS));
            assertEquals(42, executor.invokeAny(tasks));
            for (final Future<Integer> future : executor.invokeAll(tasks, BOUND_NANOS, TimeUnit.NANOSECONDS))
            {
                assertEquals(42, future.get());
            }
            final CompletionService<Integer> completion = new ExecutorCompletionService<>(executor);
            completion.submit((SerializableCallable<Integer>)() -> 1);
            completion.submit((SerializableCallable<Integer>)() -> 2);
            int sum = 0;
            for (int i = 0; i < 2; i++)
            {
                final Future<Integer> done = completion.poll(BOUND_NANOS, TimeUnit.NANOSECONDS);
                assertTrue(done != null, "a completion was not reported");
                sum += done.get();
            }
            assertEquals(3, sum);
        }
        finally
        {
            executor.shutdown();
        }
    }

    @Test
    void aTaskTakenAndDoneAtOnceIsCountedBeforeItIsDone() throws Exception
    {
        // before the fix put counted the item after it was visible: a consumer that took it and called
        // taskDone() first got an IllegalStateException, and join() then waited for ever
        final JoinableQueue<Integer> producer = client.joinableQueue("tasks");
        final JoinableQueue<Integer> consumer = member.joinableQueue("tasks");
        final int items = 200;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread worker = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < items; i++)
                {
                    consumer.get();
                    consumer.taskDone();
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        worker.start();
        try
        {
            for (int i = 0; i < items; i++)
            {
                producer.put(i);
            }
            worker.join(TimeUnit.NANOSECONDS.toMillis(BOUND_NANOS));
            assertEquals(null, failure.get());
            assertTrue(producer.join(Duration.ofNanos(BOUND_NANOS)), "join() did not return");
        }
        finally
        {
            worker.interrupt();
            worker.join(TimeUnit.NANOSECONDS.toMillis(BOUND_NANOS));
        }
    }

    @Test
    void aClosedQueueInstanceRefusesCallsAndOthersStayOpen() throws Exception
    {
        // before the fix close() only set a flag on the one instance cached per name: put was still
        // accepted, and every holder of the name reported closed
        final Queue<String> closing = client.queue("closing");
        final Queue<String> other = client.queue("closing");
        closing.close();
        assertTrue(closing.isClosed());
        assertThrows(IllegalStateException.class, () -> closing.put("x"));
        assertThrows(IllegalStateException.class, closing::poll);
        assertFalse(other.isClosed());
        other.put("y");
        assertEquals("y", client.queue("closing").get(Duration.ofNanos(BOUND_NANOS)));
        other.close();
    }

    @Test
    void anInterruptedLockWaitThrowsInterruptedExceptionOrKeepsWaiting() throws Exception
    {
        // an interrupt that lands during a round trip to the lock word came out as Ignite's unchecked
        // IgniteInterruptedException, from lock() too, which must not be interrupted at all
        final Lock held = member.lock("busy");
        held.lock();
        boolean locked = true;
        try
        {
            final Lock waiting = client.lock("busy");
            assertInterruptible("lockInterruptibly", waiting::lockInterruptibly);
            assertInterruptible("tryLock", () -> waiting.tryLock(BOUND_NANOS, TimeUnit.NANOSECONDS));

            final AtomicReference<Object> outcome = new AtomicReference<>();
            final Thread waiter = new Thread(() ->
            {
                try
                {
                    waiting.lock();
                    outcome.set(Thread.currentThread().isInterrupted());
                    waiting.unlock();
                }
                catch (final Throwable ex)
                {
                    outcome.set(ex);
                }
            });
            waiter.start();
            Await.until("the waiter blocks", Duration.ofNanos(BOUND_NANOS), () -> waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING);
            waiter.interrupt();
            held.unlock();
            locked = false;
            waiter.join(TimeUnit.NANOSECONDS.toMillis(BOUND_NANOS));
            assertFalse(waiter.isAlive());
            assertEquals(Boolean.TRUE, outcome.get(), "lock() did not acquire with the interrupt status kept");
        }
        finally
        {
            if (locked)
            {
                held.unlock();
            }
        }
    }

    @Test
    void anInterruptedEventOrBarrierWaitThrowsInterruptedException() throws Exception
    {
        final Event event = client.event("neverSet");
        assertInterruptible("event wait", event::await);
        final Barrier barrier = client.barrier("twoParties", 2);
        assertInterruptible("barrier await", barrier::await);
    }

    @Test
    void noUserNameReachesAnotherObjectsInternalParts() throws Exception
    {
        // a lock's recovery counter was the atomic long of the user's lock "<name>.recoveries"
        final Lock x = client.lock("names-x");
        final Lock xRecoveries = client.lock("names-x.recoveries");
        xRecoveries.lock();
        try
        {
            assertEquals(0, x.recoveries(), "lock(\"names-x.recoveries\") is lock(\"names-x\")'s recovery counter");
        }
        finally
        {
            xRecoveries.unlock();
        }

        // a value's lock was the user's rlock "<name>.lock"
        final Value v = client.value("names-v", ElementType.LONG, 0L);
        final io.mp4j.shm.RLock userLock = client.rlock("names-v.lock");
        v.getLock().acquire();
        try
        {
            assertFalse(userLock.isLocked(), "rlock(\"names-v.lock\") is value(\"names-v\")'s lock");
        }
        finally
        {
            v.getLock().release();
        }

        // a list's lock was the user's lock "mp4j.list.<name>"
        final Lock listLock = client.lock("mp4j.list.names-l");
        listLock.lock();
        try
        {
            final java.util.concurrent.CompletableFuture<Boolean> added =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> member.<String>list("names-l").add("a"));
            assertTrue(added.get(60, TimeUnit.SECONDS), "list(\"names-l\").add waits for the user's lock \"mp4j.list.names-l\"");
        }
        finally
        {
            listLock.unlock();
        }
    }

    @Test
    void aNameOpenedAsOneKindIsRefusedAsAnotherClusterWide()
    {
        // as on one host, where the second attach finds the first's region of another type
        client.lock("kinds-a");
        IllegalStateException ex = assertThrows(IllegalStateException.class, () -> client.rlock("kinds-a"));
        assertTrue(ex.getMessage().contains("'kinds-a' already exists as a Lock; it cannot also be opened as a RLock"), ex.getMessage());
        ex = assertThrows(IllegalStateException.class, () -> member.rlock("kinds-a"));
        assertTrue(ex.getMessage().contains("already exists as a Lock"), ex.getMessage());
        member.value("kinds-b", ElementType.LONG, 0L);
        ex = assertThrows(IllegalStateException.class, () -> client.event("kinds-b"));
        assertTrue(ex.getMessage().contains("'kinds-b' already exists as a Value; it cannot also be opened as a Event"), ex.getMessage());
        // dicts and lists are named apart from the rest, as a Manager's are on one host
        client.dict("kinds-a");
        client.list("kinds-a");
        assertEquals(0, client.lock("kinds-a").recoveries());
    }

    @Test
    void anotherElementTypeOrPartyCountIsRefusedClusterWide()
    {
        // as Context's get-or-create on one host: what the object is must match, its initial value need not
        member.value("types-v", ElementType.LONG, 1L);
        assertEquals("types-v exists as a LONG value, asked for INT",
            assertThrows(IllegalStateException.class, () -> client.value("types-v", ElementType.INT, 1)).getMessage());
        assertEquals(1L, client.value("types-v", ElementType.LONG, 9L).get());
        member.barrier("types-b", 2);
        assertEquals("types-b exists as a barrier of 2 parties, asked for 3",
            assertThrows(IllegalStateException.class, () -> client.barrier("types-b", 3)).getMessage());
        assertEquals("types-b exists as a barrier of 2 parties, asked for 3",
            assertThrows(IllegalStateException.class, () -> member.barrier("types-b", 3)).getMessage());
    }

    /** A task that runs until its thread is interrupted, and says so in cluster events. */
    static SerializableCallable<Integer> untilInterrupted(final Event started, final Event stopped)
    {
        return () ->
        {
            started.set();
            try
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
                return 1;
            }
            finally
            {
                stopped.set();
            }
        };
    }

    @Test
    void aCancelledTaskStopsRunningOnTheMember() throws Exception
    {
        final Event started = client.event("cancel-started");
        final Event stopped = client.event("cancel-stopped");
        final io.mp4j.ProcessPoolExecutor executor = client.executor(1);
        try
        {
            final Future<Integer> future = executor.submit(untilInterrupted(started, stopped));
            Await.until("the task started", Duration.ofNanos(BOUND_NANOS), started::isSet);
            assertTrue(future.cancel(true));
            assertThrows(java.util.concurrent.CancellationException.class, future::get);
            // before the fix the job ran on for ever: cancel reached only the local future; now Ignite interrupts
            // it once its failure-detection timeout (4 s here) has passed since the cancel
            assertTrue(stopped.await(Duration.ofSeconds(60)), "the task runs on on its member after cancel(true)");
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void cancellingAMapAsyncResultCancelsItsTasksOnTheMembers() throws Exception
    {
        final Event started = client.event("mapcancel-started");
        final Event stopped = client.event("mapcancel-stopped");
        final io.mp4j.Pool pool = client.pool(1);
        try
        {
            final SerializableCallable<Integer> task = untilInterrupted(started, stopped);
            final io.mp4j.AsyncResult<java.util.List<Integer>> result = pool.mapAsync(x ->
            {
                try
                {
                    return task.call();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, java.util.List.of(1), 1);
            Await.until("the task started", Duration.ofNanos(BOUND_NANOS), started::isSet);
            assertTrue(result.cancel(true));
            // before the fix the combined result was cancelled and the job ran on for ever
            assertTrue(stopped.await(Duration.ofSeconds(60)), "the task runs on on its member after its map was cancelled");
        }
        finally
        {
            pool.terminate();
        }
    }

    @Test
    void closingAPoolTerminatesItsTasksOnTheMembersWithinItsBound() throws Exception
    {
        final Event started = client.event("terminate-started");
        final Event stopped = client.event("terminate-stopped");
        final io.mp4j.Pool pool = client.pool(1);
        final io.mp4j.AsyncResult<Integer> result = pool.applyAsync(untilInterrupted(started, stopped));
        Await.until("the task started", Duration.ofNanos(BOUND_NANOS), started::isSet);
        // before the fix close() waited for the task, up to a day, as an executor's close() does
        java.util.concurrent.CompletableFuture.runAsync(pool::close).get(60, TimeUnit.SECONDS);
        assertTrue(pool.isTerminated());
        assertThrows(java.util.concurrent.CancellationException.class, result::get);
        assertTrue(stopped.await(Duration.ofSeconds(60)), "the task runs on on its member after the pool was closed");
    }

    @Test
    void awaitReadyWaitsForAMemberUntilItsTimeout() throws Exception
    {
        // a cluster of its own: its only member leaves and another takes its place
        final int base = 48_000 + ThreadLocalRandom.current().nextInt(0, 50) * 20;
        final ClusterConfig.Builder builder = ClusterConfig.builder()
            .seeds("127.0.0.1:" + base)
            .localAddress("127.0.0.1")
            .communicationPort(base + 8, 11)
            .memory(64L << 20)
            .threads(2)
            .noSecret(true);
        final ClusterConfig memberConfig = builder.discoveryPort(base, 1).build();
        final AtomicReference<ClusterBackend> lone = new AtomicReference<>(ClusterBackend.startMember(memberConfig));
        final ClusterBackend watcher = ClusterBackend.join(builder.discoveryPort(base + 1, 6).build());
        Thread starter = null;
        try
        {
            final io.mp4j.ProcessPoolExecutor executor = watcher.executor(1);
            assertTrue(executor.awaitReady(Duration.ofNanos(BOUND_NANOS)));
            lone.getAndSet(null).close();
            Await.until("the client saw its member leave", Duration.ofNanos(BOUND_NANOS), () ->
            {
                try
                {
                    return watcher.ignite().cluster().forServers().nodes().isEmpty();
                }
                catch (final IgniteClientDisconnectedException ex)
                {
                    return true;
                }
            });
            assertFalse(executor.awaitReady(Duration.ofMillis(200)), "ready with no member");
            starter = new Thread(() -> lone.set(ClusterBackend.startMember(memberConfig)));
            starter.start();
            // before the fix the timeout was ignored: false at once, while the member was starting
            assertTrue(executor.awaitReady(Duration.ofNanos(BOUND_NANOS)), "not ready once a member joined");
            assertEquals(1, (int)executor.submit((SerializableCallable<Integer>)() -> 1).get(BOUND_NANOS, TimeUnit.NANOSECONDS));
            executor.shutdown();
        }
        finally
        {
            if (starter != null)
            {
                starter.join(TimeUnit.NANOSECONDS.toMillis(BOUND_NANOS));
            }
            watcher.close();
            final ClusterBackend last = lone.get();
            if (last != null)
            {
                last.close();
            }
        }
    }

    @Test
    void theNextUserFinishesAMoveWhoseListHolderDied()
    {
        final List<String> list = client.list("redo");
        list.addAll(List.of("a", "b", "c", "d"));
        // what a holder that died inserting "x" at 1 leaves: the move written, applied in part, the lock its
        final ClusterBackend doomed = ClusterBackend.join(clientConfig);
        final long deadOwner = doomed.nodeOrder() << 32 | 1;
        doomed.close();
        final org.apache.ignite.IgniteCache<Integer, Object> cache = client.ignite().cache(ClusterBackend.igniteName("list", "redo", null));
        final java.util.TreeMap<Integer, Object> writes = new java.util.TreeMap<>(java.util.Map.of(1, "x", 2, "b", 3, "c", 4, "d"));
        cache.put(ClusterList.SHIFT, new ClusterList.Shift(writes, 5, -1));
        cache.put(4, "d");
        cache.put(3, "c");
        assertTrue(client.ignite().atomicLong(ClusterBackend.igniteName("list", "redo", "lock"), 0, false).compareAndSet(0, deadOwner));

        assertEquals("x", list.get(1));
        assertEquals(List.of("a", "x", "b", "c", "d"), new java.util.ArrayList<>(list));
        assertEquals(null, cache.get(ClusterList.SHIFT));
        // and a removal of the first element, died before any element moved
        assertTrue(client.ignite().atomicLong(ClusterBackend.igniteName("list", "redo", "lock"), 0, false).compareAndSet(0, deadOwner));
        cache.put(ClusterList.SHIFT, new ClusterList.Shift(new java.util.TreeMap<>(java.util.Map.of(0, "x", 1, "b", 2, "c", 3, "d")), 4, 4));
        assertEquals(List.of("x", "b", "c", "d"), new java.util.ArrayList<>(list));
        assertEquals(null, cache.get(4));
        list.remove(1);
        list.add(0, "w");
        assertEquals(List.of("w", "x", "c", "d"), new java.util.ArrayList<>(list));
    }
}

package io.mp4j.tests.manager;

import io.mp4j.Manager;
import io.mp4j.Process;
import io.mp4j.queue.EmptyException;
import io.mp4j.queue.JoinableQueue;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Condition;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same behavioural checks, through the {@code io.mp4j.shm} and {@code io.mp4j.queue} interfaces, for a
 * memory-mapped object and for a manager-hosted one; the cross-JVM ones pass each object to child JVMs as a
 * {@link Process} argument.
 */
@ExtendWith(NoLeaks.class)
class SameInterfaceAcrossJvmsTest
{
    static final Duration BOUND = Duration.ofSeconds(120);

    /** Where the objects come from. */
    enum Kind
    {
        MAPPED, MANAGER
    }

    /** Makes objects of one kind, and closes what it opened. */
    static final class Source implements AutoCloseable
    {
        private final RuntimeDirectory dir;
        private final Manager manager;
        private int n;

        Source(final Kind kind)
        {
            this.dir = kind == Kind.MAPPED ? RuntimeDirectory.create() : null;
            this.manager = kind == Kind.MANAGER ? Manager.start() : null;
        }

        private String name(final String what)
        {
            return what + (++n);
        }

        Lock lock()
        {
            return dir != null ? Lock.create(dir, name("lock")) : manager.lock();
        }

        RLock rlock()
        {
            return dir != null ? RLock.create(dir, name("rlock")) : manager.rlock();
        }

        Value value(final String typecode, final Object initial)
        {
            return dir != null ? Value.create(dir, name("value"), typecode, initial) : manager.value(typecode, initial);
        }

        Array array(final String typecode, final int length)
        {
            return dir != null ? Array.create(dir, name("array"), typecode, length) : manager.array(typecode, length);
        }

        Semaphore semaphore(final long value)
        {
            return dir != null ? Semaphore.create(dir, name("semaphore"), value) : manager.semaphore(value);
        }

        BoundedSemaphore boundedSemaphore(final long value)
        {
            return dir != null ? BoundedSemaphore.create(dir, name("bounded"), value) : manager.boundedSemaphore(value);
        }

        Event event()
        {
            return dir != null ? Event.create(dir, name("event")) : manager.event();
        }

        Condition condition()
        {
            return dir != null ? Condition.create(dir, name("condition")) : manager.condition();
        }

        Barrier barrier(final int parties, final Duration timeout)
        {
            return dir != null ? Barrier.create(dir, name("barrier"), parties, null, timeout) : manager.barrier(parties, null, timeout);
        }

        <T> Queue<T> queue()
        {
            return dir != null ? Queue.create(dir, name("queue")) : manager.queue();
        }

        <T> JoinableQueue<T> joinableQueue()
        {
            return dir != null ? JoinableQueue.create(dir, name("joinable")) : manager.joinableQueue(0);
        }

        @Override
        public void close()
        {
            if (dir != null)
            {
                dir.close();
            }
            if (manager != null)
            {
                manager.close();
            }
        }
    }

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopChildren()
    {
        for (final Process p : processes)
        {
            p.kill();
        }
    }

    private Process start(final Process p)
    {
        processes.add(p);
        p.start();
        return p;
    }

    private static void joinOk(final Process p) throws InterruptedException
    {
        assertTrue(p.join(BOUND), p + " did not finish");
        assertEquals(0, p.exitCode().getAsInt(), p + " failed: " + String.join("\n", p.stderrTail()));
    }

    // ---- what the children run

    static void guardedIncrements(final Lock lock, final Value counter, final Integer times)
    {
        for (int i = 0; i < times; i++)
        {
            lock.lock();
            try
            {
                counter.setLong(counter.getLong() + 1);
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    static void reentrantIncrements(final Value counter, final Integer times)
    {
        final SharedLock lock = counter.getLock();
        for (int i = 0; i < times; i++)
        {
            try (SharedLock.Held outer = lock.locked(); SharedLock.Held inner = lock.locked())
            {
                counter.setInt(counter.getInt() + 1);
            }
        }
    }

    static void meet(final Event go, final Barrier barrier, final Array arrivals, final Integer slot, final Semaphore done) throws Exception
    {
        if (!go.await(BOUND))
        {
            throw new AssertionError("the event was never set");
        }
        arrivals.setInt(slot, barrier.await(BOUND));
        done.release();
    }

    static void produce(final Condition condition, final Value count, final Queue<String> queue, final Integer items) throws Exception
    {
        for (int i = 0; i < items; i++)
        {
            queue.put("item-" + i);
            try (SharedLock.Held held = condition.locked())
            {
                count.setInt(count.getInt() + 1);
                condition.signalAll();
            }
        }
    }

    static void consume(final JoinableQueue<Integer> tasks, final Queue<Integer> results, final Integer count) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            final Integer task = tasks.get(BOUND);
            results.put(task * 2);
            tasks.taskDone();
        }
    }

    // ---- cross-JVM checks

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aJoinableQueueIsJoinedWhenAChildHasDoneEveryTask(final Kind kind) throws Exception
    {
        try (Source source = new Source(kind))
        {
            final JoinableQueue<Integer> tasks = source.joinableQueue();
            final Queue<Integer> results = source.queue();
            final int count = 30;
            final Process consumer = start(Process.of(SameInterfaceAcrossJvmsTest::consume, tasks, results, count));
            for (int i = 0; i < count; i++)
            {
                tasks.put(i);
            }
            assertTrue(tasks.join(BOUND), "the consumer to mark every task done");
            assertEquals(0, tasks.unfinishedTasks());
            long sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += results.get(BOUND);
            }
            assertEquals((long)count * (count - 1), sum);
            joinOk(consumer);
            assertThrows(IllegalStateException.class, tasks::taskDone, "more taskDone() than elements put");
            tasks.put(1);
            assertFalse(tasks.join(Duration.ZERO), "one task is unfinished");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLockGuardsACompoundUpdateFromFourJvms(final Kind kind) throws Exception
    {
        try (Source source = new Source(kind))
        {
            final Lock lock = source.lock();
            final Value counter = source.value("l", 0L);
            final Value viaItsOwnLock = source.value("i", 0);
            final int times = 200;
            final List<Process> children = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                children.add(start(Process.of(SameInterfaceAcrossJvmsTest::guardedIncrements, lock, counter, times)));
                children.add(start(Process.of(SameInterfaceAcrossJvmsTest::reentrantIncrements, viaItsOwnLock, times)));
            }
            for (final Process p : children)
            {
                joinOk(p);
            }
            assertEquals(4L * times, counter.getLong());
            assertEquals(4 * times, viaItsOwnLock.getInt());
            assertFalse(lock.isLocked());
            assertEquals(0, lock.ownerPid());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eventBarrierArraySemaphoreAcrossJvms(final Kind kind) throws Exception
    {
        try (Source source = new Source(kind))
        {
            final Event go = source.event();
            final Barrier barrier = source.barrier(4, BOUND);
            final Array arrivals = source.array("i", 4);
            final Semaphore done = source.semaphore(0);
            final List<Process> children = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final int slot = i;
                children.add(start(Process.of(() -> meet(go, barrier, arrivals, slot, done))));
            }
            assertFalse(go.isSet());
            assertFalse(done.acquire(false), "nobody may pass before the event is set");
            go.set();
            arrivals.setInt(3, barrier.await(BOUND));
            for (int i = 0; i < 3; i++)
            {
                assertTrue(done.acquire(BOUND), "child " + i + " to pass the barrier");
            }
            for (final Process p : children)
            {
                joinOk(p);
            }
            final int[] indexes = arrivals.toIntArray();
            Arrays.sort(indexes);
            assertArrayEquals(new int[]{ 0, 1, 2, 3 }, indexes, "one distinct arrival index each, 0 first");
            assertEquals(0, done.getValue());
            assertFalse(barrier.isBroken());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void conditionAndQueueAcrossJvms(final Kind kind) throws Exception
    {
        try (Source source = new Source(kind))
        {
            final Condition condition = source.condition();
            final Value count = source.value("i", 0);
            final Queue<String> queue = source.queue();
            final int items = 20;
            final Process producer = start(Process.of(() -> produce(condition, count, queue, items)));
            try (SharedLock.Held held = condition.locked())
            {
                assertTrue(condition.waitFor(() -> count.getInt() == items, BOUND), "the producer to count to " + items);
            }
            for (int i = 0; i < items; i++)
            {
                assertEquals("item-" + i, queue.get(BOUND));
            }
            joinOk(producer);
            assertTrue(queue.empty());
            assertNull(queue.poll());
            assertThrows(EmptyException.class, queue::getNowait);
        }
    }

    // ---- the same semantics in one JVM

    @ParameterizedTest
    @EnumSource(Kind.class)
    void lockSemantics(final Kind kind)
    {
        try (Source source = new Source(kind))
        {
            final Lock lock = source.lock();
            assertTrue(lock.tryLock());
            assertTrue(lock.isLocked());
            assertTrue(lock.isHeldByCurrentThread());
            assertEquals(ProcessHandle.current().pid(), lock.ownerPid());
            assertFalse(lock.acquire(false), "a Lock is not reentrant");
            assertFalse(lock.acquire(Duration.ZERO));
            assertFalse(lock.previousOwnerDied());
            lock.release();
            assertThrows(IllegalStateException.class, lock::release, "release of a free Lock");
            assertThrows(IllegalMonitorStateException.class, lock::unlock, "unlock by a thread that does not hold it");
            assertThrows(UnsupportedOperationException.class, lock::newCondition);
            assertEquals(42, (int)lock.call(() -> 42));
            assertFalse(lock.isLocked());

            final RLock rlock = source.rlock();
            try (SharedLock.Held outer = rlock.locked(); SharedLock.Held inner = rlock.locked())
            {
                assertEquals(2, rlock.getHoldCount());
            }
            assertEquals(0, rlock.getHoldCount());
            assertThrows(IllegalMonitorStateException.class, rlock::release);
            assertEquals(0, rlock.recoveries());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void semaphoreEventAndBarrierSemantics(final Kind kind) throws Exception
    {
        try (Source source = new Source(kind))
        {
            final Semaphore semaphore = source.semaphore(2);
            assertEquals(Long.MAX_VALUE, semaphore.bound());
            assertTrue(semaphore.tryAcquire());
            assertTrue(semaphore.acquire(Duration.ZERO));
            assertFalse(semaphore.tryAcquire());
            semaphore.release(3);
            assertEquals(3, semaphore.getValue());
            assertThrows(IllegalArgumentException.class, () -> semaphore.release(0));

            final BoundedSemaphore bounded = source.boundedSemaphore(1);
            assertEquals(1, bounded.bound());
            bounded.acquire();
            bounded.release();
            assertThrows(IllegalStateException.class, bounded::release, "released above its bound");
            assertEquals(1, bounded.getValue());

            final Event event = source.event();
            assertFalse(event.await(Duration.ZERO));
            event.set();
            assertTrue(event.isSet());
            assertTrue(event.await(Duration.ZERO));
            event.clear();
            assertFalse(event.isSet());

            final Barrier one = source.barrier(1, null);
            assertEquals(0, one.await());
            assertEquals(1, one.parties());
            assertNull(one.timeout());
            final Barrier two = source.barrier(2, BOUND);
            assertEquals(BOUND, two.timeout());
            assertThrows(TimeoutException.class, () -> two.await(Duration.ZERO), "nobody else arrives");
            assertTrue(two.isBroken(), "a timeout breaks the barrier");
            assertThrows(BrokenBarrierException.class, () -> two.await(BOUND));
            two.reset();
            assertFalse(two.isBroken());
            two.abort();
            assertTrue(two.isBroken());
            assertEquals(0, two.nWaiting());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void valueArrayAndConditionSemantics(final Kind kind) throws Exception
    {
        try (Source source = new Source(kind))
        {
            final Value i = source.value("i", 41);
            assertEquals(ElementType.INT, i.type());
            assertTrue(i.hasLock());
            assertEquals(42, i.incrementAndGet());
            assertEquals(42L, i.getLong(), "an int widens to long");
            assertEquals(42.0, i.getDouble());
            assertThrows(IllegalStateException.class, () -> i.setDouble(1.5));
            assertThrows(IllegalArgumentException.class, () -> i.setLong(1L << 40), "does not fit an int");
            assertTrue(i.compareAndSet(42, 7));
            assertFalse(i.compareAndSet(42, 8));
            assertEquals(7, i.value());
            assertEquals(Integer.MIN_VALUE, (int)i.addAndGet((long)Integer.MAX_VALUE - 7 + 1), "an int wraps around");

            final Value d = source.value("d", 1.5);
            assertEquals(3.0, d.addAndGet(1.5));
            assertThrows(IllegalStateException.class, d::getLong);
            final Value b = source.value("?", true);
            assertTrue(b.compareAndSet(true, false));
            assertEquals(false, b.value());

            final Array a = source.array("l", 5);
            assertEquals(5, a.length());
            a.copyFrom(1, new long[]{ 9, 10, 11, 12 }, 1, 3);
            assertArrayEquals(new long[]{ 0, 10, 11, 12, 0 }, a.toLongArray());
            final long[] out = new long[4];
            a.copyTo(2, out, 1, 3);
            assertArrayEquals(new long[]{ 0, 11, 12, 0 }, out);
            assertEquals(15, a.addAndGetLong(4, 15));
            assertThrows(IndexOutOfBoundsException.class, () -> a.getLong(5));
            assertThrows(IndexOutOfBoundsException.class, () -> a.copyTo(3, out, 0, 3));
            assertThrows(IllegalStateException.class, () -> a.getInt(0), "a long array has no int elements");

            final Condition condition = source.condition();
            assertThrows(IllegalMonitorStateException.class, () -> condition.await(Duration.ZERO), "waiting without the lock");
            try (SharedLock.Held held = condition.locked())
            {
                assertFalse(condition.await(Duration.ZERO));
                assertTrue(condition.getLock().isHeldByCurrentThread(), "the lock is held again after a wait");
                assertEquals(0, condition.signal(1));
                assertEquals(0, condition.signalAll());
                assertFalse(condition.waitFor(() -> false, Duration.ZERO));
                assertTrue(condition.waitFor(() -> true, Duration.ZERO));
            }
            assertEquals(0, condition.waiters());
        }
    }
}

package io.mp4j.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "A waiter that has waited longer than its spin phase uses no CPU while it waits": with the default
 * {@code backoff} strategy, a thread blocked on each primitive reaches the park phase (its state becomes
 * TIMED_WAITING), and from then on its CPU time stays nearly flat. A spinning or yielding waiter would
 * take most of a core over the same window; a parked one wakes every millisecond to look at the shared
 * word (2-5% of a core on the 2-core KVM machine this was written on, where a wake-up costs 20-40 us of
 * CPU). The bound is loose (10% of the window) so that a loaded machine cannot make the test fail; it
 * measures CPU time, not elapsed time.
 */
class ParkedWaiterCpuTest
{
    /** How long the parked waiter is watched. A measuring window: nothing waits on it to synchronise. */
    static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    RuntimeDirectory dir;
    final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    @BeforeEach
    void setUp()
    {
        assumeTrue(threads.isThreadCpuTimeSupported(), "per-thread CPU time is not available here");
        threads.setThreadCpuTimeEnabled(true);
        dir = RuntimeDirectory.create();
        IdleStrategies.setForDirectory(dir, IdleStrategies.named(IdleStrategies.DEFAULT_NAME));
    }

    @AfterEach
    void tearDown()
    {
        if (dir != null)
        {
            IdleStrategies.setForDirectory(dir, null);
            dir.close();
        }
    }

    interface Wait
    {
        void run() throws Exception;
    }

    /**
     * Start {@code waiter} in a thread, let it reach the park phase, measure its CPU time over the window,
     * then {@code release} it and check that it finished without error.
     */
    void assertParksWithoutCpu(final String what, final Wait waiter, final Runnable release) throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                waiter.run();
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "parked-" + what);
        thread.setDaemon(true);
        thread.start();
        try
        {
            Await.until(what + ": the waiter reaches its park phase", () -> thread.getState() == Thread.State.TIMED_WAITING);
            final long cpu0 = threads.getThreadCpuTime(thread.getId());
            final long wall0 = System.nanoTime();
            long now;
            while ((now = System.nanoTime()) - wall0 < WINDOW_NANOS)
            {
                LockSupport.parkNanos(WINDOW_NANOS - (now - wall0));
            }
            final long cpu = threads.getThreadCpuTime(thread.getId()) - cpu0;
            final long wall = System.nanoTime() - wall0;
            assertTrue(thread.isAlive(), what + ": the waiter is still waiting");
            assertTrue(cpu < wall / 10, what + ": the parked waiter used " + TimeUnit.NANOSECONDS.toMicros(cpu) +
                " us of CPU in " + TimeUnit.NANOSECONDS.toMicros(wall) + " us");
        }
        finally
        {
            release.run();
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertTrue(!thread.isAlive(), what + ": the waiter finished once released");
        assertNull(failure.get(), what + ": the waiter failed");
    }

    @Test
    void lockWaiter() throws Exception
    {
        final Lock lock = Lock.create(dir, "lock");
        lock.lock();
        assertParksWithoutCpu("Lock", () ->
        {
            lock.lock();
            lock.unlock();
        }, lock::unlock);
    }

    @Test
    void rlockWaiter() throws Exception
    {
        final RLock lock = RLock.create(dir, "rlock");
        lock.lock();
        assertParksWithoutCpu("RLock", () ->
        {
            lock.lock();
            lock.unlock();
        }, lock::unlock);
    }

    @Test
    void semaphoreWaiter() throws Exception
    {
        final Semaphore semaphore = Semaphore.create(dir, "semaphore", 0);
        assertParksWithoutCpu("Semaphore", semaphore::acquire, semaphore::release);
    }

    @Test
    void eventWaiter() throws Exception
    {
        final Event event = Event.create(dir, "event");
        assertParksWithoutCpu("Event", () -> assertTrue(event.await(Duration.ofSeconds(60))), event::set);
    }

    @Test
    void conditionWaiter() throws Exception
    {
        final Condition condition = Condition.create(dir, "condition");
        final Value flag = Value.createRaw(dir, "flag", ElementType.INT, 0);
        assertParksWithoutCpu("Condition", () ->
        {
            try (SharedLock.Held held = condition.locked())
            {
                assertTrue(condition.waitFor(() -> flag.getInt() == 1, Duration.ofSeconds(60)));
            }
        }, () ->
        {
            try (SharedLock.Held held = condition.locked())
            {
                flag.setInt(1);
                condition.signalAll();
            }
        });
    }

    @Test
    void barrierWaiter() throws Exception
    {
        final Barrier barrier = Barrier.create(dir, "barrier", 2);
        assertParksWithoutCpu("Barrier", () -> barrier.await(Duration.ofSeconds(60)), () ->
        {
            try
            {
                barrier.await(Duration.ofSeconds(60));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }
}

package io.mp4j.queue;

import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A connection's waits are not interruptible; an interrupted receiver keeps waiting parked (not spinning a
 * core on parks that return at once) and finds its interrupt status set when the message comes.
 */
class ConnectionInterruptTest
{
    RuntimeDirectory dir;

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown()
    {
        dir.close();
    }

    static final class RecordingIdle implements IdleStrategy
    {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger callsWhileInterrupted = new AtomicInteger();

        @Override
        public void idle(final int workCount)
        {
            if (workCount <= 0)
            {
                idle();
            }
        }

        @Override
        public void idle()
        {
            if (Thread.currentThread().isInterrupted())
            {
                callsWhileInterrupted.incrementAndGet();
            }
            calls.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }

        @Override
        public void reset()
        {
        }
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void interruptedReceiverKeepsWaitingParkedAndKeepsTheInterrupt() throws Exception
    {
        final RecordingIdle idle = new RecordingIdle();
        final Supplier<IdleStrategy> original = IdleStrategies.getDefault();
        final Thread[] receiver = new Thread[1];
        // only the receiver thread (made below, its strategy taken at its first wait) gets the recorder
        IdleStrategies.setDefault(() -> Thread.currentThread() == receiver[0] ? idle : original.get());
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection a = pipe.first(); Connection b = pipe.second())
        {
            final CompletableFuture<String> received = new CompletableFuture<>();
            receiver[0] = new Thread(() ->
            {
                try
                {
                    final Object value = b.recv();
                    received.complete(value + " " + Thread.interrupted());
                }
                catch (final Throwable ex)
                {
                    received.completeExceptionally(ex);
                }
            }, "receiver");
            receiver[0].start();
            await("the receiver to idle", () -> idle.calls.get() > 10);
            receiver[0].interrupt();
            final int before = idle.calls.get();
            await("the receiver to idle on after the interrupt", () -> idle.calls.get() > before + 50);
            assertTrue(idle.callsWhileInterrupted.get() <= 1,
                idle.callsWhileInterrupted.get() + " idle calls were made with the interrupt status set (each park returns at once)");
            a.send("hello");
            assertEquals("hello true", received.get(30, TimeUnit.SECONDS));

            // poll(timeout) too: it times out, the interrupt kept
            final CompletableFuture<String> polled = new CompletableFuture<>();
            final Thread poller = new Thread(() ->
            {
                Thread.currentThread().interrupt();
                polled.complete(b.poll(Duration.ofMillis(100)) + " " + Thread.interrupted());
            }, "poller");
            poller.start();
            assertEquals("false true", polled.get(30, TimeUnit.SECONDS));
        }
        finally
        {
            IdleStrategies.setDefault(original);
        }
    }
}

package io.mp4j.queue;

import io.mp4j.shm.Await;
import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.RecordingIdle;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection's waits are not interruptible; an interrupted receiver, or sender on a full ring, keeps waiting
 * parked (not spinning a core on parks that return at once) and finds its interrupt status set when the
 * message comes or goes.
 */
class ConnectionInterruptTest
{
    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

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
            Await.until("the receiver to idle", () -> idle.calls() > 10);
            receiver[0].interrupt();
            final int before = idle.calls();
            Await.until("the receiver to idle on after the interrupt", () -> idle.calls() > before + 50);
            assertTrue(idle.callsWhileInterrupted() <= 1,
                idle.callsWhileInterrupted() + " idle calls were made with the interrupt status set (each park returns at once)");
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
    @Test
    void interruptedSenderOnAFullRingKeepsWaitingParkedAndKeepsTheInterrupt() throws Exception
    {
        final RecordingIdle idle = new RecordingIdle();
        final Supplier<IdleStrategy> original = IdleStrategies.getDefault();
        final Thread[] sender = new Thread[1];
        // only the sender thread (made below, its strategy taken at its first wait) gets the recorder
        IdleStrategies.setDefault(() -> Thread.currentThread() == sender[0] ? idle : original.get());
        // the smallest ring, 1 KiB (records up to 128 bytes): about nine 100-byte messages fill it
        final Pipe pipe = Pipe.create(dir, "p", false, 1024, null);
        final int messages = 20;
        try (Connection receiving = pipe.first(); Connection sending = pipe.second())
        {
            final CompletableFuture<String> sent = new CompletableFuture<>();
            sender[0] = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < messages; i++)
                    {
                        final byte[] message = new byte[100];
                        java.util.Arrays.fill(message, (byte)i);
                        sending.sendBytes(message);
                    }
                    sent.complete(messages + " " + Thread.interrupted());
                }
                catch (final Throwable ex)
                {
                    sent.completeExceptionally(ex);
                }
            }, "sender");
            sender[0].start();
            Await.until("the sender to idle on the full ring", () -> idle.calls() > 10);
            sender[0].interrupt();
            final int before = idle.calls();
            Await.until("the sender to idle on after the interrupt", () -> idle.calls() > before + 50 || sent.isDone());
            assertFalse(sent.isDone(), "the interrupted send did not keep waiting: " + sent);
            assertTrue(idle.callsWhileInterrupted() <= 1,
                idle.callsWhileInterrupted() + " idle calls were made with the interrupt status set (each park returns at once)");
            for (int i = 0; i < messages; i++)
            {
                final byte[] message = receiving.recvBytes();
                assertEquals(100, message.length);
                assertEquals(i, message[0], "message " + i);
            }
            assertEquals(messages + " true", sent.get(30, TimeUnit.SECONDS), "every message sent, the interrupt kept");
        }
        finally
        {
            IdleStrategies.setDefault(original);
        }
    }
}

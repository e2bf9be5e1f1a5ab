package io.mp4j.queue;

import io.mp4j.shm.Await;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single-JVM behaviour of pipes: both directions, fragmentation, one-way, close and end of stream.
 */
class PipeTest
{
    private RuntimeDirectory dir;

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown()
    {
        dir.close();
        assertFalse(Files.exists(dir.path()));
    }

    @Test
    void duplexBothWays()
    {
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection a = pipe.first(); Connection b = pipe.second())
        {
            assertFalse(b.poll());
            a.send(1);
            a.send("two");
            a.send(List.of(3L, 4.0));
            assertTrue(b.poll());
            assertTrue(b.poll(Duration.ofSeconds(1)));
            assertEquals(1, b.recv());
            assertEquals("two", b.recv());
            assertEquals(List.of(3L, 4.0), b.recv());
            b.sendBytes(new byte[]{ 0, 1, 2, 3, 4 }, 1, 3);
            assertArrayEquals(new byte[]{ 1, 2, 3 }, a.recvBytes());
            b.sendBytes(new UnsafeBuffer(new byte[]{ 7, 8 }), 0, 2);
            final byte[] into = new byte[4];
            assertEquals(2, a.recvBytesInto(into, 1));
            assertArrayEquals(new byte[]{ 0, 7, 8, 0 }, into);
            b.sendBytes(new byte[10]);
            final BufferTooShortException tooShort = assertThrows(BufferTooShortException.class, () -> a.recvBytesInto(new byte[4], 0));
            assertEquals(10, tooShort.message().length);
            assertFalse(a.poll(Duration.ofMillis(20)));
            assertThrows(EmptyException.class, () -> a.recv(Duration.ofMillis(20)));
        }
    }

    @Test
    void messagesLargerThanTheRingAreFragmentedAndReassembled() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p", true, 1 << 16, null);
        try (Connection a = pipe.first(); Connection b = pipe.second())
        {
            final byte[] big = new byte[3 << 20];
            new Random(1).nextBytes(big);
            final CompletableFuture<Void> sender = TestThreads.run(() ->
            {
                a.sendBytes(big);
                a.send(new String(new char[200_000]).replace('\0', 'z'));
                a.send("small");
                a.send(ByteBuffer.wrap(big, 1, (1 << 16) + 5));
                a.send(big);
                a.send(new ArrayList<>(List.of(big)));
            });
            assertTrue(b.poll(Duration.ofSeconds(60)), "the sender failed: " + sender);
            assertArrayEquals(big, b.recvBytes());
            assertEquals(200_000, ((String)b.recv(Duration.ofSeconds(60))).length());
            assertEquals("small", b.recv(Duration.ofSeconds(60)));
            assertEquals(ByteBuffer.wrap(big, 1, (1 << 16) + 5), b.recv(Duration.ofSeconds(60)));
            assertArrayEquals(big, (byte[])b.recv(Duration.ofSeconds(60)));
            assertArrayEquals(big, (byte[])((List<?>)b.recv(Duration.ofSeconds(60))).get(0));
            sender.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void closingTheSendingEndWhileItIsBlockedMidMessageEndsTheStreamAndDropsThePart() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p", false, 1 << 16, null);
        final Connection receiveEnd = pipe.first();
        final Connection sendEnd = pipe.second();
        sendEnd.send("before");
        // 8 MiB through a 64 KiB ring nobody reads: the sender blocks mid-message
        final CompletableFuture<Void> sender = TestThreads.run(() -> sendEnd.sendBytes(new byte[8 << 20]));
        assertEquals("before", receiveEnd.recv(Duration.ofSeconds(60)));
        Await.until("the sender's first fragment", Duration.ofSeconds(60), receiveEnd::poll);
        sendEnd.close();
        final Throwable stopped = assertThrows(java.util.concurrent.ExecutionException.class, () -> sender.get(60, TimeUnit.SECONDS)).getCause();
        assertTrue(stopped instanceof IllegalStateException, String.valueOf(stopped));
        assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
        {
            final EndOfStreamException eof = assertThrows(EndOfStreamException.class, () -> receiveEnd.recv(Duration.ofSeconds(60)));
            assertTrue(eof.getMessage().contains("was closed"), eof.getMessage());
            assertTrue(receiveEnd.poll());
        });
        receiveEnd.close();
    }

    @Test
    void recvBytesIntoAssemblesFragmentsInTheCallersArray() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p", true, 1 << 16, null);
        try (Connection a = pipe.first(); Connection b = pipe.second())
        {
            final byte[] big = new byte[(1 << 16) * 3 + 7];
            new Random(2).nextBytes(big);
            final CompletableFuture<Void> sender = TestThreads.run(() ->
            {
                for (int i = 0; i < 3; i++)
                {
                    a.sendBytes(big);
                }
                a.sendBytes(big, 5, 100);
            });
            final byte[] into = new byte[big.length + 10];
            assertEquals(big.length, b.recvBytesInto(into, 10));
            assertArrayEquals(big, Arrays.copyOfRange(into, 10, into.length));
            final BufferTooShortException tooShort = assertThrows(BufferTooShortException.class, () -> b.recvBytesInto(into, 11));
            assertArrayEquals(big, tooShort.message(), "a message too long is handed over whole");
            final byte[] exact = new byte[big.length];
            assertEquals(big.length, b.recvBytesInto(exact, 0));
            assertArrayEquals(big, exact);
            assertEquals(100, b.recvBytesInto(into, 0));
            assertArrayEquals(Arrays.copyOfRange(big, 5, 105), Arrays.copyOf(into, 100));
            assertThrows(IndexOutOfBoundsException.class, () -> b.recvBytesInto(into, into.length + 1));
            sender.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aReceivingEndTakenOverContinuesAfterWhatWasReceivedAcrossLaps()
    {
        // the receiver releases ring space lazily (RingReader) but stores its consumed position after
        // every message: a new holder of the end neither sees a message twice nor misses one
        final Pipe pipe = Pipe.create(dir, "p", false, 1024, null);
        Connection reader = pipe.first();
        try (Connection writer = pipe.second())
        {
            int next = 0;
            int expected = 0;
            for (int lap = 0; lap < 200; lap++)
            {
                final int burst = 1 + lap % 23;
                for (int i = 0; i < burst; i++)
                {
                    writer.send(next++);
                }
                for (int i = 0; i < burst; i++)
                {
                    assertEquals(expected++, reader.recv());
                    if (lap % 10 == 3 && i == burst / 2)
                    {
                        final Path file = reader.path();
                        reader.close();
                        reader = Connection.attach(file, 0); // takes the end over (and clears its closed flag)
                    }
                }
                assertFalse(reader.poll(), "lap " + lap);
            }
        }
        finally
        {
            reader.close();
        }
    }

    @Test
    void oneWayPipe()
    {
        final Pipe pipe = Pipe.create(dir, "p", false);
        try (Connection reader = pipe.first(); Connection writer = pipe.second())
        {
            assertTrue(reader.readable());
            assertFalse(reader.writable());
            assertTrue(writer.writable());
            assertFalse(writer.readable());
            writer.send("x");
            assertEquals("x", reader.recv());
            assertThrows(IllegalStateException.class, () -> reader.send("no"));
            assertThrows(IllegalStateException.class, writer::recv);
        }
    }

    @Test
    void closeFromAnotherThreadStopsABlockedReceiverAndPoller() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p");
        final Connection a = pipe.first();
        final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
        final CompletableFuture<Object> receiver = TestThreads.supply(() ->
        {
            started.countDown();
            return a.recv();
        });
        final CompletableFuture<Boolean> poller = TestThreads.supply(() ->
        {
            started.countDown();
            return a.poll(Duration.ofSeconds(60));
        });
        try
        {
            assertTrue(started.await(60, TimeUnit.SECONDS));
        }
        finally
        {
            a.close();
        }
        final java.util.concurrent.ExecutionException recvFailure = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> receiver.get(60, TimeUnit.SECONDS));
        assertTrue(recvFailure.getCause() instanceof IllegalStateException, String.valueOf(recvFailure.getCause()));
        final java.util.concurrent.ExecutionException pollFailure = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> poller.get(60, TimeUnit.SECONDS));
        assertTrue(pollFailure.getCause() instanceof IllegalStateException, String.valueOf(pollFailure.getCause()));
        pipe.second().close();
    }

    @Test
    void endOfStreamAfterPeerCloseDeliversWhatWasSentFirst()
    {
        final Pipe pipe = Pipe.create(dir, "p");
        final Connection a = pipe.first();
        final Connection b = pipe.second();
        b.send("last words");
        b.close();
        assertThrows(IllegalStateException.class, () -> b.send("closed"), "send on a closed connection raises");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        {
            assertTrue(a.poll());
            assertEquals("last words", a.recv());
            assertTrue(a.poll(), "poll is true at end of stream: recv would not wait");
            final EndOfStreamException eof = assertThrows(EndOfStreamException.class, a::recv);
            assertTrue(eof.getMessage().contains("was closed"), eof.getMessage());
            assertThrows(EndOfStreamException.class, () -> a.send("to nobody"));
        });
        a.close();
    }

    @Test
    void aFragmentThatDoesNotFitItsMessageIsRefusedAndTheStreamGoesOn()
    {
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection a = pipe.first(); Connection b = pipe.second())
        {
            final io.mp4j.shm.MappedRegion region = io.mp4j.shm.MappedRegion.attach(a.path(), io.mp4j.shm.RegionType.PIPE);
            try
            {
                // forged records on a's ring, as a corrupt or foreign writer would leave them
                final org.agrona.concurrent.ringbuffer.OneToOneRingBuffer ring =
                    PipeDescriptor.ring(region, 0, PipeDescriptor.validate(region));
                final UnsafeBuffer first = new UnsafeBuffer(new byte[Integer.BYTES + 16]);
                // a first fragment claiming 100 MiB, then a last one that ends the message after 32 bytes
                first.putInt(0, 100 << 20, java.nio.ByteOrder.LITTLE_ENDIAN);
                assertTrue(ring.write(MessageTags.BYTES | MessageTags.FRAGMENT_FIRST, first, 0, first.capacity()));
                assertTrue(ring.write(MessageTags.BYTES | MessageTags.FRAGMENT_LAST, new UnsafeBuffer(new byte[16]), 0, 16));
                final MessageDecodingException shortMessage = assertThrows(MessageDecodingException.class, b::recvBytes);
                assertTrue(shortMessage.getMessage().contains("104857600"), shortMessage.getMessage());
                // a first fragment claiming a negative length
                first.putInt(0, -5, java.nio.ByteOrder.LITTLE_ENDIAN);
                assertTrue(ring.write(MessageTags.STRING | MessageTags.FRAGMENT_FIRST, first, 0, first.capacity()));
                assertThrows(MessageDecodingException.class, b::recv);
                // a middle fragment longer than what its message has left
                first.putInt(0, 20, java.nio.ByteOrder.LITTLE_ENDIAN);
                assertTrue(ring.write(MessageTags.BYTES | MessageTags.FRAGMENT_FIRST, first, 0, first.capacity()));
                assertTrue(ring.write(MessageTags.BYTES | MessageTags.FRAGMENT_MIDDLE, new UnsafeBuffer(new byte[8]), 0, 8));
                assertThrows(MessageDecodingException.class, b::recvBytes);
            }
            finally
            {
                region.close();
            }
            a.send("after");
            assertEquals("after", b.recv(), "the stream goes on with the next message");
        }
    }
}

package io.mp4j.queue;

import io.mp4j.shm.InvalidRegionException;
import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.example.Forbidden;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single-JVM behaviour of the queues: types, outcomes, limits, refusal of bad files.
 */
class QueueLocalTest
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
        assertFalse(Files.exists(dir.path()), "runtime directory left behind");
    }

    @Test
    void builtInTypesRoundTrip() throws Exception
    {
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q"))
        {
            final byte[] bytes = { 1, 2, 3 };
            final List<Object> sent = List.of(42, -7L, 2.5, "héllo ✓", "", new ArrayList<>(List.of(1, "x")));
            for (final Object o : sent)
            {
                q.put(o);
            }
            q.put(bytes);
            q.put(ByteBuffer.wrap(new byte[]{ 9, 8, 7, 6 }, 1, 2));
            q.put(ByteBuffer.allocateDirect(3).put((byte)5).flip());
            q.put(ByteBuffer.wrap(new byte[]{ 4, 3 }).asReadOnlyBuffer());
            assertEquals(sent.size() + 4, q.qsize());
            for (final Object o : sent)
            {
                final Object got = q.get();
                assertEquals(o, got);
                assertEquals(o.getClass(), got.getClass());
            }
            assertArrayEquals(bytes, (byte[])q.get());
            assertEquals(ByteBuffer.wrap(new byte[]{ 8, 7 }), q.get());
            assertEquals(ByteBuffer.wrap(new byte[]{ 5 }), q.get());
            assertEquals(ByteBuffer.wrap(new byte[]{ 4, 3 }), q.get());
            assertTrue(q.empty());
            assertEquals(0, q.qsize());
        }
    }

    @Test
    void emptyOutcomes() throws Exception
    {
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "q"))
        {
            assertNull(q.poll());
            assertNull(q.poll(10, TimeUnit.MILLISECONDS));
            assertThrows(EmptyException.class, q::getNowait);
            final EmptyException ex = assertThrows(EmptyException.class, () -> q.get(Duration.ofMillis(50)));
            assertTrue(ex.getMessage().contains("q"), ex.getMessage());
        }
    }

    @Test
    void fullOutcomes() throws Exception
    {
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "q", 1024, null))
        {
            int n = 0;
            while (q.offer(n))
            {
                n++;
            }
            assertEquals(1024 / 16, n, "each int takes a 16-byte record");
            assertTrue(q.full());
            assertThrows(FullException.class, () -> q.putNowait(1));
            assertThrows(FullException.class, () -> q.put(1, Duration.ofMillis(50)));
            assertFalse(q.offer(1, 10, TimeUnit.MILLISECONDS));
            assertEquals(0, q.get());
            q.put(99, Duration.ofSeconds(5));
            for (int i = 1; i < n; i++)
            {
                assertEquals(i, q.get());
            }
            assertEquals(99, q.get());
        }
    }

    @Test
    void consumedSpaceIsReleasedLazilyButCapacityStaysExactAcrossLaps() throws Exception
    {
        // consumers keep their own consumed position beside Agrona's head (RingReader, which can also
        // release in blocks): the counts, the room a producer finds and the order must not show it, over
        // many laps of a small ring
        try (Queue<String> q = Queue.create(dir, "q", 1024, null))
        {
            int next = 0;
            int expected = 0;
            for (int lap = 0; lap < 300; lap++)
            {
                final int burst = 1 + lap % 17; // at most 17 records of at most 32 bytes: fits in 1 KiB
                for (int i = 0; i < burst; i++)
                {
                    q.put("m" + next++ + "-" + "x".repeat(lap % 13), Duration.ofSeconds(5));
                }
                assertEquals(burst, q.qsize());
                assertFalse(q.empty());
                for (int i = 0; i < burst; i++)
                {
                    assertTrue(q.get().startsWith("m" + expected++ + "-"));
                }
                assertTrue(q.empty());
                assertEquals(0, q.qsize());
                assertEquals(1024, q.remainingCapacity(), "lap " + lap);
            }
            int n = 0;
            while (q.offer("y"))
            {
                n++;
            }
            assertEquals(1024 / 16, n, "a full ring's worth of 16-byte records after the laps");
        }
    }

    @Test
    void oversizedMessageIsRejectedWithNumbers()
    {
        try (MappedQueue<byte[]> q = MappedQueue.create(dir, "q", 4096, null))
        {
            final MessageTooLargeException ex = assertThrows(MessageTooLargeException.class, () -> q.put(new byte[513]));
            assertTrue(ex.getMessage().contains("maxMessageLength=" + q.maxMessageLength() + ", length=513"), ex.getMessage());
            assertEquals(512, q.maxMessageLength());
            assertTrue(q.offer(new byte[512]));
            assertThrows(MessageTooLargeException.class, () -> q.offer(new byte[10_000]));
        }
    }

    @Test
    void unserializableObjectIsRejectedAtPutNamingTheClass()
    {
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> q.put(new Object()));
            assertTrue(ex.getMessage().contains("java.lang.Object"), ex.getMessage());
            final IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
                () -> q.put(new ArrayList<>(List.of(new Thread()))));
            assertTrue(nested.getMessage().contains("java.util.ArrayList") && nested.getMessage().contains("java.lang.Thread"),
                nested.getMessage());
            assertTrue(q.empty());
        }
    }

    @Test
    void filteredClassIsRefusedOnGet() throws Exception
    {
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q"))
        {
            q.put(new Forbidden("x"));
            q.put("next");
            final MessageDecodingException ex = assertThrows(MessageDecodingException.class, q::get);
            assertTrue(ex.getMessage().contains(Forbidden.class.getName()), ex.getMessage());
            assertEquals("next", q.get(), "the refused message is consumed, the queue stays usable");
        }
        try (MappedQueue<Object> q = MappedQueue.create(dir, "allowed", Queue.DEFAULT_CAPACITY, new JavaSerializationCodec("org.example.*")))
        {
            q.put(new Forbidden("y"));
            assertEquals("y", ((Forbidden)q.get()).text);
        }
    }

    @Test
    void aQueueReceivedInAMessageCannotBringAWiderCodec() throws Exception
    {
        // a peer sends a queue whose codec allows everything: the receiver's copy decodes only what this JVM's
        // default allows too
        try (MappedQueue<Object> wide = MappedQueue.create(dir, "wide", Queue.DEFAULT_CAPACITY, new JavaSerializationCodec("*"));
             MappedQueue<Object> carrier = MappedQueue.create(dir, "carrier"))
        {
            carrier.put(wide);
            try (MappedQueue<?> received = (MappedQueue<?>)carrier.get())
            {
                wide.put(new Forbidden("z"));
                final MessageDecodingException ex = assertThrows(MessageDecodingException.class, received::get);
                assertTrue(ex.getMessage().contains(Forbidden.class.getName()), ex.getMessage());
                wide.put("fine");
                assertEquals("fine", received.get());
            }
        }
    }

    @Test
    void aJvmWideFilterStillAppliesOnTopOfTheCodecs() throws Exception
    {
        // java.time is in the codec's allow-list; the JVM-wide filter of the child rejects Instant
        try (ChildJvm child = ChildJvm.start(SerialFilterChild.class, List.of("-Djdk.serialFilter=!java.time.Instant")))
        {
            final String line = child.awaitLine(l -> l.startsWith("DECODED") || l.startsWith("REFUSED"), Duration.ofSeconds(60));
            assertTrue(line.startsWith("REFUSED") && line.contains("java.time.Instant") && line.contains("jdk.serialFilter"), line);
            child.assertExitsCleanly(Duration.ofSeconds(60));
        }
        try (ChildJvm child = ChildJvm.start(SerialFilterChild.class))
        {
            assertEquals("DECODED 1970-01-01T00:00:42Z",
                child.awaitLine(l -> l.startsWith("DECODED") || l.startsWith("REFUSED"), Duration.ofSeconds(60)));
            child.assertExitsCleanly(Duration.ofSeconds(60));
        }
    }

    @Test
    void zeroCopyBytes() throws Exception
    {
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q"))
        {
            final UnsafeBuffer src = new UnsafeBuffer(new byte[]{ 0, 1, 2, 3, 4, 5 });
            q.putBytes(src, 2, 3);
            assertTrue(q.offerBytes(src, 0, 0));
            final List<byte[]> got = new ArrayList<>();
            assertTrue(q.readBytes((buffer, offset, length) ->
            {
                final byte[] b = new byte[length];
                buffer.getBytes(offset, b);
                got.add(b);
            }));
            assertArrayEquals(new byte[]{ 2, 3, 4 }, got.get(0));
            assertArrayEquals(new byte[0], (byte[])q.get());
            assertFalse(q.readBytes((buffer, offset, length) -> got.add(null)));
        }
    }

    @Test
    void attachAndSerializedHandleShareTheQueue() throws Exception
    {
        try (MappedQueue<String> q = MappedQueue.create(dir, "q");
             MappedQueue<String> attached = MappedQueue.attach(dir.resolve("q")))
        {
            q.put("a");
            assertEquals("a", attached.get());
            @SuppressWarnings("unchecked")
            final Queue<String> copy = (Queue<String>)roundTrip(q);
            try (copy)
            {
                copy.put("b");
                assertEquals("b", q.get());
            }
        }
        try (MappedSimpleQueue<String> s = MappedSimpleQueue.create(dir, "s"))
        {
            @SuppressWarnings("unchecked")
            final SimpleQueue<String> copy = (SimpleQueue<String>)roundTrip(s);
            copy.put("c");
            assertEquals("c", s.get());
            assertTrue(s.empty());
            copy.close();
        }
    }

    @Test
    void joinableQueueCountsTasks() throws Exception
    {
        try (MappedJoinableQueue<Integer> q = MappedJoinableQueue.create(dir, "j"))
        {
            assertTrue(q.join(Duration.ZERO));
            q.put(1);
            q.put(2);
            assertEquals(2, q.unfinishedTasks());
            assertFalse(q.join(Duration.ofMillis(20)));
            q.get();
            q.taskDone();
            q.get();
            q.taskDone();
            assertTrue(q.join(Duration.ofSeconds(1)));
            q.join();
            assertThrows(IllegalStateException.class, q::taskDone);
            final Object copy = roundTrip(q);
            assertInstanceOf(JoinableQueue.class, copy);
            ((JoinableQueue<?>)copy).close();
        }
    }

    /**
     * A put counts its task before it writes (so a consumer's taskDone can never come first); a put that
     * finds no room must take it back, or join would wait forever for tasks that were never queued.
     */
    @Test
    void aJoinablePutThatFailsOnAFullRingLeavesNoUnfinishedTask() throws Exception
    {
        try (MappedJoinableQueue<Integer> q = MappedJoinableQueue.create(dir, "j", 1024, null))
        {
            int n = 0;
            while (q.offer(n))
            {
                n++;
            }
            assertTrue(n > 0 && q.full());
            assertEquals(n, q.unfinishedTasks(), "after the failed offer");
            assertFalse(q.offer(-1));
            assertThrows(FullException.class, () -> q.putNowait(-1));
            assertThrows(FullException.class, () -> q.put(-1, Duration.ofMillis(50)));
            assertFalse(q.offer(-1, 10, TimeUnit.MILLISECONDS));
            assertEquals(n, q.unfinishedTasks(), "after the failed offers and puts");
            for (int i = 0; i < n; i++)
            {
                assertEquals(i, q.get(Duration.ofSeconds(30)));
                q.taskDone();
            }
            assertEquals(0, q.unfinishedTasks());
            assertTrue(q.join(Duration.ofSeconds(30)), "join waits for tasks that were never queued");
        }
    }

    @Test
    void foreignCorruptAndMismatchedFilesAreRefused() throws Exception
    {
        final Path garbage = dir.resolve("garbage");
        final byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte)0x5A);
        Files.write(garbage, junk);
        final InvalidRegionException notOurs = assertThrows(InvalidRegionException.class, () -> Queue.attach(garbage));
        assertTrue(notOurs.getMessage().contains("not an mp4j region"), notOurs.getMessage());

        final Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[10]);
        assertThrows(InvalidRegionException.class, () -> Queue.attach(tiny));

        Queue.create(dir, "plain").close();
        final InvalidRegionException kind = assertThrows(InvalidRegionException.class, () -> JoinableQueue.attach(dir.resolve("plain")));
        assertTrue(kind.getMessage().contains("not a JoinableQueue"), kind.getMessage());
        final Pipe pipe = Pipe.create(dir, "pipe");
        pipe.first().close();
        pipe.second().close();
        final InvalidRegionException type = assertThrows(InvalidRegionException.class, () -> Queue.attach(dir.resolve("pipe")));
        assertTrue(type.getMessage().contains("wrong type"), type.getMessage());

        // a queue whose capacity field was overwritten
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "corrupt"))
        {
            q.state().putInt(QueueDescriptor.RING_CAPACITY_OFFSET, 12345);
        }
        final InvalidRegionException corrupt = assertThrows(InvalidRegionException.class, () -> Queue.attach(dir.resolve("corrupt")));
        assertTrue(corrupt.getMessage().contains("ring capacity 12345"), corrupt.getMessage());

        // truncated after creation
        Queue.create(dir, "cut").close();
        try (var channel = java.nio.channels.FileChannel.open(dir.resolve("cut"), java.nio.file.StandardOpenOption.WRITE))
        {
            channel.truncate(2048);
        }
        assertThrows(InvalidRegionException.class, () -> Queue.attach(dir.resolve("cut")));
    }

    @Test
    void aForgedRingCapacityOrHeaderVariantIsRefused() throws Exception
    {
        // twice the real capacity, still a power of two: the ring would reach past the end of the file
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "doubled", 4096, null))
        {
            q.state().putInt(QueueDescriptor.RING_CAPACITY_OFFSET, 8192);
        }
        final InvalidRegionException doubled = assertThrows(InvalidRegionException.class, () -> Queue.attach(dir.resolve("doubled")));
        assertTrue(doubled.getMessage().contains("corrupt queue: payload length " + QueueDescriptor.payloadLength(4096) +
            ", expected " + QueueDescriptor.payloadLength(8192) + " for a ring of 8192"), doubled.getMessage());

        // the header says joinable, the payload says plain queue: the kinds disagree, whichever is asked for
        Queue.create(dir, "relabelled").close();
        try (MappedRegion region = MappedRegion.attach(dir.resolve("relabelled"), RegionType.QUEUE))
        {
            region.wholeBuffer().putInt(MappedRegion.VARIANT_OFFSET, QueueDescriptor.KIND_JOINABLE);
        }
        final String disagree = "corrupt queue: header variant " + QueueDescriptor.KIND_JOINABLE + " differs from the kind " +
            QueueDescriptor.KIND_QUEUE + " in the payload";
        final InvalidRegionException asQueue = assertThrows(InvalidRegionException.class, () -> Queue.attach(dir.resolve("relabelled")));
        assertTrue(asQueue.getMessage().contains(disagree), asQueue.getMessage());
        final InvalidRegionException asJoinable = assertThrows(InvalidRegionException.class,
            () -> JoinableQueue.attach(dir.resolve("relabelled")));
        assertTrue(asJoinable.getMessage().contains(disagree), asJoinable.getMessage());
    }

    @Test
    void producersRegisterOnFirstPutAndDeregisterOnClose() throws Exception
    {
        try (MappedQueue<Integer> observer = MappedQueue.create(dir, "q"))
        {
            final MappedQueue<Integer> a = MappedQueue.attach(dir.resolve("q"));
            final MappedQueue<Integer> b = MappedQueue.attach(dir.resolve("q"));
            assertEquals(0, registeredSlots(observer));
            a.put(1);
            b.put(2);
            assertEquals(1, registeredSlots(observer), "one slot per thread, shared by the JVM's instances");
            a.close();
            assertEquals(1, registeredSlots(observer), "b still produces");
            b.close();
            assertEquals(0, registeredSlots(observer), "a clean close is not a death");
        }
    }

    @Test
    void aDeadProcessSlotIsTakenAndAnEndedThreadsSlotIsReusedWhenTheTableIsFull() throws Exception
    {
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "q"))
        {
            // every slot but the last held by this live process, the last by a dead one (no pid above 2^22)
            for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS - 1; i++)
            {
                q.state().putLongVolatile(QueueDescriptor.identityOffset(i), ProcessIdentity.SELF);
            }
            final int last = QueueDescriptor.PRODUCER_SLOTS - 1;
            q.state().putLongVolatile(QueueDescriptor.identityOffset(last), ProcessIdentity.pack((1L << 22) + 1, 1));
            q.state().putLongVolatile(QueueDescriptor.writingSinceOffset(last), 0);
            final Thread first = new Thread(() -> q.offer(1));
            first.start();
            first.join();
            assertEquals(ProcessIdentity.SELF, q.state().getLongVolatile(QueueDescriptor.identityOffset(last)), "the dead one's slot");
            assertEquals(QueueDescriptor.IDLE, q.state().getLongVolatile(QueueDescriptor.writingSinceOffset(last)));
            // the table is full now; a new thread takes the slot of the thread that ended
            final Thread second = new Thread(() -> q.offer(2));
            second.start();
            second.join();
            assertEquals(0, q.state().getLongVolatile(QueueDescriptor.UNREGISTERED_WRITERS_OFFSET));
            assertEquals(1, q.get());
            assertEquals(2, q.get());
        }
    }

    @Test
    void theSlotsOfThreadsThatEndedGoBackToTheTableForEveryProcess() throws Exception
    {
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "q"))
        {
            // 200 short-lived producer threads, one after the other, as a cached thread pool makes them:
            // they held all 128 slots for good, so other processes' producers found none
            for (int i = 0; i < 200; i++)
            {
                final int n = i;
                final Thread t = new Thread(() -> q.offer(n));
                t.start();
                t.join();
                assertEquals(n, q.get());
            }
            int held = 0;
            for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
            {
                if (q.state().getLongVolatile(QueueDescriptor.identityOffset(i)) != ProcessIdentity.NONE)
                {
                    held++;
                }
            }
            assertEquals(1, held, "only the last thread's slot, until another thread of this JVM registers");
        }
    }

    @Test
    void aThreadThatFindsNoSlotWritesUnregisteredAndCountsOnlyWhileWriting() throws Exception
    {
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "q"))
        {
            final MappedQueue<Integer> other = MappedQueue.attach(dir.resolve("q"));
            for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
            {
                q.state().putLongVolatile(QueueDescriptor.identityOffset(i), ProcessIdentity.SELF);
            }
            for (int i = 0; i < 1000; i++)
            {
                other.put(i);
                assertEquals(0, q.state().getLongVolatile(QueueDescriptor.UNREGISTERED_WRITERS_OFFSET));
                assertEquals(i, q.get());
            }
            other.close();
        }
    }

    @Test
    void aQueueFileOfTheOldLayoutIsRefusedByName() throws Exception
    {
        Queue.create(dir, "old").close();
        try (var channel = java.nio.channels.FileChannel.open(dir.resolve("old"), java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[]{ 1, 0, 0, 0 }), io.mp4j.shm.MappedRegion.VERSION_OFFSET);
        }
        final InvalidRegionException old = assertThrows(InvalidRegionException.class, () -> Queue.attach(dir.resolve("old")));
        assertTrue(old.getMessage().contains("layout version 1, made by an older mp4j"), old.getMessage());
    }

    @Test
    void timeoutsTooLongForNanosecondsMeanForever() throws Exception
    {
        final Duration[] forevers = { Duration.ofSeconds(Long.MAX_VALUE), java.time.temporal.ChronoUnit.FOREVER.getDuration() };
        try (MappedQueue<Integer> q = MappedQueue.create(dir, "q");
             MappedJoinableQueue<Integer> j = MappedJoinableQueue.create(dir, "j"))
        {
            for (final Duration forever : forevers)
            {
                q.put(1, forever);
                assertEquals(1, q.get(forever));
                j.put(2, forever);
                assertEquals(2, j.get(forever));
                j.taskDone();
                assertTrue(j.join(forever));
            }
        }
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection a = pipe.first(); Connection b = pipe.second())
        {
            for (final Duration forever : forevers)
            {
                a.send("x");
                assertTrue(b.poll(forever));
                assertEquals("x", b.recv(forever));
            }
        }
        final Path durable = Files.createTempDirectory("mp4j-durable-");
        try (DurableQueue<Integer> d = DurableQueue.open(durable))
        {
            final DurableQueue.Subscriber<Integer> tail = d.tail(0);
            for (final Duration forever : forevers)
            {
                d.put(3);
                assertEquals(3, d.take(forever));
                assertEquals(3, tail.poll(forever));
            }
            tail.close();
        }
        finally
        {
            try (var files = Files.walk(durable))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void passingAQueueWhoseCodecIsNotSerializableFailsNamingTheCodec() throws Exception
    {
        final ObjectCodec local = new ObjectCodec()
        {
            @Override
            public byte[] encode(final Object value)
            {
                return new byte[0];
            }

            @Override
            public Object decode(final org.agrona.DirectBuffer buffer, final int offset, final int length)
            {
                return null;
            }
        };
        final Pipe pipe = Pipe.create(dir, "p", true, Pipe.DEFAULT_CAPACITY, local);
        final Path durable = Files.createTempDirectory("mp4j-durable-");
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q", 4096, local);
             MappedSimpleQueue<Object> s = MappedSimpleQueue.create(dir, "s", 4096, local);
             Connection end = pipe.first();
             Connection other = pipe.second();
             DurableQueue<Object> d = DurableQueue.open(durable, "FAST_DAILY", local))
        {
            for (final Object shared : List.of(q, s, end, d))
            {
                final java.io.NotSerializableException refused = assertThrows(java.io.NotSerializableException.class,
                    () -> new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(shared));
                assertTrue(refused.getMessage().contains(local.getClass().getName() + " is not java.io.Serializable"), refused.getMessage());
            }
            // the refused end was not counted as handed off: closing it still ends the stream
            end.close();
            assertThrows(EndOfStreamException.class, () -> other.recv(Duration.ofSeconds(60)));
        }
        finally
        {
            try (var files = Files.walk(durable))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void aJavaSerializationCodecTravelsAsItsPatternsOnly() throws Exception
    {
        final JavaSerializationCodec patterns = new JavaSerializationCodec("com.example.**");
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q", 4096, patterns))
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes))
            {
                out.writeObject(q);
            }
            // read as a child reads its start (from a trusted sender): received in a message it would be narrowed
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()));
                 JavaSerializationCodec.TrustedSenders trusted = JavaSerializationCodec.trustingSenders();
                 MappedQueue<?> copy = (MappedQueue<?>)in.readObject())
            {
                assertEquals(patterns.filterDescription(), ((JavaSerializationCodec)copy.codec()).filterDescription());
            }
        }
        final JavaSerializationCodec filtered = new JavaSerializationCodec(info -> java.io.ObjectInputFilter.Status.UNDECIDED);
        final java.io.NotSerializableException refused = assertThrows(java.io.NotSerializableException.class,
            () -> new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(filtered));
        assertTrue(refused.getMessage().contains("a filter is code"), refused.getMessage());
    }

    private static int registeredSlots(final MappedQueue<?> q)
    {
        int n = 0;
        for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
        {
            if (q.state().getLongVolatile(QueueDescriptor.identityOffset(i)) != 0)
            {
                n++;
            }
        }
        return n;
    }

    @Test
    void conveniencesCreateInTheGlobalRuntimeDirectory() throws Exception
    {
        final MappedQueue<Integer> q = MappedQueue.create();
        final MappedSimpleQueue<Integer> s = MappedSimpleQueue.create();
        final MappedJoinableQueue<Integer> j = MappedJoinableQueue.create();
        final Pipe p = Pipe.create(false);
        try
        {
            for (final Path path : List.of(q.path(), s.path(), j.path(), p.first().path()))
            {
                assertEquals(RuntimeDirectory.global().path(), path.getParent());
            }
            q.put(1);
            s.put(2);
            j.put(3);
            p.second().send(4);
            assertEquals(1, q.get());
            assertEquals(2, s.get());
            assertEquals(3, j.get());
            assertEquals(4, p.first().recv());
        }
        finally
        {
            for (final AutoCloseable c : List.<AutoCloseable>of(q, s, j, p.first(), p.second()))
            {
                c.close();
            }
            for (final Path path : List.of(q.path(), s.path(), j.path(), p.first().path()))
            {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    void closeFromAnotherThreadStopsBlockedWaiters() throws Exception
    {
        final MappedJoinableQueue<Integer> q = MappedJoinableQueue.create(dir, "q", 1024, null);
        while (q.offer(0))
        {
            // fill it, so a put blocks
        }
        final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        final MappedQueue<Integer> reader = MappedQueue.create(dir, "empty");
        final List<java.util.concurrent.CompletableFuture<Object>> blocked = List.of(
            TestThreads.supply(() -> { q.put(1); return null; }),
            TestThreads.supply(() -> { q.join(); return null; }),
            TestThreads.supply(() -> { started.countDown(); return reader.get(); }));
        try
        {
            assertTrue(started.await(60, TimeUnit.SECONDS));
        }
        finally
        {
            q.close();
            reader.close();
        }
        for (final java.util.concurrent.CompletableFuture<Object> f : blocked)
        {
            final java.util.concurrent.ExecutionException ex = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> f.get(60, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, ex.getCause());
        }
    }

    @Test
    void closedQueueRefusesUse() throws Exception
    {
        final MappedQueue<Integer> q = MappedQueue.create(dir, "q");
        q.close();
        q.close();
        assertThrows(IllegalStateException.class, () -> q.put(1));
        assertThrows(IllegalStateException.class, q::poll);
        assertThrows(NullPointerException.class, () ->
        {
            try (MappedQueue<Integer> other = MappedQueue.create(dir, "n"))
            {
                other.put(null);
            }
        });
    }

    @Test
    void manyThreadsExactlyOnce() throws Exception
    {
        try (MappedQueue<Long> q = MappedQueue.create(dir, "q", 4096, null))
        {
            final int producers = 3;
            final int perProducer = 20_000;
            final List<Thread> threads = new ArrayList<>();
            final long[][] received = new long[2][];
            for (int p = 0; p < producers; p++)
            {
                final long id = p;
                threads.add(new Thread(() ->
                {
                    try
                    {
                        for (int i = 0; i < perProducer; i++)
                        {
                            q.put((id << 32) | i);
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                }));
            }
            for (int c = 0; c < 2; c++)
            {
                final int slot = c;
                threads.add(new Thread(() ->
                {
                    final long[] mine = new long[producers * perProducer];
                    int n = 0;
                    try
                    {
                        while (true)
                        {
                            final long v = q.get();
                            if (v == -1)
                            {
                                break;
                            }
                            mine[n++] = v;
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                    received[slot] = Arrays.copyOf(mine, n);
                }));
            }
            threads.forEach(Thread::start);
            for (int p = 0; p < producers; p++)
            {
                threads.get(p).join();
            }
            q.put(-1L);
            q.put(-1L);
            for (final Thread t : threads)
            {
                t.join(60_000);
            }
            QueueCrossJvmTest.assertExactlyOnceInOrder(received, producers, perProducer);
        }
    }

    static Object roundTrip(final Object o) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())))
        {
            return in.readObject();
        }
    }
}

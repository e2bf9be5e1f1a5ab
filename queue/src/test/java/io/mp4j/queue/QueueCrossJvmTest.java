package io.mp4j.queue;

import io.mp4j.shm.Await;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Queues across real JVMs: sentinel, many-to-many exactly once, dead producer, dead consumer.
 */
class QueueCrossJvmTest extends CrossJvmTestBase
{
    @Test
    void producerToConsumerWithSentinelThroughASerializedHandle() throws Exception
    {
        try (MappedQueue<Long> q = MappedQueue.create(dir, "q", 8192, null))
        {
            final Path out = dir.resolve("out");
            final ChildJvm consumer = start("consume-longs", q.path().toString(), out.toString());
            final ChildJvm producer = start("produce-longs", ChildJvm.serialize(q), "7", "50000", "1");
            producer.assertExitsCleanly(WAIT);
            assertEquals("done 50000", consumer.awaitLine("done", WAIT));
            consumer.assertExitsCleanly(WAIT);
            assertExactlyOnceInOrder(new long[][]{ readLongs(out) }, 8, 50_000, 7);
            assertTrue(q.empty());
        }
    }

    @Test
    void twoProducersTwoConsumersExactlyOnceInProducerOrder() throws Exception
    {
        try (MappedQueue<Long> q = MappedQueue.create(dir, "q", 4096, null))
        {
            final int count = 30_000;
            final Path out0 = dir.resolve("out0");
            final Path out1 = dir.resolve("out1");
            final ChildJvm c0 = start("consume-longs", q.path().toString(), out0.toString());
            final ChildJvm c1 = start("consume-longs", q.path().toString(), out1.toString());
            final ChildJvm p0 = start("produce-longs", ChildJvm.serialize(q), "0", Integer.toString(count), "0");
            final ChildJvm p1 = start("produce-longs", ChildJvm.serialize(q), "1", Integer.toString(count), "0");
            p0.assertExitsCleanly(WAIT);
            p1.assertExitsCleanly(WAIT);
            q.put(-1L);
            q.put(-1L);
            c0.assertExitsCleanly(WAIT);
            c1.assertExitsCleanly(WAIT);
            assertExactlyOnceInOrder(new long[][]{ readLongs(out0), readLongs(out1) }, 2, count);
        }
    }

    @Test
    void getWithTimeoutOnEmptyAndPutWithTimeoutOnFullAcrossJvms() throws Exception
    {
        try (MappedQueue<Long> q = MappedQueue.create(dir, "q", 1024, null))
        {
            // a producer in another JVM fills the queue and blocks; the parent sees it full
            final ChildJvm producer = start("produce-longs", ChildJvm.serialize(q), "1", "1000", "0");
            Await.until("the producer to fill the queue", WAIT, q::full);
            int got = 0;
            while (got < 1000)
            {
                q.get();
                got++;
            }
            producer.assertExitsCleanly(WAIT);
            try
            {
                q.get(Duration.ofMillis(100));
                fail("expected Empty");
            }
            catch (final EmptyException expected)
            {
                // as Python's queue.Empty
            }
        }
    }

    @Test
    void anUnregisteredProducerKilledMidWriteDoesNotStallConsumers() throws Exception
    {
        try (MappedQueue<Long> q = MappedQueue.create(dir, "q", 4096, null))
        {
            final ChildJvm producer = start("unregistered-claim", q.path().toString());
            producer.awaitLine("claimed", WAIT);
            producer.kill();
            q.put(100L);   // unregistered too: the child gave every slot to this process
            assertEquals(100L, q.get(WAIT), "the stuck record of the dead unregistered producer is skipped");
            assertEquals(1, q.unblockCount());
            q.put(101L);
            assertEquals(101L, q.get(WAIT));
        }
    }

    @Test
    void producerKilledMidWriteDoesNotStallConsumers() throws Exception
    {
        try (MappedQueue<Long> q = MappedQueue.create(dir, "q", 4096, null))
        {
            final ChildJvm producer = start("produce-then-claim", q.path().toString(), "5");
            producer.awaitLine("claimed", WAIT);
            producer.kill();
            for (long i = 0; i < 5; i++)
            {
                assertEquals(i, q.get(WAIT), "committed messages of the dead producer are delivered");
            }
            q.put(100L);
            assertEquals(100L, q.get(WAIT), "the stuck record is skipped after the unblock timeout");
            assertEquals(1, q.unblockCount());
            q.put(101L);
            assertEquals(101L, q.get(WAIT));
        }
    }

    @Test
    void aLiveProducerPausedMidWriteIsWaitedForNotSkipped() throws Exception
    {
        pausedProducerIsWaitedFor(q ->
        {
        });
    }

    @Test
    void aLiveProducerPausedMidWriteIsWaitedForWhileADeadProcessHoldsASlot() throws Exception
    {
        // A dead process in the table used to allow skipping any stuck record, the live one's included.
        // No process has a pid above Linux's largest pid_max (2^22): this identity is dead.
        final long dead = ProcessIdentity.pack((1L << 22) + 1, 12345);
        pausedProducerIsWaitedFor(q ->
        {
            q.state().putLongVolatile(QueueDescriptor.identityOffset(0), dead);
            q.state().putLongVolatile(QueueDescriptor.writingSinceOffset(0), 0);
        });
    }

    @Test
    void aLiveProducerPausedMidWriteIsWaitedForWhenItFoundNoFreeSlot() throws Exception
    {
        // every slot held by a live process (this one): the child's thread writes unregistered
        pausedProducerIsWaitedFor(q ->
        {
            for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
            {
                q.state().putLongVolatile(QueueDescriptor.identityOffset(i), ProcessIdentity.SELF);
                q.state().putLongVolatile(QueueDescriptor.writingSinceOffset(i), QueueDescriptor.IDLE);
            }
        });
    }

    private void pausedProducerIsWaitedFor(final java.util.function.Consumer<MappedQueue<Long>> prepare) throws Exception
    {
        try (MappedQueue<Long> q = MappedQueue.create(dir, "q", 4096, null))
        {
            prepare.accept(q);
            final Path signal = dir.resolve("go");
            final ChildJvm producer = start("claim-then-commit-on-signal", q.path().toString(), signal.toString());
            producer.awaitLine("claimed", WAIT);
            assertEquals(41L, q.get(WAIT));
            // well past the unblock timeout: the producer is alive, so its record must not be skipped
            final long stalledUntil = System.nanoTime() + 3 * MappedQueue.UNBLOCK_TIMEOUT_NS;
            while (System.nanoTime() < stalledUntil)
            {
                assertEquals(null, q.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS));
            }
            assertEquals(0, q.unblockCount());
            Files.createFile(signal);
            assertEquals(42L, q.get(WAIT), "the paused producer's message arrives intact");
            producer.awaitLine("committed", WAIT);
            producer.assertExitsCleanly(WAIT);
            q.put(43L);
            assertEquals(43L, q.get(WAIT));
        }
    }

    @Test
    void closeWhilePutGetOfferAndPollRunInOtherThreadsMakesThemThrowAndNeverCrashesTheJvm() throws Exception
    {
        // in a child JVM, so that a SIGSEGV from unmapping under a copy fails the test instead of ending this JVM
        // a crash report goes to the test's directory, removed after the test, not the working directory
        final ChildJvm child = start(List.of("-XX:ErrorFile=" + dir.path().resolve("hs_err_%p.log")),
            "close-while-busy", dir.path().toString(), "300");
        assertEquals("survived 300", child.awaitLine("survived", WAIT));
        child.assertExitsCleanly(WAIT);
    }

    @Test
    void aConsumerThatTriesToSkipEveryUncommittedRecordNeverSkipsALiveProducers() throws Exception
    {
        // the consumer used to read a stuck record's length before it checked the writers: a live producer
        // committing in between had its message turned into padding (lost, or the ring corrupted)
        final ChildJvm child = start(List.of("-D" + MappedQueue.UNBLOCK_TIMEOUT_PROPERTY + "=0"),
            "live-producers-never-unblocked", dir.path().toString(), "1000000");
        assertEquals("delivered 2000000 unblocks=0", child.awaitLine("delivered", WAIT));
        child.assertExitsCleanly(WAIT);
    }

    @Test
    void aQueuePipeEndAndDurableQueuePassedToAChildKeepTheirCodec() throws Exception
    {
        final java.util.UUID sent = new java.util.UUID(3, 4);
        final String childGot = "got decoded(text:" + sent + ")";
        final String parentGets = "decoded(text:" + new java.util.UUID(1, 2) + ")";
        try (MappedQueue<Object> q = MappedQueue.create(dir, "q", 4096, new TextCodec()))
        {
            q.put(sent);
            final ChildJvm child = start("codec-echo", ChildJvm.serialize(q));
            assertEquals(childGot, child.awaitLine("got", WAIT), "the child decodes with the parent's codec");
            assertEquals(parentGets, q.get(WAIT), "the child encodes with the parent's codec");
            child.assertExitsCleanly(WAIT);
        }
        final Pipe pipe = Pipe.create(dir, "p", true, Pipe.DEFAULT_CAPACITY, new TextCodec());
        try (Connection parentEnd = pipe.first())
        {
            parentEnd.send(sent);
            final ChildJvm child = start("codec-echo", ChildJvm.serialize(pipe.second()));
            pipe.second().close();
            assertEquals(childGot, child.awaitLine("got", WAIT));
            assertEquals(parentGets, parentEnd.recv(WAIT));
            child.assertExitsCleanly(WAIT);
        }
        try (DurableQueue<Object> d = DurableQueue.open(dir.path().resolve("durable"), "FAST_DAILY", new TextCodec()))
        {
            d.put(sent);
            final ChildJvm child = start("codec-echo", ChildJvm.serialize(d));
            assertEquals(childGot, child.awaitLine("got", WAIT));
            child.assertExitsCleanly(WAIT);
            assertEquals(parentGets, d.take(WAIT));
        }
    }

    @Test
    void consumerKilledWhileHoldingTheLockDoesNotStallOthers() throws Exception
    {
        try (MappedQueue<String> q = MappedQueue.create(dir, "q"))
        {
            q.put("first");
            final ChildJvm consumer = start("hold-consumer-lock", q.path().toString());
            consumer.awaitLine("locked", WAIT);
            assertEquals(null, q.poll(), "the lock is held by a live consumer");
            consumer.kill();
            assertEquals("first", q.get(WAIT), "the message the dead consumer held is not lost");
            assertEquals(1, q.lockRecoveryCount());
            q.put("second");
            assertEquals("second", q.get(WAIT));
        }
    }

    @Test
    void joinableQueueJoinsAcrossProcesses() throws Exception
    {
        try (MappedJoinableQueue<Object> q = MappedJoinableQueue.create(dir, "j"))
        {
            final ChildJvm worker = start("joinable-worker", ChildJvm.serialize(q));
            for (int i = 0; i < 1000; i++)
            {
                q.put(i);
            }
            q.put("STOP");
            assertTrue(q.join(WAIT));
            assertEquals(0, q.unfinishedTasks());
            worker.assertExitsCleanly(WAIT);
        }
    }

    static long[] readLongs(final Path file) throws IOException
    {
        final List<Long> values = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file))))
        {
            while (true)
            {
                values.add(in.readLong());
            }
        }
        catch (final EOFException end)
        {
            // all read
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Every (producer, seq) with producer in [0, producers) and seq in [0, perProducer) received exactly
     * once over all consumers, and each consumer saw each producer's messages in increasing order.
     */
    static void assertExactlyOnceInOrder(final long[][] perConsumer, final int producers, final int perProducer)
    {
        assertExactlyOnceInOrder(perConsumer, producers, perProducer, -1);
    }

    static void assertExactlyOnceInOrder(final long[][] perConsumer, final int producers, final int perProducer, final int onlyProducer)
    {
        final int[][] seen = new int[producers][perProducer];
        for (final long[] received : perConsumer)
        {
            final long[] last = new long[producers];
            Arrays.fill(last, -1);
            for (final long v : received)
            {
                final int p = (int)(v >>> 32);
                final int seq = (int)v;
                assertTrue(p < producers && (onlyProducer < 0 || p == onlyProducer), "unexpected producer " + p);
                assertTrue(seq > last[p], "producer " + p + " out of order: " + seq + " after " + last[p]);
                last[p] = seq;
                seen[p][seq]++;
            }
        }
        for (int p = 0; p < producers; p++)
        {
            if (onlyProducer >= 0 && p != onlyProducer)
            {
                continue;
            }
            for (int s = 0; s < perProducer; s++)
            {
                assertEquals(1, seen[p][s], "producer " + p + " message " + s + " received " + seen[p][s] + " times");
            }
        }
    }
}

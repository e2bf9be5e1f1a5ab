package io.mp4j.queue;

import io.mp4j.shm.MappedRegion;
import io.mp4j.shm.RegionType;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.ByteArrayInputStream;
import java.io.DataOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;

/**
 * Main class of the child JVMs of the cross-process tests. The first argument is the mode.
 */
public final class QueueChild
{
    private QueueChild()
    {
    }

    static Object deserialize(final String base64) throws IOException, ClassNotFoundException
    {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64))))
        {
            return in.readObject();
        }
    }

    /**
     * @param args mode and its arguments.
     * @throws Exception on failure, which exits non-zero with the stack trace.
     */
    @SuppressWarnings("unchecked")
    public static void main(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "produce-longs":
            {
                // produce-longs <serialized queue> <producer id> <count> <sentinels>
                final Queue<Long> queue = (Queue<Long>)deserialize(args[1]);
                final long id = Long.parseLong(args[2]);
                final int count = Integer.parseInt(args[3]);
                final int sentinels = Integer.parseInt(args[4]);
                System.out.println("ready");
                for (int i = 0; i < count; i++)
                {
                    queue.put((id << 32) | i);
                }
                for (int i = 0; i < sentinels; i++)
                {
                    queue.put(-1L);
                }
                queue.close();
                System.out.println("done");
                break;
            }
            case "consume-longs":
            {
                // consume-longs <queue path> <out file>: take until -1, write the values
                final Queue<Long> queue = Queue.attach(Paths.get(args[1]));
                int n = 0;
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Paths.get(args[2])))))
                {
                    System.out.println("ready");
                    while (true)
                    {
                        final long v = queue.get();
                        if (v == -1L)
                        {
                            break;
                        }
                        out.writeLong(v);
                        n++;
                    }
                }
                queue.close();
                System.out.println("done " + n);
                break;
            }
            case "produce-bytes":
            {
                // produce-bytes <queue path> <producer id> <comma-separated sizes>
                final Queue<Object> queue = Queue.attach(Paths.get(args[1]));
                final int id = Integer.parseInt(args[2]);
                final String[] sizes = args[3].isEmpty() ? new String[0] : args[3].split(",");
                int rejected = 0;
                for (int i = 0; i < sizes.length; i++)
                {
                    final byte[] message = QueuePropertiesTest.message(id, i, Integer.parseInt(sizes[i]));
                    try
                    {
                        queue.put(message);
                    }
                    catch (final MessageTooLargeException ex)
                    {
                        rejected++;
                    }
                }
                queue.close();
                System.out.println("done " + rejected);
                break;
            }
            case "consume-bytes":
            {
                // consume-bytes <queue path> <out file>: take byte[] until the String "STOP"
                final Queue<Object> queue = Queue.attach(Paths.get(args[1]));
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Paths.get(args[2])))))
                {
                    System.out.println("ready");
                    while (true)
                    {
                        final Object v = queue.get();
                        if ("STOP".equals(v))
                        {
                            break;
                        }
                        final byte[] bytes = (byte[])v;
                        out.writeInt(bytes.length);
                        out.write(bytes);
                    }
                }
                queue.close();
                System.out.println("done");
                break;
            }
            case "produce-then-claim":
            {
                // produce-then-claim <queue path> <count>: put count longs, then claim a record and never commit it
                final Queue<Long> queue = Queue.attach(Paths.get(args[1]));
                final int count = Integer.parseInt(args[2]);
                for (long i = 0; i < count; i++)
                {
                    queue.put(i);
                }
                final MappedRegion region = MappedRegion.attach(Paths.get(args[1]), RegionType.QUEUE);
                final ManyToOneRingBuffer ring = QueueDescriptor.ring(
                    region, QueueDescriptor.RING_OFFSET, region.buffer().getInt(QueueDescriptor.RING_CAPACITY_OFFSET));
                ((MappedQueue<Long>)queue).beginWrite(); // as put does: killed with its write in progress
                final int index = ring.tryClaim(MessageTags.LONG, 8);
                System.out.println("claimed " + index);
                new CountDownLatch(1).await(); // killed here, mid-write
                break;
            }
            case "unregistered-claim":
            {
                // unregistered-claim <queue path>: with every producer slot held by the (live) parent, write as
                // an unregistered producer: claim a record and never commit it
                final Queue<Long> queue = Queue.attach(Paths.get(args[1]));
                final MappedRegion region = MappedRegion.attach(Paths.get(args[1]), RegionType.QUEUE);
                final long parentPid = ProcessHandle.current().parent().orElseThrow().pid();
                final long parent = ProcessIdentity.pack(parentPid, io.mp4j.shm.ProcessIds.startTime(parentPid));
                for (int i = 0; i < QueueDescriptor.PRODUCER_SLOTS; i++)
                {
                    region.buffer().putLong(QueueDescriptor.writingSinceOffset(i), QueueDescriptor.IDLE);
                    region.buffer().putLongVolatile(QueueDescriptor.identityOffset(i), parent);
                }
                final ManyToOneRingBuffer ring = QueueDescriptor.ring(
                    region, QueueDescriptor.RING_OFFSET, region.buffer().getInt(QueueDescriptor.RING_CAPACITY_OFFSET));
                ((MappedQueue<Long>)queue).beginWrite(); // as put does, finding no slot: killed with its write in progress
                final int index = ring.tryClaim(MessageTags.LONG, 8);
                System.out.println("claimed " + index);
                new CountDownLatch(1).await(); // killed here, mid-write
                break;
            }
            case "claim-then-commit-on-signal":
            {
                // claim-then-commit-on-signal <queue path> <signal file>: register as a producer, claim a
                // record, then commit 42 into it once the signal file exists (a producer paused mid-write)
                final Queue<Long> queue = Queue.attach(Paths.get(args[1]));
                final MappedRegion region = MappedRegion.attach(Paths.get(args[1]), RegionType.QUEUE);
                final ManyToOneRingBuffer ring = QueueDescriptor.ring(
                    region, QueueDescriptor.RING_OFFSET, region.buffer().getInt(QueueDescriptor.RING_CAPACITY_OFFSET));
                queue.put(41L);
                final int since = ((MappedQueue<Long>)queue).beginWrite(); // as put does, around claim and commit
                final int index = ring.tryClaim(MessageTags.LONG, 8);
                System.out.println("claimed " + index);
                final Path signal = Paths.get(args[2]);
                // the paused producer: it waits for the test's signal file (inotify), the test's own waits are bounded
                try (WatchService watcher = signal.getFileSystem().newWatchService())
                {
                    signal.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                    while (!Files.exists(signal))
                    {
                        watcher.take().reset();
                    }
                }
                ring.buffer().putLong(index, 42L, java.nio.ByteOrder.LITTLE_ENDIAN);
                ring.commit(index);
                ((MappedQueue<Long>)queue).endWrite(since);
                System.out.println("committed");
                break;
            }
            case "hold-consumer-lock":
            {
                // hold-consumer-lock <queue path>: take the consumer lock as if mid-read, then wait to be killed
                final MappedRegion region = MappedRegion.attach(Paths.get(args[1]), RegionType.QUEUE);
                if (!region.buffer().compareAndSetLong(QueueDescriptor.CONSUMER_LOCK_OFFSET, 0L, ProcessIdentity.SELF))
                {
                    throw new IllegalStateException("lock was not free");
                }
                System.out.println("locked");
                new CountDownLatch(1).await();
                break;
            }
            case "joinable-worker":
            {
                // joinable-worker <serialized joinable queue>: get, taskDone until "STOP"
                final JoinableQueue<Object> queue = (JoinableQueue<Object>)deserialize(args[1]);
                System.out.println("ready");
                while (true)
                {
                    final Object v = queue.get();
                    queue.taskDone();
                    if ("STOP".equals(v))
                    {
                        break;
                    }
                }
                queue.close();
                System.out.println("done");
                break;
            }
            case "pipe-echo":
            {
                // pipe-echo <serialized connection>: send back whatever arrives until end of stream
                final Connection conn = (Connection)deserialize(args[1]);
                System.out.println("ready");
                int n = 0;
                try
                {
                    while (true)
                    {
                        conn.send(conn.recv());
                        n++;
                    }
                }
                catch (final EndOfStreamException eof)
                {
                    System.out.println("eof " + n);
                }
                conn.close();
                break;
            }
            case "pipe-send-close":
            {
                // pipe-send-close <pipe path> <end> <count>: attach, send count strings, close, exit
                final Connection conn = Connection.attach(Paths.get(args[1]), Integer.parseInt(args[2]));
                final int count = Integer.parseInt(args[3]);
                for (int i = 0; i < count; i++)
                {
                    conn.send("m" + i);
                }
                conn.close();
                System.out.println("closed");
                break;
            }
            case "pipe-recv-all":
            {
                // pipe-recv-all <pipe path> <end>: print "got <message>" for each message, then "eof"
                final Connection conn = Connection.attach(Paths.get(args[1]), Integer.parseInt(args[2]));
                System.out.println("receiving");
                try
                {
                    while (true)
                    {
                        System.out.println("got " + conn.recv());
                    }
                }
                catch (final EndOfStreamException ex)
                {
                    System.out.println("eof");
                }
                conn.close();
                break;
            }
            case "pipe-hold":
            {
                // pipe-hold <pipe path> <end>: attach and wait to be killed
                final Connection conn = Connection.attach(Paths.get(args[1]), Integer.parseInt(args[2]));
                conn.send("hello");
                System.out.println("holding");
                new CountDownLatch(1).await();
                break;
            }
            case "pipe-send-large":
            {
                // pipe-send-large <pipe path> <end> <bytes>: send "hello", then one message of that many
                // bytes (the test kills it while it waits for room mid-message)
                final Connection conn = Connection.attach(Paths.get(args[1]), Integer.parseInt(args[2]));
                conn.send("hello");
                conn.sendBytes(new byte[Integer.parseInt(args[3])]);
                System.out.println("sent");
                new CountDownLatch(1).await();
                break;
            }
            case "pipe-claim-hold":
            {
                // pipe-claim-hold <pipe path> <end>: send "hello", then claim a record and never commit it
                final Path file = Paths.get(args[1]);
                final int end = Integer.parseInt(args[2]);
                final Connection conn = Connection.attach(file, end);
                conn.send("hello");
                final MappedRegion region = MappedRegion.attach(file, RegionType.PIPE);
                final org.agrona.concurrent.ringbuffer.OneToOneRingBuffer ring =
                    PipeDescriptor.ring(region, end, PipeDescriptor.validate(region));
                final int index = ring.tryClaim(MessageTags.LONG, 8);
                System.out.println("claimed " + index);
                new CountDownLatch(1).await(); // killed here, mid-write
                break;
            }
            case "codec-echo":
            {
                // codec-echo <serialized Queue, Connection or DurableQueue>: take one object, print it, put
                // a UUID back; the codec the handle carries encodes and decodes both
                final Object handle = deserialize(args[1]);
                final java.util.UUID reply = new java.util.UUID(1, 2);
                if (handle instanceof Connection)
                {
                    final Connection conn = (Connection)handle;
                    System.out.println("got " + conn.recv(Duration.ofSeconds(60)));
                    conn.send(reply);
                    conn.close();
                }
                else if (handle instanceof DurableQueue)
                {
                    final DurableQueue<Object> queue = (DurableQueue<Object>)handle;
                    System.out.println("got " + queue.take(Duration.ofSeconds(60)));
                    queue.put(reply);
                    queue.close();
                }
                else
                {
                    final Queue<Object> queue = (Queue<Object>)handle;
                    System.out.println("got " + queue.get(Duration.ofSeconds(60)));
                    queue.put(reply);
                    queue.close();
                }
                break;
            }
            case "pipe-send-object":
            {
                // pipe-send-object <pipe path> <end>: send an object of a class outside the default allow-list
                final Connection conn = Connection.attach(Paths.get(args[1]), Integer.parseInt(args[2]));
                conn.send(new org.example.Forbidden("payload"));
                conn.send("after");
                System.out.println("sent");
                conn.recv(Duration.ofSeconds(60));
                break;
            }
            case "close-while-busy":
            {
                // close-while-busy <directory> <rounds>: per round, a thread looping put and one looping get
                // on a fresh queue, closed from main while both run; both must end with IllegalStateException
                final Path file = Paths.get(args[1]).resolve("busy");
                final int rounds = Integer.parseInt(args[2]);
                for (int round = 0; round < rounds; round++)
                {
                    closeWhileBusy(file);
                }
                System.out.println("survived " + rounds);
                break;
            }
            case "live-producers-never-unblocked":
            {
                // live-producers-never-unblocked <directory> <messages per producer>: run with a 0 ms unblock
                // timeout, so that the consumer tries to skip every record it finds claimed and not yet
                // committed; two live producer threads must still deliver everything, in order, none skipped
                final Path file = Paths.get(args[1]).resolve("stress");
                final int perProducer = Integer.parseInt(args[2]);
                final MappedQueue<Long> queue = new MappedQueue<>(
                    MappedQueue.createRegion(file, QueueDescriptor.KIND_QUEUE, 64 * 1024), QueueDescriptor.KIND_QUEUE, null);
                final java.util.List<java.util.concurrent.CompletableFuture<Void>> producers = new java.util.ArrayList<>();
                for (int p = 0; p < 2; p++)
                {
                    final long base = (long)p << 32;
                    producers.add(TestThreads.run(() ->
                    {
                        try
                        {
                            for (long i = 0; i < perProducer; i++)
                            {
                                queue.put(base | i);
                            }
                        }
                        catch (final InterruptedException ex)
                        {
                            throw new IllegalStateException(ex);
                        }
                    }));
                }
                final long[] next = new long[2];
                for (long n = 0; n < 2L * perProducer; n++)
                {
                    final Long value = queue.get(Duration.ofSeconds(60));
                    if (value == null)
                    {
                        throw new AssertionError("nothing after " + n + " messages; unblocks=" + queue.unblockCount());
                    }
                    final int producer = (int)(value >>> 32);
                    if ((value & 0xFFFF_FFFFL) != next[producer]++)
                    {
                        throw new AssertionError("producer " + producer + " sent " + (next[producer] - 1) +
                            " next, got " + (value & 0xFFFF_FFFFL) + "; unblocks=" + queue.unblockCount());
                    }
                }
                for (final java.util.concurrent.CompletableFuture<Void> f : producers)
                {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
                System.out.println("delivered " + 2L * perProducer + " unblocks=" + queue.unblockCount());
                queue.close();
                Files.delete(file);
                break;
            }
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }

    private static void closeWhileBusy(final Path file) throws Exception
    {
        final MappedQueue<Long> queue = new MappedQueue<>(
            MappedQueue.createRegion(file, QueueDescriptor.KIND_QUEUE, 64 * 1024), QueueDescriptor.KIND_QUEUE, null);
        final java.util.concurrent.atomic.AtomicLong puts = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong gets = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.CompletableFuture<Void> producer = TestThreads.run(() ->
        {
            try
            {
                while (true)
                {
                    queue.put(puts.incrementAndGet());
                }
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        final java.util.concurrent.CompletableFuture<Void> consumer = TestThreads.run(() ->
        {
            try
            {
                while (true)
                {
                    queue.get();
                    gets.incrementAndGet();
                }
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        // and the non-blocking calls, which touch the mapping as much
        final java.util.concurrent.CompletableFuture<Void> offerer = TestThreads.run(() ->
        {
            while (true)
            {
                queue.offer(-puts.incrementAndGet());
            }
        });
        final java.util.concurrent.CompletableFuture<Void> poller = TestThreads.run(() ->
        {
            while (true)
            {
                if (queue.poll() != null)
                {
                    gets.incrementAndGet();
                }
            }
        });
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((puts.get() < 100 || gets.get() < 100) && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
        }
        queue.close();
        for (final java.util.concurrent.CompletableFuture<Void> f : java.util.List.of(producer, consumer, offerer, poller))
        {
            try
            {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                throw new AssertionError("a loop ended without an exception");
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                if (!(ex.getCause() instanceof IllegalStateException) || !ex.getCause().getMessage().endsWith("is closed"))
                {
                    throw new AssertionError("expected IllegalStateException(... is closed)", ex.getCause());
                }
            }
        }
        Files.delete(file);
    }

    static Path path(final String s)
    {
        return Paths.get(s);
    }
}

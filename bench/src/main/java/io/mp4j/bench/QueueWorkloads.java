package io.mp4j.bench;

import io.mp4j.Process;
import io.mp4j.queue.Connection;
import io.mp4j.queue.Pipe;
import io.mp4j.queue.Queue;
import io.mp4j.queue.SimpleQueue;
import io.mp4j.shm.RuntimeDirectory;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.Serializable;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workloads 4 to 7 of {@code mp_bench.py} on mp4j's queue module ({@code queue_throughput},
 * {@code simplequeue_throughput}, {@code pipe_pingpong}, {@code pipe_throughput}), plus
 * {@code raw_agrona}: two Agrona {@code OneToOneRingBuffer}s over one mapped file, busy-spinning, the floor
 * the others are measured against. Same counts, payloads, windows and percentiles as the baseline; the
 * children are mp4j {@link Process}es; waits use the default idle strategy ({@code mp4j.idle}). Summary
 * figures carry the baseline's summary names ({@code queue_int_msgs_per_s}, ...), so {@code mp4j bench}
 * prints the ratio to CPython. The workloads are also registered in {@link Harness#workloads()}.
 *
 * <p>The stream workloads (queues and the pipe's 64-byte stream) run {@link #STREAM_PASSES} passes in the
 * same children, each started by a token (producers never run ahead into the next pass): the first pass
 * is the baseline's window and figure; the median of the others is reported as {@code *_warm_*} (the
 * children's JIT has compiled the loops by then; 500,000 small messages take well under a second, much
 * of it interpreted in the first pass). Each has a raw-Agrona twin in the same run with the same
 * children, counts, passes and ring size: {@code raw_agrona_*} (a bare {@code ManyToOneRingBuffer}, one
 * message per {@code read(handler, 1)} as {@code get()} takes them, and for ints 1 to 1 also drained in
 * batches; a bare {@code OneToOneRingBuffer} for the pipe, big messages in record-sized chunks copied
 * into one reused array). The pipe's 1 MiB stream runs both as Python's {@code recv_bytes} (a new array
 * per message) and as {@code recv_bytes_into} (one reused array).
 *
 * <pre>
 *   java ... io.mp4j.bench.QueueWorkloads [--only queue_throughput,pipe_pingpong] [--out FILE]
 * </pre>
 */
public final class QueueWorkloads
{
    static final int QUEUE_N = 500_000;
    static final int QUEUE_PAYLOAD_BYTES = 64;
    static final int QUEUE_MULTI_PRODUCERS = 2;
    static final int PIPE_PINGPONG_WARMUP = 1_000;
    static final int PIPE_PINGPONG_N = 50_000;
    static final int PIPE_PAYLOAD_BYTES = 64;
    static final int PIPE_THROUGHPUT_N = 500_000;
    static final int PIPE_BIG_PAYLOAD_BYTES = 1 << 20;
    static final int PIPE_BIG_N = 500;
    static final int PIPE_BIG_REPS = 5;
    static final byte PAYLOAD_BYTE = 0x61;
    static final Duration WAIT = Duration.ofSeconds(180);

    private QueueWorkloads()
    {
    }

    /**
     * @return the workloads, in the baseline's order.
     */
    public static List<Workload> workloads()
    {
        return List.of(
            workload("queue_throughput", s -> queueThroughput(false, s)),
            workload("simplequeue_throughput", s -> queueThroughput(true, s)),
            workload("pipe_pingpong", QueueWorkloads::pipePingPong),
            workload("pipe_throughput", QueueWorkloads::pipeThroughput),
            workload("raw_agrona", QueueWorkloads::rawAgrona));
    }

    /**
     * @param args {@code --only a,b}, {@code --out FILE}.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        List<String> only = List.of();
        String out = null;
        for (int i = 0; i < args.length; i++)
        {
            if ("--only".equals(args[i]))
            {
                only = Arrays.asList(args[++i].split(","));
            }
            else if ("--out".equals(args[i]))
            {
                out = args[++i];
            }
        }
        final Map<String, Object> results = new LinkedHashMap<>();
        final Map<String, Object> summary = new LinkedHashMap<>();
        int status = 0;
        for (final Workload w : workloads())
        {
            if (!only.isEmpty() && !only.contains(w.name()))
            {
                continue;
            }
            System.err.println(w.name() + " ...");
            try
            {
                results.put(w.name(), w.run(summary));
            }
            catch (final Exception | Error ex)
            {
                results.put(w.name(), Map.of("error", String.valueOf(ex)));
                status = 1;
                ex.printStackTrace();
            }
        }
        final Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "mp4j queue workloads");
        doc.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        doc.put("nproc", Runtime.getRuntime().availableProcessors());
        doc.put("idle", System.getProperty("mp4j.idle", "backoff"));
        doc.put("results", results);
        doc.put("summary", summary);
        final String json = Json.write(doc);
        System.out.println(json);
        if (out != null)
        {
            java.nio.file.Files.writeString(Paths.get(out), json + "\n");
        }
        System.exit(status);
    }

    interface Body
    {
        Map<String, Object> run(Map<String, Object> summary) throws Exception;
    }

    static Workload workload(final String name, final Body body)
    {
        return new Workload()
        {
            @Override
            public String name()
            {
                return name;
            }

            @Override
            public Map<String, Object> run(final Map<String, Object> summary) throws Exception
            {
                return body.run(summary);
            }
        };
    }

    // ----------------------------------------------------------------------------------- 4 and 5: queues

    /**
     * Passes of each queue and pipe stream workload in the same child JVMs: the first is the baseline's
     * window (the children's code is still being compiled during it: 500,000 messages take well under a
     * second); the median of the others is reported as {@code warm_*}, what a long-running JVM sees.
     */
    static final int STREAM_PASSES = 5;

    /** What a queue child needs. */
    static final class QueueJob implements Serializable
    {
        private static final long serialVersionUID = 1L;
        Object queue;              // Queue or SimpleQueue; null for the raw twin
        String rawFile;            // the raw twin's mapped ManyToOneRingBuffer, else null
        boolean rawBatch;          // raw twin consumer: drain all it can per read() instead of one per call
        Queue<Object> control;     // ready tokens and results
        Queue<Object> go;          // start tokens for producers
        String kind;               // int or bytes64
        int from;
        int count;
        int sentinels;
    }

    @SuppressWarnings("unchecked")
    static void put(final Object queue, final Object value) throws InterruptedException
    {
        if (queue instanceof Queue)
        {
            ((Queue<Object>)queue).put(value);
        }
        else
        {
            ((SimpleQueue<Object>)queue).put(value);
        }
    }

    @SuppressWarnings("unchecked")
    static Object get(final Object queue) throws InterruptedException
    {
        return queue instanceof Queue ? ((Queue<Object>)queue).get() : ((SimpleQueue<Object>)queue).get();
    }

    static void producer(final QueueJob job) throws Exception
    {
        job.control.put("ready");
        final byte[] payload = new byte[QUEUE_PAYLOAD_BYTES];
        Arrays.fill(payload, PAYLOAD_BYTE);
        final boolean ints = "int".equals(job.kind);
        final MappedByteBuffer mapped = job.rawFile == null ? null : IoUtil.mapExistingFile(Paths.get(job.rawFile).toFile(), "raw");
        final ManyToOneRingBuffer raw = mapped == null ? null : new ManyToOneRingBuffer(new UnsafeBuffer(mapped));
        final UnsafeBuffer msg = new UnsafeBuffer(ints ? new byte[Integer.BYTES] : payload);
        double putRate = 0;
        for (int pass = 0; pass < STREAM_PASSES; pass++)
        {
            job.go.get(); // from the parent, then from the consumer after each pass: passes never overlap
            final long start = System.nanoTime();
            for (int i = 0; i < job.count; i++)
            {
                if (raw == null)
                {
                    put(job.queue, ints ? (Object)(job.from + i) : payload);
                }
                else
                {
                    if (ints)
                    {
                        msg.putInt(0, job.from + i);
                    }
                    while (!raw.write(1, msg, 0, msg.capacity()))
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            final long end = System.nanoTime();
            if (raw == null)
            {
                put(job.queue, ints ? (Object)(-1) : new byte[0]);
            }
            else
            {
                if (ints)
                {
                    msg.putInt(0, -1);
                }
                while (!raw.write(1, msg, 0, ints ? Integer.BYTES : 0))
                {
                    Thread.onSpinWait();
                }
            }
            if (pass == 0)
            {
                putRate = job.count / ((end - start) / 1e9);
            }
        }
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
        }
        final Map<String, Object> r = new HashMap<>();
        r.put("role", "producer");
        r.put("put_per_s", putRate);
        job.control.put(r);
    }

    /** Counts what a consumer pass received; for the raw twin also its message handler. */
    static final class Tally implements org.agrona.concurrent.MessageHandler
    {
        final boolean ints;
        /** Keeps the raw twin's copy observable. */
        byte[] lastPayload;
        long count;
        long sum;
        int sentinels;
        long firstNs;

        Tally(final boolean ints)
        {
            this.ints = ints;
        }

        /** @return whether v was a sentinel. */
        boolean add(final Object v)
        {
            return ints ? addInt((Integer)v) : addLength(((byte[])v).length);
        }

        boolean addInt(final int i)
        {
            if (count == 0 && sentinels == 0)
            {
                firstNs = System.nanoTime();
            }
            if (i == -1)
            {
                sentinels++;
                return true;
            }
            count++;
            sum += i;
            return false;
        }

        boolean addLength(final int len)
        {
            if (count == 0 && sentinels == 0)
            {
                firstNs = System.nanoTime();
            }
            if (len == 0)
            {
                sentinels++;
                return true;
            }
            count++;
            sum += len;
            return false;
        }

        @Override
        public void onMessage(final int type, final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
        {
            if (ints)
            {
                addInt(length == 0 ? -1 : buffer.getInt(index));
            }
            else
            {
                // the payload leaves the ring, as Queue.get's byte[] does: reading only the length word
                // would leave the 64 bytes' cache lines with the producer and measure less work
                final byte[] payload = new byte[length];
                buffer.getBytes(index, payload);
                lastPayload = payload;
                addLength(payload.length);
            }
        }
    }

    static void consumer(final QueueJob job) throws Exception
    {
        final MappedByteBuffer mapped = job.rawFile == null ? null : IoUtil.mapExistingFile(Paths.get(job.rawFile).toFile(), "raw");
        final ManyToOneRingBuffer raw = mapped == null ? null : new ManyToOneRingBuffer(new UnsafeBuffer(mapped));
        job.control.put("ready");
        final boolean ints = "int".equals(job.kind);
        final List<Long> windows = new ArrayList<>();
        boolean correct = true;
        for (int pass = 0; pass < STREAM_PASSES; pass++)
        {
            final Tally tally = new Tally(ints);
            if (raw == null)
            {
                while (!tally.add(get(job.queue)) || tally.sentinels < job.sentinels)
                {
                    // counted in the tally
                }
            }
            else
            {
                final int limit = job.rawBatch ? Integer.MAX_VALUE : 1;
                while (tally.sentinels < job.sentinels)
                {
                    if (raw.read(tally, limit) == 0)
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            windows.add(System.nanoTime() - tally.firstNs);
            if (pass < STREAM_PASSES - 1)
            {
                for (int p = 0; p < job.sentinels; p++)
                {
                    job.go.put("go");
                }
            }
            final long expectedSum = ints ? (long)QUEUE_N * (QUEUE_N - 1) / 2 : (long)QUEUE_N * QUEUE_PAYLOAD_BYTES;
            correct &= tally.count == QUEUE_N && tally.sum == expectedSum;
        }
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
        }
        final Map<String, Object> r = new HashMap<>();
        r.put("role", "consumer");
        r.put("correct", correct);
        r.put("windows_ns", windows);
        job.control.put(r);
    }

    static Map<String, Object> queueThroughput(final boolean simple, final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        final String prefix = simple ? "simplequeue_" : "queue_";
        for (final String variant : List.of("int", "bytes64", "int_2p"))
        {
            final int producers = "int_2p".equals(variant) ? QUEUE_MULTI_PRODUCERS : 1;
            final String kind = "bytes64".equals(variant) ? "bytes64" : "int";
            final Map<String, Object> r = runQueue(simple ? "simple" : "queue", kind, producers);
            out.put(variant, r);
            summary.put(prefix + variant + "_msgs_per_s", r.get("msgs_per_s"));
            summary.put(prefix + variant + "_warm_msgs_per_s", r.get("warm_msgs_per_s"));
            if (!simple)
            {
                // the twin: the same children, counts and layout on a bare Agrona ManyToOneRingBuffer of the
                // queue's capacity, busy-spinning, one message per read(handler, 1) as get() takes them
                final Map<String, Object> twin = runQueue("raw", kind, producers);
                out.put(variant + "_raw_agrona", twin);
                summary.put("raw_agrona_" + variant + "_msgs_per_s", twin.get("msgs_per_s"));
                summary.put("raw_agrona_" + variant + "_warm_msgs_per_s", twin.get("warm_msgs_per_s"));
                if ("int".equals(variant))
                {
                    final Map<String, Object> batch = runQueue("raw_batch", kind, producers);
                    out.put(variant + "_raw_agrona_batch", batch);
                    summary.put("raw_agrona_int_batch_warm_msgs_per_s", batch.get("warm_msgs_per_s"));
                }
            }
        }
        return out;
    }

    /**
     * @param impl {@code queue}, {@code simple}, {@code raw} (bare ring, one message per read) or
     *             {@code raw_batch} (bare ring, drained in batches).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> runQueue(final String impl, final String kind, final int producers) throws Exception
    {
        final RuntimeDirectory dir = RuntimeDirectory.global();
        final String tag = Long.toHexString(System.nanoTime());
        final boolean raw = impl.startsWith("raw");
        final Path rawFile = dir.resolve("bq" + tag);
        final MappedByteBuffer rawMapped = raw ?
            IoUtil.mapNewFile(rawFile.toFile(), Queue.DEFAULT_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH) : null;
        final Object queue = raw ? null : "simple".equals(impl) ? SimpleQueue.create(dir, "bq" + tag) : Queue.create(dir, "bq" + tag);
        final Queue<Object> control = Queue.create(dir, "bc" + tag);
        final Queue<Object> go = Queue.create(dir, "bg" + tag);
        final List<Process> children = new ArrayList<>();
        try
        {
            final QueueJob consumerJob = job(queue, control, go, kind, 0, 0, producers);
            consumerJob.rawFile = raw ? rawFile.toString() : null;
            consumerJob.rawBatch = "raw_batch".equals(impl);
            children.add(Process.of(QueueWorkloads::consumer, consumerJob));
            final int per = QUEUE_N / producers;
            for (int p = 0; p < producers; p++)
            {
                final QueueJob producerJob = job(queue, control, go, kind, p * per, per, 0);
                producerJob.rawFile = consumerJob.rawFile;
                children.add(Process.of(QueueWorkloads::producer, producerJob));
            }
            for (final Process child : children)
            {
                child.start();
            }
            for (int i = 0; i < children.size(); i++)
            {
                if (!"ready".equals(control.get(WAIT)))
                {
                    throw new IllegalStateException("unexpected control message");
                }
            }
            for (int p = 0; p < producers; p++)
            {
                go.put("go");
            }
            double putRate = 0;
            Map<String, Object> consumed = null;
            for (int i = 0; i < children.size(); i++)
            {
                final Map<String, Object> m = (Map<String, Object>)control.get(WAIT);
                if ("consumer".equals(m.get("role")))
                {
                    consumed = m;
                }
                else
                {
                    putRate += (Double)m.get("put_per_s");
                }
            }
            for (final Process child : children)
            {
                child.join(WAIT);
            }
            final Map<String, Object> r = streamRates(QUEUE_N, (List<Long>)consumed.get("windows_ns"));
            r.put("producers", producers);
            r.put("producer_put_per_s", Math.round(putRate));
            r.put("correct", consumed.get("correct"));
            return r;
        }
        finally
        {
            for (final Process child : children)
            {
                child.close();
            }
            if (queue instanceof Queue)
            {
                ((Queue<Object>)queue).close();
            }
            else if (queue != null)
            {
                ((SimpleQueue<Object>)queue).close();
            }
            if (rawMapped != null)
            {
                IoUtil.unmap(rawMapped);
            }
            control.close();
            go.close();
            deleteQuietly(dir.resolve("bq" + tag), dir.resolve("bc" + tag), dir.resolve("bg" + tag));
        }
    }

    /**
     * @param n       messages per pass.
     * @param windows first message to sentinel, per pass, the first pass first.
     * @return the first pass's rate as {@code msgs_per_s} (the baseline's figure), the median of the
     * others as {@code warm_msgs_per_s}, and every pass.
     */
    static Map<String, Object> streamRates(final int n, final List<Long> windows)
    {
        final List<Long> passes = new ArrayList<>();
        for (final long w : windows)
        {
            passes.add(Math.round((n - 1) / (w / 1e9)));
        }
        final List<Long> warm = new ArrayList<>(passes.subList(1, passes.size()));
        warm.sort(Long::compare);
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("msgs", n);
        r.put("msgs_per_s", passes.get(0));
        r.put("window_ms", windows.get(0) / 1e6);
        r.put("warm_msgs_per_s", warm.get(warm.size() / 2));
        r.put("msgs_per_s_passes", passes);
        return r;
    }

    private static QueueJob job(final Object queue, final Queue<Object> control, final Queue<Object> go, final String kind,
        final int from, final int count, final int sentinels)
    {
        final QueueJob job = new QueueJob();
        job.queue = queue;
        job.control = control;
        job.go = go;
        job.kind = kind;
        job.from = from;
        job.count = count;
        job.sentinels = sentinels;
        return job;
    }

    // --------------------------------------------------------------------------------- 6: pipe ping-pong

    static void echo(final Connection conn) throws Exception
    {
        while (true)
        {
            final Object v = conn.recv();
            if ("STOP".equals(v))
            {
                break;
            }
            conn.send(v);
        }
        while (true)
        {
            final byte[] b = conn.recvBytes();
            if (b.length == 0)
            {
                break;
            }
            conn.sendBytes(b);
        }
        conn.close();
    }

    static Map<String, Object> pipePingPong(final Map<String, Object> summary) throws Exception
    {
        final RuntimeDirectory dir = RuntimeDirectory.global();
        final String name = "bp" + Long.toHexString(System.nanoTime());
        final Pipe pipe = Pipe.create(dir, name);
        final Connection parent = pipe.first();
        final Process child = Process.of(QueueWorkloads::echo, pipe.second());
        try
        {
            child.start();
            pipe.second().close();
            final Map<String, Object> out = new LinkedHashMap<>();
            final double[] rtt = new double[PIPE_PINGPONG_N];
            for (int i = 0; i < PIPE_PINGPONG_WARMUP; i++)
            {
                parent.send(i);
                parent.recv();
            }
            long loopStart = System.nanoTime();
            for (int i = 0; i < PIPE_PINGPONG_N; i++)
            {
                final long t0 = System.nanoTime();
                parent.send(i);
                final Object back = parent.recv();
                rtt[i] = (System.nanoTime() - t0) / 1e3;
                if ((Integer)back != i)
                {
                    throw new IllegalStateException("echo mismatch");
                }
            }
            out.put("obj", rttSummary(rtt, System.nanoTime() - loopStart));
            parent.send("STOP");

            final byte[] payload = new byte[PIPE_PAYLOAD_BYTES];
            Arrays.fill(payload, PAYLOAD_BYTE);
            for (int i = 0; i < PIPE_PINGPONG_WARMUP; i++)
            {
                parent.sendBytes(payload);
                parent.recvBytes();
            }
            loopStart = System.nanoTime();
            for (int i = 0; i < PIPE_PINGPONG_N; i++)
            {
                final long t0 = System.nanoTime();
                parent.sendBytes(payload);
                final byte[] back = parent.recvBytes();
                rtt[i] = (System.nanoTime() - t0) / 1e3;
                if (back.length != PIPE_PAYLOAD_BYTES)
                {
                    throw new IllegalStateException("echo mismatch");
                }
            }
            out.put("bytes64", rttSummary(rtt, System.nanoTime() - loopStart));
            parent.sendBytes(new byte[0]);
            child.join(WAIT);
            for (final String variant : List.of("obj", "bytes64"))
            {
                final Map<?, ?> m = (Map<?, ?>)out.get(variant);
                summary.put("pipe_pingpong_" + variant + "_p50_us", m.get("p50_us"));
                summary.put("pipe_pingpong_" + variant + "_p99_us", m.get("p99_us"));
                summary.put("pipe_pingpong_" + variant + "_p999_us", m.get("p999_us"));
                summary.put("pipe_pingpong_" + variant + "_rt_per_s", m.get("roundtrips_per_s"));
            }
            return out;
        }
        finally
        {
            child.close();
            parent.close();
            deleteQuietly(dir.resolve(name));
        }
    }

    static Map<String, Object> rttSummary(final double[] us, final long loopNs)
    {
        final double[] sorted = us.clone();
        Arrays.sort(sorted);
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("n", us.length);
        r.put("p50_us", Stats.percentile(sorted, 50));
        r.put("p90_us", Stats.percentile(sorted, 90));
        r.put("p99_us", Stats.percentile(sorted, 99));
        r.put("p999_us", Stats.percentile(sorted, 99.9));
        r.put("min_us", sorted[0]);
        r.put("max_us", sorted[sorted.length - 1]);
        r.put("n_over_1ms", Arrays.stream(us).filter(x -> x > 1000).count());
        r.put("roundtrips_per_s", Math.round(us.length / (loopNs / 1e9)));
        return r;
    }

    // ------------------------------------------------------------------------------- 7: pipe throughput

    static void sender(final Connection conn, final Integer size, final Integer count) throws Exception
    {
        final byte[] payload = new byte[size];
        Arrays.fill(payload, PAYLOAD_BYTE);
        final int passes = size == PIPE_BIG_PAYLOAD_BYTES ? PIPE_BIG_REPS : STREAM_PASSES;
        for (int r = 0; r < passes; r++)
        {
            for (int i = 0; i < count; i++)
            {
                conn.sendBytes(payload);
            }
            conn.sendBytes(new byte[0]);
        }
        conn.close(); // the receiver still gets everything sent before the close
    }

    static Map<String, Object> pipeThroughput(final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("small", throughput(true, PIPE_PAYLOAD_BYTES, PIPE_THROUGHPUT_N, false));
        out.put("small_oneway", throughput(false, PIPE_PAYLOAD_BYTES, PIPE_THROUGHPUT_N, false));
        // the same with recvBytesInto: what the raw twin does (a copy into one reused array, no allocation)
        out.put("small_oneway_into", throughput(false, PIPE_PAYLOAD_BYTES, PIPE_THROUGHPUT_N, true));
        out.put("small_raw_agrona", rawPipeThroughput(PIPE_PAYLOAD_BYTES, PIPE_THROUGHPUT_N));
        out.put("big", throughput(true, PIPE_BIG_PAYLOAD_BYTES, PIPE_BIG_N, false));
        out.put("big_into", throughput(true, PIPE_BIG_PAYLOAD_BYTES, PIPE_BIG_N, true));
        out.put("big_raw_agrona", rawPipeThroughput(PIPE_BIG_PAYLOAD_BYTES, PIPE_BIG_N));
        summary.put("pipe_64b_msgs_per_s", ((Map<?, ?>)out.get("small")).get("msgs_per_s"));
        summary.put("pipe_64b_MB_per_s", ((Map<?, ?>)out.get("small")).get("MB_per_s"));
        summary.put("pipe_oneway_64b_msgs_per_s", ((Map<?, ?>)out.get("small_oneway")).get("msgs_per_s"));
        summary.put("pipe_64b_warm_msgs_per_s", ((Map<?, ?>)out.get("small")).get("warm_msgs_per_s"));
        summary.put("pipe_oneway_64b_warm_msgs_per_s", ((Map<?, ?>)out.get("small_oneway")).get("warm_msgs_per_s"));
        summary.put("pipe_oneway_64b_into_warm_msgs_per_s", ((Map<?, ?>)out.get("small_oneway_into")).get("warm_msgs_per_s"));
        summary.put("raw_agrona_pipe_64b_msgs_per_s", ((Map<?, ?>)out.get("small_raw_agrona")).get("msgs_per_s"));
        summary.put("raw_agrona_pipe_64b_warm_msgs_per_s", ((Map<?, ?>)out.get("small_raw_agrona")).get("warm_msgs_per_s"));
        summary.put("pipe_1mib_MB_per_s", ((Map<?, ?>)out.get("big")).get("MB_per_s"));
        summary.put("pipe_1mib_into_MB_per_s", ((Map<?, ?>)out.get("big_into")).get("MB_per_s"));
        summary.put("raw_agrona_pipe_1mib_MB_per_s", ((Map<?, ?>)out.get("big_raw_agrona")).get("MB_per_s"));
        return out;
    }

    /**
     * @param into receive with {@code recvBytesInto} into one reused array (Python's
     *             {@code recv_bytes_into}) instead of {@code recvBytes} (a new array per message, as
     *             Python's {@code recv_bytes}).
     */
    private static Map<String, Object> throughput(final boolean duplex, final int size, final int count, final boolean into) throws Exception
    {
        final RuntimeDirectory dir = RuntimeDirectory.global();
        final String name = "bt" + Long.toHexString(System.nanoTime());
        final Pipe pipe = Pipe.create(dir, name, duplex);
        final Connection receiver = pipe.first();
        final Process child = Process.of(QueueWorkloads::sender, pipe.second(), size, count);
        try
        {
            child.start();
            pipe.second().close();
            final int passes = size == PIPE_BIG_PAYLOAD_BYTES ? PIPE_BIG_REPS : STREAM_PASSES;
            final byte[] buffer = new byte[size];
            final List<Long> windows = new ArrayList<>();
            boolean correct = true;
            for (int rep = 0; rep < passes; rep++)
            {
                int len = into ? receiver.recvBytesInto(buffer, 0) : receiver.recvBytes().length;
                final long start = System.nanoTime();
                long n = 1;
                long bytes = len;
                while ((len = into ? receiver.recvBytesInto(buffer, 0) : receiver.recvBytes().length) != 0)
                {
                    n++;
                    bytes += len;
                }
                windows.add(System.nanoTime() - start);
                correct &= n == count && bytes == (long)count * size;
            }
            child.join(WAIT);
            final Map<String, Object> r = rates(count, size, windows);
            r.put("duplex_api", duplex);
            r.put("recv", into ? "recvBytesInto" : "recvBytes");
            r.put("correct", correct);
            return r;
        }
        finally
        {
            child.close();
            receiver.close();
            deleteQuietly(dir.resolve(name));
        }
    }

    /**
     * Pipe stream figures: 1 MiB passes are the baseline's repetitions (median MB/s); 64-byte ones report
     * the first pass (the baseline's window) and the median of the others as warm.
     */
    private static Map<String, Object> rates(final int count, final int size, final List<Long> windows)
    {
        final Map<String, Object> r;
        if (size == PIPE_BIG_PAYLOAD_BYTES)
        {
            final List<Double> passes = new ArrayList<>();
            for (final long w : windows)
            {
                passes.add(Math.round((count - 1) * (double)size / (w / 1e9) / 1e5) / 10.0);
            }
            final List<Double> sorted = new ArrayList<>(passes);
            sorted.sort(Double::compare);
            r = new LinkedHashMap<>();
            r.put("msgs", count);
            r.put("MB_per_s", sorted.get(sorted.size() / 2));
            r.put("MB_per_s_passes", passes);
        }
        else
        {
            r = streamRates(count, windows);
            r.put("MB_per_s", Math.round(((Long)r.get("msgs_per_s")) * size / 1e5) / 10.0);
        }
        r.put("payload_bytes", size);
        return r;
    }

    /** The raw twin's sender: the same passes on a bare OneToOneRingBuffer, big messages in record-sized chunks. */
    static void rawSender(final String file, final Integer size, final Integer count) throws Exception
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(Paths.get(file).toFile(), "raw");
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(mapped));
        final byte[] bytes = new byte[size];
        Arrays.fill(bytes, PAYLOAD_BYTE);
        final UnsafeBuffer payload = new UnsafeBuffer(bytes);
        final int max = ring.maxMsgLength();
        final int passes = size == PIPE_BIG_PAYLOAD_BYTES ? PIPE_BIG_REPS : STREAM_PASSES;
        for (int r = 0; r < passes; r++)
        {
            for (int i = 0; i <= count; i++)
            {
                final int length = i == count ? 0 : size;
                int offset = 0;
                do
                {
                    final int chunk = Math.min(max, length - offset);
                    while (!ring.write(1, payload, offset, chunk))
                    {
                        Thread.onSpinWait();
                    }
                    offset += chunk;
                }
                while (offset < length);
            }
        }
        IoUtil.unmap(mapped);
    }

    /**
     * The raw twin of {@code pipe_throughput}: a sender child writes to a bare Agrona
     * {@code OneToOneRingBuffer} of the pipe's capacity; the parent reads one record per
     * {@code read(handler, 1)}, busy-spinning, and copies each message into one reused array (the floor
     * under {@code recvBytesInto}).
     */
    private static Map<String, Object> rawPipeThroughput(final int size, final int count) throws Exception
    {
        final RuntimeDirectory dir = RuntimeDirectory.global();
        final Path file = dir.resolve("rt" + Long.toHexString(System.nanoTime()));
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file.toFile(), Pipe.DEFAULT_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
        final Process child = Process.of(QueueWorkloads::rawSender, file.toString(), size, count);
        try
        {
            final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(mapped));
            final byte[] into = new byte[size];
            final long[] t = new long[4]; // messages, bytes of the message so far, first message ns, sentinel seen
            final org.agrona.concurrent.MessageHandler handler = (type, buffer, index, length) ->
            {
                if (length == 0)
                {
                    t[3] = 1;
                    return;
                }
                buffer.getBytes(index, into, (int)t[1], length);
                t[1] += length;
                if (t[1] == size)
                {
                    if (t[0]++ == 0)
                    {
                        t[2] = System.nanoTime();
                    }
                    t[1] = 0;
                }
            };
            child.start();
            final int passes = size == PIPE_BIG_PAYLOAD_BYTES ? PIPE_BIG_REPS : STREAM_PASSES;
            final List<Long> windows = new ArrayList<>();
            boolean correct = true;
            for (int rep = 0; rep < passes; rep++)
            {
                t[0] = 0;
                t[3] = 0;
                while (t[3] == 0)
                {
                    if (ring.read(handler, 1) == 0)
                    {
                        Thread.onSpinWait();
                    }
                }
                windows.add(System.nanoTime() - t[2]);
                correct &= t[0] == count;
            }
            child.join(WAIT);
            final Map<String, Object> r = rates(count, size, windows);
            r.put("correct", correct);
            return r;
        }
        finally
        {
            child.close();
            IoUtil.unmap(mapped);
            deleteQuietly(file);
        }
    }

    // --------------------------------------------------------------------------------------- raw Agrona

    static final int RAW_CAPACITY = 1 << 20;
    static final int RAW_N = 5_000_000;

    static OneToOneRingBuffer rawRing(final MappedByteBuffer mapped, final int index)
    {
        final int length = RAW_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        return new OneToOneRingBuffer(new UnsafeBuffer(mapped, index * length, length));
    }

    static void rawPeer(final String file, final String mode) throws Exception
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(Paths.get(file).toFile(), "raw");
        final OneToOneRingBuffer toParent = rawRing(mapped, 0);
        final OneToOneRingBuffer toChild = rawRing(mapped, 1);
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
        if ("send".equals(mode))
        {
            for (long i = 0; i <= RAW_N; i++)
            {
                msg.putLong(0, i == RAW_N ? -1 : i);
                while (!toParent.write(1, msg, 0, 8))
                {
                    Thread.onSpinWait();
                }
            }
        }
        else
        {
            final boolean[] stop = { false };
            while (!stop[0])
            {
                if (toChild.read((type, buffer, index, length) ->
                {
                    final long v = buffer.getLong(index);
                    if (v == -1)
                    {
                        stop[0] = true;
                        return;
                    }
                    msg.putLong(0, v);
                    while (!toParent.write(1, msg, 0, 8))
                    {
                        Thread.onSpinWait();
                    }
                }) == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }
        IoUtil.unmap(mapped);
    }

    static Map<String, Object> rawAgrona(final Map<String, Object> summary) throws Exception
    {
        final RuntimeDirectory dir = RuntimeDirectory.global();
        final Map<String, Object> out = new LinkedHashMap<>();
        final Path file = dir.resolve("raw" + Long.toHexString(System.nanoTime()));
        final int length = 2 * (RAW_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
        MappedByteBuffer mapped = IoUtil.mapNewFile(file.toFile(), length);
        Process child = Process.of(QueueWorkloads::rawPeer, file.toString(), "send");
        try
        {
            child.start();
            final OneToOneRingBuffer in = rawRing(mapped, 0);
            final long[] state = { 0, 0, 0 }; // count, start, end
            while (state[2] == 0)
            {
                in.read((type, buffer, index, len) ->
                {
                    final long v = buffer.getLong(index);
                    if (state[0] == 0)
                    {
                        state[1] = System.nanoTime();
                    }
                    if (v == -1)
                    {
                        state[2] = System.nanoTime();
                    }
                    state[0]++;
                });
            }
            child.join(WAIT);
            final Map<String, Object> oneway = new LinkedHashMap<>();
            oneway.put("msgs", RAW_N);
            oneway.put("msgs_per_s", Math.round(RAW_N / ((state[2] - state[1]) / 1e9)));
            out.put("oneway_8B_spin", oneway);
            summary.put("raw_agrona_oneway_8b_msgs_per_s", oneway.get("msgs_per_s"));
        }
        finally
        {
            child.close();
            IoUtil.unmap(mapped);
            deleteQuietly(file);
        }

        mapped = IoUtil.mapNewFile(file.toFile(), length);
        child = Process.of(QueueWorkloads::rawPeer, file.toString(), "echo");
        try
        {
            child.start();
            final OneToOneRingBuffer toChild = rawRing(mapped, 1);
            final OneToOneRingBuffer toParent = rawRing(mapped, 0);
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
            final double[] rtt = new double[PIPE_PINGPONG_N];
            final long[] got = { 0 };
            final long loopStart = System.nanoTime();
            for (int i = -PIPE_PINGPONG_WARMUP; i < PIPE_PINGPONG_N; i++)
            {
                final long t0 = System.nanoTime();
                msg.putLong(0, i + PIPE_PINGPONG_WARMUP);
                while (!toChild.write(1, msg, 0, 8))
                {
                    Thread.onSpinWait();
                }
                got[0] = 0;
                while (toParent.read((type, buffer, index, len) -> got[0] = 1) == 0)
                {
                    Thread.onSpinWait();
                }
                if (i >= 0)
                {
                    rtt[i] = (System.nanoTime() - t0) / 1e3;
                }
            }
            final long loopNs = System.nanoTime() - loopStart;
            msg.putLong(0, -1);
            toChild.write(1, msg, 0, 8);
            child.join(WAIT);
            out.put("pingpong_8B_spin", rttSummary(rtt, loopNs));
            summary.put("raw_agrona_pingpong_p50_us", ((Map<?, ?>)out.get("pingpong_8B_spin")).get("p50_us"));
        }
        finally
        {
            child.close();
            IoUtil.unmap(mapped);
            deleteQuietly(file);
        }
        return out;
    }

    private static void deleteQuietly(final Path... files)
    {
        for (final Path f : files)
        {
            try
            {
                java.nio.file.Files.deleteIfExists(f);
            }
            catch (final java.io.IOException ignore)
            {
                // the runtime directory removes it at exit
            }
        }
    }
}

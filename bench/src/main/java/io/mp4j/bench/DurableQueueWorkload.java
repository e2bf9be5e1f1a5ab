package io.mp4j.bench;

import io.mp4j.Process;
import io.mp4j.queue.DurableQueue;
import io.mp4j.shm.RuntimeDirectory;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code durable_queue} (mp4j only; the CPython baseline has no durable queue): a producer child appends
 * {@link #N} longs, then a -1 sentinel; the parent reads them with a tailer, from the first message
 * received to the sentinel ((N - 1) / window). Each message carries {@code System.nanoTime()} at the
 * append, so the parent also reports the one-way latency distribution (under full load: queueing
 * included). The same workload runs through {@link DurableQueue} (a broadcast subscriber) and through raw
 * Chronicle Queue ({@code writingDocument}/{@code readingDocument} of a long), in the same run, files in
 * a runtime directory under {@code /dev/shm}. The consumer polls without pausing. Then both again paced:
 * one message every {@link #PACE_NS} ns on a fixed schedule, {@link #PACED_N} messages of which the
 * first {@link #PACED_WARMUP} are not counted, for the one-way latency of a message that does not queue
 * behind others (p50/p99/p99.9).
 */
public final class DurableQueueWorkload implements Workload
{
    /** As QUEUE_N in mp_bench.py. */
    static final int N = Harness.count(500_000, 1_000);

    static
    {
        System.setProperty("chronicle.analytics.disable", "true");
    }

    @Override
    public String name()
    {
        return "durable_queue";
    }

    /**
     * @param mode {@code raw} or {@code mp4j}, then {@code :PACE_NS} for a paced run: the producer
     *             spins until the next slot of a fixed schedule (one message every PACE_NS, not "PACE_NS
     *             after the last append", so a slow append does not slow the schedule down), which starts
     *             when the first message has been appended.
     */
    static void producer(final String directory, final Integer n, final String mode)
    {
        final Path dir = Path.of(directory);
        final boolean raw = mode.startsWith("raw");
        final long paceNs = mode.contains(":") ? Long.parseLong(mode.substring(mode.indexOf(':') + 1)) : 0;
        // the schedule starts once the first message is appended: opening a queue takes about 0.4 s (the
        // DurableQueue opens on its first put), which would put the first 20,000 slots in the past, and a
        // producer catching up with its schedule sends them as one burst that queues
        long next = 0;
        if (raw)
        {
            try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).build())
            {
                final ExcerptAppender appender = q.createAppender();
                for (int i = 0; i < n; i++)
                {
                    if (paceNs > 0 && i > 0)
                    {
                        next = waitUntil(next + paceNs);
                    }
                    try (DocumentContext dc = appender.writingDocument())
                    {
                        dc.wire().bytes().writeLong(System.nanoTime());
                    }
                    if (i == 0)
                    {
                        next = System.nanoTime();
                    }
                }
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().writeLong(-1L);
                }
            }
        }
        else
        {
            try (DurableQueue<Long> q = DurableQueue.open(dir))
            {
                for (int i = 0; i < n; i++)
                {
                    if (paceNs > 0 && i > 0)
                    {
                        next = waitUntil(next + paceNs);
                    }
                    q.put(System.nanoTime());
                    if (i == 0)
                    {
                        next = System.nanoTime();
                    }
                }
                q.put(-1L);
            }
        }
    }

    private static long waitUntil(final long deadline)
    {
        while (System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
        }
        return deadline;
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            out.put("mp4j", measure(dir.resolve("mp4j-durable"), false, 0));
            out.put("raw_chronicle", measure(dir.resolve("raw-chronicle"), true, 0));
            out.put("mp4j_paced", measure(dir.resolve("mp4j-durable-paced"), false, PACE_NS));
            out.put("raw_chronicle_paced", measure(dir.resolve("raw-chronicle-paced"), true, PACE_NS));
        }
        for (final String kind : new String[]{ "mp4j", "raw_chronicle" })
        {
            @SuppressWarnings("unchecked") final Map<String, Object> m = (Map<String, Object>)out.get(kind);
            @SuppressWarnings("unchecked") final Map<String, Object> paced = (Map<String, Object>)out.get(kind + "_paced");
            final String prefix = "mp4j".equals(kind) ? "durable_queue" : "raw_chronicle";
            summary.put(prefix + "_msgs_per_s", m.get("msgs_per_s"));
            summary.put(prefix + "_oneway_p50_us", m.get("oneway_p50_us"));
            summary.put(prefix + "_paced_oneway_p50_us", paced.get("oneway_p50_us"));
            summary.put(prefix + "_paced_oneway_p99_us", paced.get("oneway_p99_us"));
            summary.put(prefix + "_paced_oneway_p999_us", paced.get("oneway_p999_us"));
        }
        return out;
    }

    /** Paced runs: one message every 20 us (50,000 msgs/s, well below either side's throughput). */
    static final long PACE_NS = 20_000;
    /** Paced runs: messages sent, of which the first {@link #PACED_WARMUP} are not counted. */
    static final int PACED_N = Harness.count(30_000, 1_000);
    static final int PACED_WARMUP = PACED_N / 6;

    /**
     * @param paceNs 0: the producer appends as fast as it can (throughput; latency then includes
     *               queueing); else one message every paceNs (latency of a message that does not wait
     *               behind others), the first {@link #PACED_WARMUP} not counted.
     */
    private static Map<String, Object> measure(final Path dir, final boolean raw, final long paceNs) throws Exception
    {
        final int n = paceNs > 0 ? PACED_N : N;
        final long[] latencies = new long[n];
        int received = 0;
        long first = 0;
        long last;
        final Process child = Process.of(DurableQueueWorkload::producer, dir.toString(), n,
            (raw ? "raw" : "mp4j") + (paceNs > 0 ? ":" + paceNs : ""));
        if (raw)
        {
            try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).build())
            {
                final ExcerptTailer tailer = q.createTailer();
                child.start();
                while (true)
                {
                    final long value;
                    try (DocumentContext dc = tailer.readingDocument())
                    {
                        if (!dc.isPresent())
                        {
                            continue;
                        }
                        value = dc.wire().bytes().readLong();
                    }
                    final long now = System.nanoTime();
                    if (value == -1L)
                    {
                        last = now;
                        break;
                    }
                    if (received == 0)
                    {
                        first = now;
                    }
                    latencies[received++] = now - value;
                }
            }
        }
        else
        {
            try (DurableQueue<Long> q = DurableQueue.open(dir);
                 DurableQueue.Subscriber<Long> subscriber = q.subscribe("bench"))
            {
                child.start();
                while (true)
                {
                    final Long value = subscriber.poll();
                    if (value == null)
                    {
                        continue;
                    }
                    final long now = System.nanoTime();
                    if (value == -1L)
                    {
                        last = now;
                        break;
                    }
                    if (received == 0)
                    {
                        first = now;
                    }
                    latencies[received++] = now - value;
                }
            }
        }
        child.join();
        if (received != n)
        {
            throw new IllegalStateException("durable_queue: received " + received + " of " + n);
        }
        final int skip = paceNs > 0 ? PACED_WARMUP : 0;
        final double[] us = new double[received - skip];
        for (int i = skip; i < received; i++)
        {
            us[i - skip] = latencies[i] / 1e3;
        }
        Arrays.sort(us);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        if (paceNs > 0)
        {
            m.put("pace_ns", paceNs);
            m.put("measured", us.length);
        }
        m.put("msgs_per_s", (n - 1) / ((last - first) / 1e9));
        m.put("oneway_p50_us", Stats.percentile(us, 50));
        m.put("oneway_p99_us", Stats.percentile(us, 99));
        m.put("oneway_p999_us", Stats.percentile(us, 99.9));
        m.put("oneway_max_us", us[us.length - 1]);
        return m;
    }
}

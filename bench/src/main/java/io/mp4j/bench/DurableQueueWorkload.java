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
 * a runtime directory under {@code /dev/shm}. The consumer polls without pausing.
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

    static void producer(final String directory, final Integer n, final Boolean raw)
    {
        final Path dir = Path.of(directory);
        if (raw)
        {
            try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).build())
            {
                final ExcerptAppender appender = q.createAppender();
                for (int i = 0; i < n; i++)
                {
                    try (DocumentContext dc = appender.writingDocument())
                    {
                        dc.wire().bytes().writeLong(System.nanoTime());
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
                    q.put(System.nanoTime());
                }
                q.put(-1L);
            }
        }
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            out.put("mp4j", measure(dir.resolve("mp4j-durable"), false));
            out.put("raw_chronicle", measure(dir.resolve("raw-chronicle"), true));
        }
        for (final String kind : new String[]{ "mp4j", "raw_chronicle" })
        {
            @SuppressWarnings("unchecked") final Map<String, Object> m = (Map<String, Object>)out.get(kind);
            final String prefix = "mp4j".equals(kind) ? "durable_queue" : "raw_chronicle";
            summary.put(prefix + "_msgs_per_s", m.get("msgs_per_s"));
            summary.put(prefix + "_oneway_p50_us", m.get("oneway_p50_us"));
        }
        return out;
    }

    private static Map<String, Object> measure(final Path dir, final boolean raw) throws Exception
    {
        final long[] latencies = new long[N];
        int received = 0;
        long first = 0;
        long last;
        final Process child = Process.of(DurableQueueWorkload::producer, dir.toString(), N, raw);
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
        if (received != N)
        {
            throw new IllegalStateException("durable_queue: received " + received + " of " + N);
        }
        final double[] us = new double[received];
        for (int i = 0; i < received; i++)
        {
            us[i] = latencies[i] / 1e3;
        }
        Arrays.sort(us);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", N);
        m.put("msgs_per_s", (N - 1) / ((last - first) / 1e9));
        m.put("oneway_p50_us", Stats.percentile(us, 50));
        m.put("oneway_p99_us", Stats.percentile(us, 99));
        return m;
    }
}

package io.mp4j.bench;

import io.mp4j.Process;
import io.mp4j.shm.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code shared_memory}: 5 rounds; each round the parent creates a new 64 MiB {@link SharedMemory}
 * (creation time reported); a child attaches (the block travels as its handle) and writes the whole block
 * from a 64 MiB {@code byte[]} of 0xA5 with {@code buffer().putBytes} once on fresh pages and 10 more
 * times; the parent copies the block into a pre-touched private {@code byte[]} with
 * {@code buffer().getBytes} once and 10 more times, checks it, then closes and unlinks. GB/s (1e9 bytes/s)
 * from the medians. For reference, {@code plain_copy_GB_per_s} is {@code System.arraycopy} between two
 * pre-touched private 64 MiB arrays in the parent: the "plain memory copy" the goal is measured against.
 * Each steady read is followed by one plain copy, so both see the same machine: measured apart (all plain
 * copies at the end, when the children were gone) the plain copy ran 20.5 GB/s against reads of 16.7 in one
 * sitting; side by side they run at the same speed (reads 18.0 / 18.1 / 15.5 GB/s, plain copies 17.6 / 17.7 /
 * 14.8 in three runs).
 */
public final class SharedMemoryCopy implements Workload
{
    static final int SIZE = 64 << 20;
    static final int ROUNDS = 5;
    static final int REPS = 10;

    static void writer(final SharedMemory shm, final SharedMemory res)
    {
        final AtomicBuffer buf = shm.buffer();
        final byte[] pattern = new byte[shm.size()];
        Arrays.fill(pattern, (byte)0xA5);
        final AtomicBuffer out = res.buffer();
        long t0 = System.nanoTime();
        buf.putBytes(0, pattern);
        out.putLong(0, System.nanoTime() - t0);
        for (int i = 0; i < REPS; i++)
        {
            t0 = System.nanoTime();
            buf.putBytes(0, pattern);
            out.putLong(8 + 8 * i, System.nanoTime() - t0);
        }
        shm.close();
        res.close();
    }

    @Override
    public String name()
    {
        return "shared_memory";
    }

    private static double gbs(final double ns)
    {
        return Math.round(SIZE / (ns / 1e9) / 1e9 * 100) / 100.0;
    }

    private static double median(final List<Long> values)
    {
        final long[] a = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        final List<Long> create = new ArrayList<>();
        final List<Long> writeFirst = new ArrayList<>();
        final List<Long> write = new ArrayList<>();
        final List<Long> readFirst = new ArrayList<>();
        final List<Long> read = new ArrayList<>();
        boolean correct = true;
        final byte[] dst = new byte[SIZE];
        Arrays.fill(dst, (byte)1);
        final byte[] src = new byte[SIZE];
        Arrays.fill(src, (byte)0xA5);
        final byte[] plainDst = new byte[SIZE];
        Arrays.fill(plainDst, (byte)1);
        final List<Long> plain = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            long t0 = System.nanoTime();
            final SharedMemory shm = SharedMemory.create(SIZE);
            create.add(System.nanoTime() - t0);
            try (SharedMemory res = SharedMemory.create(8 * (REPS + 1)))
            {
                final Process p = Process.of(SharedMemoryCopy::writer, shm, res);
                p.start();
                p.join();
                if (p.exitCode().getAsInt() != 0)
                {
                    throw new IllegalStateException("writer failed: " + p.stderrTail());
                }
                writeFirst.add(res.buffer().getLong(0));
                for (int i = 0; i < REPS; i++)
                {
                    write.add(res.buffer().getLong(8 + 8 * i));
                }
                res.unlink();
                final AtomicBuffer buf = shm.buffer();
                t0 = System.nanoTime();
                buf.getBytes(0, dst);
                readFirst.add(System.nanoTime() - t0);
                for (int i = 0; i < REPS; i++)
                {
                    t0 = System.nanoTime();
                    buf.getBytes(0, dst);
                    read.add(System.nanoTime() - t0);
                    t0 = System.nanoTime();
                    System.arraycopy(src, 0, plainDst, 0, SIZE);
                    plain.add(System.nanoTime() - t0);
                }
                for (int i = 0; i < SIZE; i += 4096)
                {
                    correct &= dst[i] == (byte)0xA5;
                }
                correct &= dst[SIZE - 1] == (byte)0xA5;
            }
            finally
            {
                shm.close();
                shm.unlink();
            }
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("size_bytes", SIZE);
        out.put("rounds", ROUNDS);
        out.put("create_ms_median", Math.round(median(create) / 1e4) / 100.0);
        out.put("child_write_first_touch_GB_per_s", gbs(median(writeFirst)));
        out.put("child_write_GB_per_s", gbs(median(write)));
        out.put("parent_read_first_GB_per_s", gbs(median(readFirst)));
        out.put("parent_read_GB_per_s", gbs(median(read)));
        out.put("plain_copy_GB_per_s", gbs(median(plain)));
        out.put("correct", correct);
        summary.put("shm_child_write_GB_per_s", out.get("child_write_GB_per_s"));
        summary.put("shm_parent_read_GB_per_s", out.get("parent_read_GB_per_s"));
        summary.put("shm_plain_copy_GB_per_s", out.get("plain_copy_GB_per_s"));
        return out;
    }
}

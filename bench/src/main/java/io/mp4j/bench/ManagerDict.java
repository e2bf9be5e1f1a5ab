package io.mp4j.bench;

import io.mp4j.Context;
import io.mp4j.Manager;
import io.mp4j.Process;
import io.mp4j.StartMethod;
import io.mp4j.shm.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code manager_dict}: a {@link Manager} (start time reported); a child gets {@code d = manager.dict()} and
 * does 20,000 {@code d.put(i, i)} then 20,000 {@code d.get(i)}, timed in the child; the same for
 * {@code manager.list()} with {@code add(i)} then {@code get(i)} (later passes: {@code set(i, i)} then
 * {@code get(i)}). Every operation is one round trip to the
 * server JVM (no batching). The parent checks sizes and sums.
 *
 * <p>As Python's proxies connect when they are unpickled, the child makes one untimed call first (its
 * connection and handshake). The child is a cold JVM, so the figures include JIT warm-up, as CPython's
 * include nothing comparable; {@code warm_*} figures are the last of {@link #WARM_PASSES} passes in the same
 * child, once the JIT has compiled both sides.
 * {@code manager_start_spare_ms} is the start of a manager whose server takes a ready spare JVM
 * ({@link StartMethod#SPARE}); {@code tuned} repeats the workload with C1-only JVMs for the server and
 * the child ({@link #TUNED}), options a user can choose through a {@link Context}.
 */
public final class ManagerDict implements Workload
{
    /** As MANAGER_OPS in mp_bench.py. */
    static final int OPS = 20_000;

    /** Passes of the dict workload in one child: the first is the baseline's figure, the last the warm one. */
    static final int WARM_PASSES = Harness.count(10, 2);

    private static final int SET_NS = 0;
    private static final int GET_NS = 8;
    private static final int SUM = 16;
    private static final int WARM_SET_NS = 24;
    private static final int WARM_GET_NS = 32;

    static void dictChild(final Map<Integer, Integer> d, final Integer n, final SharedMemory res)
    {
        final AtomicBuffer out = res.buffer();
        d.size();
        for (int pass = 0; pass < WARM_PASSES; pass++)
        {
            final long t0 = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                d.put(i, i);
            }
            final long t1 = System.nanoTime();
            long s = 0;
            for (int i = 0; i < n; i++)
            {
                s += d.get(i);
            }
            record(out, pass, t1 - t0, System.nanoTime() - t1, s);
        }
    }

    /**
     * As {@link #dictChild}, for a list: the first pass appends (the baseline's figure), the later ones
     * overwrite with {@code set(i, i)}, so the list stays at {@link #OPS} elements; the warm figures are
     * the last pass, as the dict's.
     */
    static void listChild(final List<Integer> l, final Integer n, final SharedMemory res)
    {
        final AtomicBuffer out = res.buffer();
        l.size();
        for (int pass = 0; pass < WARM_PASSES; pass++)
        {
            final long t0 = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                if (pass == 0)
                {
                    l.add(i);
                }
                else
                {
                    l.set(i, i);
                }
            }
            final long t1 = System.nanoTime();
            long s = 0;
            for (int i = 0; i < n; i++)
            {
                s += l.get(i);
            }
            record(out, pass, t1 - t0, System.nanoTime() - t1, s);
        }
    }

    /** The first pass is the baseline's figure; each later pass overwrites the warm one, so the last stays. */
    private static void record(final AtomicBuffer out, final int pass, final long setNs, final long getNs, final long sum)
    {
        if (pass == 0)
        {
            out.putLong(SET_NS, setNs);
            out.putLong(GET_NS, getNs);
        }
        out.putLong(WARM_SET_NS, setNs);
        out.putLong(WARM_GET_NS, getNs);
        out.putLongVolatile(SUM, sum);
    }

    @Override
    public String name()
    {
        return "manager_dict";
    }

    private static double opsPerS(final long ns)
    {
        return Math.round(OPS / (ns / 1e9));
    }

    private static double usPerOp(final long ns)
    {
        return Math.round(ns / (double)OPS / 1e3 * 1000) / 1000.0;
    }

    @Override
    public Map<String, Object> run(final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> out = measure(Context.global());
        try (Context tuned = Context.create(StartMethod.SPAWN, TUNED))
        {
            final Map<String, Object> t = measure(tuned);
            t.put("jvm_options", TUNED);
            out.put("tuned", t);
        }
        return finish(out, summary);
    }

    /** Options a user can give the manager's and the children's JVMs: C1 only, for a quicker warm-up. */
    static final List<String> TUNED = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    private static Map<String, Object> measure(final Context ctx) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        final long exp = (long)OPS * (OPS - 1) / 2;
        final long t0 = System.nanoTime();
        try (Manager manager = Manager.builder().context(ctx).start(); SharedMemory res = SharedMemory.create(64))
        {
            out.put("manager_start_ms", Math.round((System.nanoTime() - t0) / 1e4) / 100.0);
            final Map<Integer, Integer> d = manager.dict();
            Process p = Process.of(ManagerDict::dictChild, d, OPS, res).context(ctx);
            p.start();
            p.join();
            check(p);
            final AtomicBuffer r = res.buffer();
            long sum = 0;
            for (final int v : d.values())
            {
                sum += v;
            }
            final Map<String, Object> dict = new LinkedHashMap<>();
            dict.put("set_ops_per_s", opsPerS(r.getLong(SET_NS)));
            dict.put("get_ops_per_s", opsPerS(r.getLong(GET_NS)));
            dict.put("set_us_per_op", usPerOp(r.getLong(SET_NS)));
            dict.put("get_us_per_op", usPerOp(r.getLong(GET_NS)));
            dict.put("warm_set_ops_per_s", opsPerS(r.getLong(WARM_SET_NS)));
            dict.put("warm_get_ops_per_s", opsPerS(r.getLong(WARM_GET_NS)));
            dict.put("correct", d.size() == OPS && r.getLongVolatile(SUM) == exp && sum == exp);
            out.put("dict", dict);

            final List<Integer> l = manager.list();
            p = Process.of(ManagerDict::listChild, l, OPS, res).context(ctx);
            p.start();
            p.join();
            check(p);
            final Map<String, Object> list = new LinkedHashMap<>();
            list.put("append_ops_per_s", opsPerS(r.getLong(SET_NS)));
            list.put("get_ops_per_s", opsPerS(r.getLong(GET_NS)));
            list.put("append_us_per_op", usPerOp(r.getLong(SET_NS)));
            list.put("get_us_per_op", usPerOp(r.getLong(GET_NS)));
            list.put("warm_set_ops_per_s", opsPerS(r.getLong(WARM_SET_NS)));
            list.put("warm_get_ops_per_s", opsPerS(r.getLong(WARM_GET_NS)));
            list.put("correct", l.size() == OPS && r.getLongVolatile(SUM) == exp);
            out.put("list", list);
            res.unlink();
        }
        return out;
    }

    private static Map<String, Object> finish(final Map<String, Object> out, final Map<String, Object> summary) throws Exception
    {
        try (Context ctx = Context.create(StartMethod.SPARE, List.of()))
        {
            if (ctx.awaitSpare(60, TimeUnit.SECONDS))
            {
                final long s0 = System.nanoTime();
                try (Manager spare = Manager.builder().context(ctx).start())
                {
                    out.put("manager_start_spare_ms", Math.round((System.nanoTime() - s0) / 1e4) / 100.0);
                    spare.dict().put(1, 1);
                }
            }
        }
        @SuppressWarnings("unchecked") final Map<String, Object> dict = (Map<String, Object>)out.get("dict");
        @SuppressWarnings("unchecked") final Map<String, Object> list = (Map<String, Object>)out.get("list");
        summary.put("manager_dict_set_ops_per_s", dict.get("set_ops_per_s"));
        summary.put("manager_dict_get_ops_per_s", dict.get("get_ops_per_s"));
        summary.put("manager_list_append_ops_per_s", list.get("append_ops_per_s"));
        summary.put("manager_dict_warm_set_ops_per_s", dict.get("warm_set_ops_per_s"));
        summary.put("manager_dict_warm_get_ops_per_s", dict.get("warm_get_ops_per_s"));
        return out;
    }

    private static void check(final Process p)
    {
        if (p.exitCode().getAsInt() != 0)
        {
            throw new IllegalStateException(p + " failed: " + p.stderrTail());
        }
    }
}

package io.mp4j.bench;

import io.mp4j.shm.SharedObject;
import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.Condition;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.IdleStrategies;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Cross-process workloads of the shm primitives, mirroring {@code bench/python/mp_bench.py}
 * (value_lock_increment, lock_uncontended, event_pingpong, barrier_rounds, condition_pingpong), printing
 * one JSON object on stdout.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp 'bench/target/mp4j-bench.jar:bench/target/lib/*' \
 *     io.mp4j.bench.ShmWorkloads [value_lock_increment] [lock_uncontended] [event_pingpong] [barrier_rounds] [condition_pingpong]
 * </pre>
 *
 * Children are JVMs started with this JVM's java, class path and {@code --add-*} / {@code -Dmp4j.*} flags.
 */
public final class ShmWorkloads
{
    static final int VALUE_INCR_PROCS = 2;
    static final int VALUE_INCR_PER_PROC = 100_000;
    static final int VALUE_INCR_REPS = 5;
    static final int LOCK_UNCONTENDED_N = 1_000_000;
    static final int SYNC_WARMUP = 500;
    static final int EVENT_ROUNDS = 10_000;
    static final int BARRIER_ROUNDS = 10_000;
    static final int CONDITION_ROUNDS = 10_000;
    static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    private ShmWorkloads()
    {
    }

    /** As ARRAY_LEN in mp_bench.py: 10 M doubles (80 MB). */
    static final int ARRAY_N = Harness.count(10_000_000, 100_000);
    /** As ARRAY_ELEM_FILL_LEN: the child sets this many elements one by one before the bulk fill. */
    static final int ARRAY_ELEM_FILL_N = Math.min(ARRAY_N, 1_000_000);
    /** As ARRAY_FILL_CHUNK: the bulk fill copies in chunks of this many elements. */
    static final int ARRAY_FILL_CHUNK = 65_536;
    /** As ARRAY_SUM_ITER_LEN: the element-by-element sum timed over this prefix, ARRAY_READ_REPS times. */
    static final int ARRAY_SUM_PREFIX_N = Math.min(ARRAY_N, 1_000_000);
    static final int ARRAY_READ_REPS = 5;
    /** As ARRAY_LOCKED_LEN: an array with its lock, summed taking the lock for every element. */
    static final int ARRAY_LOCKED_N = Math.min(ARRAY_N, 1_000_000);

    /**
     * @return the shm workloads for {@link Harness}, named as in mp_bench.py, with the baseline's summary names.
     */
    public static List<Workload> workloads()
    {
        return List.of(
            shm("value_lock_increment", (dir, summary) ->
            {
                final Map<String, Object> r = parse(valueLockIncrement(dir));
                summary.put("value_lock_increment_ops_per_s", r.get("ops_per_s"));
                summary.put("value_lock_increment_correct", r.get("correct"));
                return r;
            }),
            shm("lock_uncontended", (dir, summary) ->
            {
                final Map<String, Object> r = parse(lockUncontended(dir));
                summary.put("lock_ns", nested(r, "Lock", "acquire_release_ns"));
                summary.put("rlock_ns", nested(r, "RLock", "acquire_release_ns"));
                summary.put("semaphore_ns", nested(r, "Semaphore", "acquire_release_ns"));
                return r;
            }),
            shm("event_pingpong", (dir, summary) ->
            {
                final Map<String, Object> r = new LinkedHashMap<>();
                r.put("backoff", parse(eventPingPong(dir, "default")));
                r.put("spin", parse(eventPingPong(dir, "spin")));
                summary.put("event_pingpong_p50_us", nested(r, "backoff", "p50_us"));
                summary.put("event_pingpong_spin_p50_us", nested(r, "spin", "p50_us"));
                return r;
            }),
            shm("barrier_rounds", (dir, summary) ->
            {
                final Map<String, Object> r = parse(barrierRounds(dir));
                summary.put("barrier_rounds_per_s", r.get("rounds_per_s"));
                return r;
            }),
            shm("condition_pingpong", (dir, summary) ->
            {
                final Map<String, Object> r = parse(conditionPingPong(dir));
                summary.put("condition_pingpong_p50_us", r.get("p50_us"));
                return r;
            }),
            shm("array_sum", ShmWorkloads::arraySum));
    }

    private interface ShmBody
    {
        Map<String, Object> run(RuntimeDirectory dir, Map<String, Object> summary) throws Exception;
    }

    private static Workload shm(final String name, final ShmBody body)
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
                try (RuntimeDirectory dir = RuntimeDirectory.create())
                {
                    final Map<String, Object> result = body.run(dir, summary);
                    result.put("idle", System.getProperty(IdleStrategies.PROPERTY, IdleStrategies.DEFAULT_NAME));
                    return result;
                }
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(final String json)
    {
        return (Map<String, Object>)Json.parse(json);
    }

    @SuppressWarnings("unchecked")
    private static Object nested(final Map<String, Object> map, final String outer, final String inner)
    {
        return ((Map<String, Object>)map.get(outer)).get(inner);
    }

    /**
     * The child of {@code array_sum}, as mp_bench.py's {@code _array_fill}: the first
     * {@link #ARRAY_ELEM_FILL_N} elements one by one, then all of them in chunks of {@link #ARRAY_FILL_CHUNK}
     * through a bulk copy. Its two times go back in {@code times} (ns).
     */
    static void fillArray(final Array array, final Array times)
    {
        final long t0 = System.nanoTime();
        for (int i = 0; i < ARRAY_ELEM_FILL_N; i++)
        {
            array.setDouble(i, i);
        }
        final long t1 = System.nanoTime();
        final double[] chunk = new double[ARRAY_FILL_CHUNK];
        final int n = array.length();
        final long t2 = System.nanoTime();
        for (int lo = 0; lo < n; lo += ARRAY_FILL_CHUNK)
        {
            final int hi = Math.min(n, lo + ARRAY_FILL_CHUNK);
            for (int i = lo; i < hi; i++)
            {
                chunk[i - lo] = i;
            }
            array.copyFrom(lo, chunk, 0, hi - lo);
        }
        final long t3 = System.nanoTime();
        times.setLong(0, t1 - t0);
        times.setLong(1, t3 - t2);
    }

    /** {@code sum(arr)}: element by element through the ordinary accessor. */
    static double sumElements(final Array array, final int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += array.getDouble(i);
        }
        return sum;
    }

    /** {@code sum(arr)} of a synchronized array: Python's element access takes the lock every time. */
    static double sumElementsLocked(final Array array, final int n)
    {
        final SharedLock lock = array.getLock();
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            try (SharedLock.Held held = lock.locked())
            {
                sum += array.getDouble(i);
            }
        }
        return sum;
    }

    static final int WARMUP_SUMS = Harness.count(200, 2);
    static final int WARMUP_SUM_N = 65_536;

    /** Let the JIT compile both sum loops on an array of their own, so that no timed pass runs them cold. */
    private static void warmUpSums(final RuntimeDirectory dir)
    {
        final Array warm = Array.create(dir, "array-warmup", ElementType.DOUBLE, WARMUP_SUM_N);
        double sink = 0;
        for (int i = 0; i < WARMUP_SUMS; i++)
        {
            sink += sumElements(warm, WARMUP_SUM_N);
            sink += sumElementsLocked(warm, WARMUP_SUM_N / 16);
        }
        blackhole(sink);
        warm.close();
    }

    private static Map<String, Object> rate(final long ns, final int elements, final boolean correct)
    {
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("n", elements);
        r.put("ms", ns / 1e6);
        r.put("ns_per_elem", (double)ns / elements);
        r.put("GB_per_s", elements * 8.0 / ns);
        r.put("correct", correct);
        return r;
    }

    private static long median(final long[] values)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    /**
     * {@code array_sum}, as mp_bench.py: a child fills a raw {@code Array('d', 10 M)} (1 M elements one by
     * one, then everything in 65,536-element chunks); the parent then reads it, checking each result
     * against n(n-1)/2: the element-by-element sum ({@code getDouble}) over the first 1 M elements
     * (5 passes, median) and over all 10 M (1 pass, which also maps the pages into this process; then
     * 5 more passes, median: {@code sum_arr_full_warm}, the summary's {@code array_sum_GB_per_s}), a bulk copy of all 80 MB into a pre-touched
     * {@code double[]} ({@code copyTo}, the baseline's memmove; 5 passes, median), and the sum of a 1 M
     * array with its lock taken for every element. Python's {@code sum(memoryview)} has no Java twin:
     * a Java loop over the typed accessor is already the fast path.
     */
    private static Map<String, Object> arraySum(final RuntimeDirectory dir, final Map<String, Object> summary) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        final long alloc0 = System.nanoTime();
        final Array array = Array.createRaw(dir, "array", ElementType.DOUBLE, ARRAY_N);
        out.put("alloc_ms", (System.nanoTime() - alloc0) / 1e6);
        final Array times = Array.createRaw(dir, "array-fill-times", ElementType.LONG, 2);
        final io.mp4j.Process child = io.mp4j.Process.of(ShmWorkloads::fillArray, array, times);
        child.start();
        child.join();
        if (child.exitCode().orElse(-1) != 0)
        {
            throw new IllegalStateException("array_sum: the filling child failed: " + child.exitCode());
        }
        final long elemFillNs = times.getLong(0);
        final long bulkFillNs = times.getLong(1);
        final Map<String, Object> elemFill = new LinkedHashMap<>();
        elemFill.put("n", ARRAY_ELEM_FILL_N);
        elemFill.put("ns_per_elem", (double)elemFillNs / ARRAY_ELEM_FILL_N);
        out.put("child_elem_fill", elemFill);
        final Map<String, Object> bulkFill = new LinkedHashMap<>();
        bulkFill.put("n", ARRAY_N);
        bulkFill.put("ms", bulkFillNs / 1e6);
        bulkFill.put("GB_per_s", 8.0 * ARRAY_N / bulkFillNs);
        out.put("child_bulk_fill", bulkFill);

        warmUpSums(dir);
        out.put("jit_warmup", "both sum loops ran " + WARMUP_SUMS + " times over a separate " + WARMUP_SUM_N +
            "-element array first (a JVM compiles a loop after it has run a while; the baseline has no JIT)");

        final int n = ARRAY_N;
        final double expectedFull = (double)(n - 1) * n / 2;
        final int m = ARRAY_SUM_PREFIX_N;
        final double expectedPrefix = (double)(m - 1) * m / 2;

        final long[] passes = new long[ARRAY_READ_REPS];
        boolean ok = true;
        for (int pass = 0; pass < ARRAY_READ_REPS; pass++)
        {
            final long t0 = System.nanoTime();
            final double sum = sumElements(array, m);
            passes[pass] = System.nanoTime() - t0;
            ok &= sum == expectedPrefix;
        }
        final Map<String, Object> prefix = rate(median(passes), m, ok);
        prefix.put("ms_passes", msList(passes));
        out.put("sum_arr_first_1m", prefix);

        long t0 = System.nanoTime();
        final double full = sumElements(array, n);
        out.put("sum_arr_full", rate(System.nanoTime() - t0, n, full == expectedFull));
        // The pass above maps 9 M elements' pages into this process for the first time (a minor fault per
        // 4 KiB page, several microseconds each here): the warm passes give the reading speed itself.
        boolean warmOk = true;
        for (int pass = 0; pass < ARRAY_READ_REPS; pass++)
        {
            t0 = System.nanoTime();
            final double sum = sumElements(array, n);
            passes[pass] = System.nanoTime() - t0;
            warmOk &= sum == expectedFull;
        }
        final Map<String, Object> warm = rate(median(passes), n, warmOk);
        warm.put("ms_passes", msList(passes));
        out.put("sum_arr_full_warm", warm);

        final double[] copy = new double[n];
        Arrays.fill(copy, 1.0);   // pre-touched, as the baseline's bytearray
        for (int pass = 0; pass < ARRAY_READ_REPS; pass++)
        {
            t0 = System.nanoTime();
            array.copyTo(0, copy, 0, n);
            passes[pass] = System.nanoTime() - t0;
        }
        final boolean copyOk = copy[0] == 0.0 && copy[n - 1] == n - 1 && copy[n / 2] == n / 2;
        final Map<String, Object> memmove = rate(median(passes), n, copyOk);
        memmove.put("ms_passes", msList(passes));
        out.put("memmove_full", memmove);
        array.close();

        final int k = ARRAY_LOCKED_N;
        final Array locked = Array.create(dir, "array-locked", ElementType.DOUBLE, k);
        final double[] values = new double[k];
        for (int i = 0; i < k; i++)
        {
            values[i] = i;
        }
        locked.copyFrom(0, values, 0, k);
        t0 = System.nanoTime();
        final double lockedSum = sumElementsLocked(locked, k);
        out.put("sum_locked_array_1m", rate(System.nanoTime() - t0, k, lockedSum == (double)(k - 1) * k / 2));
        locked.close();
        times.close();

        final boolean correct = ok && full == expectedFull && warmOk && copyOk;
        if (!correct)
        {
            throw new IllegalStateException("array_sum: a sum or the copy is wrong: " + out);
        }
        summary.put("array_sum_arr_1m_ns_per_elem", prefix.get("ns_per_elem"));
        summary.put("array_sum_GB_per_s", warm.get("GB_per_s"));
        summary.put("array_memmove_GB_per_s", memmove.get("GB_per_s"));
        return out;
    }

    private static List<Double> msList(final long[] ns)
    {
        final List<Double> list = new ArrayList<>();
        for (final long x : ns)
        {
            list.add(x / 1e6);
        }
        return list;
    }

    /**
     * @param args workload names, or {@code child ...} in a child JVM.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals("child"))
        {
            child(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        final List<String> only = Arrays.asList(args);
        final StringBuilder json = new StringBuilder("{\n");
        json.append("  \"idle\": \"").append(System.getProperty(IdleStrategies.PROPERTY, IdleStrategies.DEFAULT_NAME)).append('"');
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            if (only.isEmpty() || only.contains("value_lock_increment"))
            {
                json.append(",\n  \"value_lock_increment\": ").append(valueLockIncrement(dir));
            }
            if (only.isEmpty() || only.contains("lock_uncontended"))
            {
                json.append(",\n  \"lock_uncontended\": ").append(lockUncontended(dir));
            }
            if (only.isEmpty() || only.contains("event_pingpong"))
            {
                json.append(",\n  \"event_pingpong\": ").append(eventPingPong(dir, "default"));
                json.append(",\n  \"event_pingpong_spin\": ").append(eventPingPong(dir, "spin"));
            }
            if (only.isEmpty() || only.contains("barrier_rounds"))
            {
                json.append(",\n  \"barrier_rounds\": ").append(barrierRounds(dir));
            }
            if (only.isEmpty() || only.contains("condition_pingpong"))
            {
                json.append(",\n  \"condition_pingpong\": ").append(conditionPingPong(dir));
            }
        }
        json.append("\n}");
        System.out.println(json);
    }

    // ---------------------------------------------------------------- value_lock_increment

    private static String valueLockIncrement(final RuntimeDirectory dir) throws Exception
    {
        final double[] rates = new double[VALUE_INCR_REPS];
        final long[] finals = new long[VALUE_INCR_REPS];
        final double[] windows = new double[VALUE_INCR_REPS];
        final double[] overlaps = new double[VALUE_INCR_REPS];
        boolean correct = true;
        for (int pass = 0; pass < VALUE_INCR_REPS; pass++)
        {
            final Value value = Value.create(dir, "v" + pass, "i", 0);
            final Barrier start = Barrier.create(dir, "start" + pass, VALUE_INCR_PROCS);
            final List<Child> children = new ArrayList<>();
            try
            {
                for (int i = 0; i < VALUE_INCR_PROCS; i++)
                {
                    final Value own = Value.create(dir, "warm" + pass + "-" + i, "i", 0);
                    children.add(Child.start("increment", pathOf(value), pathOf(start),
                        Integer.toString(VALUE_INCR_PER_PROC), pathOf(own)));
                }
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                long lastStart = Long.MIN_VALUE;
                long firstEnd = Long.MAX_VALUE;
                for (final Child child : children)
                {
                    final String[] times = child.line().split(" ");
                    final long t0 = Long.parseLong(times[0]);
                    final long t1 = Long.parseLong(times[1]);
                    first = Math.min(first, t0);
                    last = Math.max(last, t1);
                    lastStart = Math.max(lastStart, t0);
                    firstEnd = Math.min(firstEnd, t1);
                }
                windows[pass] = (last - first) / 1e6;
                overlaps[pass] = Math.max(0, firstEnd - lastStart) / (double)(last - first);
                finals[pass] = value.getInt();
                correct &= finals[pass] == (long)VALUE_INCR_PROCS * VALUE_INCR_PER_PROC;
                rates[pass] = VALUE_INCR_PROCS * (double)VALUE_INCR_PER_PROC / ((last - first) / 1e9);
            }
            finally
            {
                children.forEach(Child::kill);
            }
        }
        final double[] sorted = rates.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT,
            "{\"expected\": %d, \"finals\": %s, \"correct\": %b, \"ops_per_s\": %.0f, \"ops_per_s_passes\": %s, " +
            "\"window_ms_passes\": %s, \"children_overlap_fraction_passes\": %s, \"jit_warmup\": " +
            "\"each child ran the loop 2 x %d times on a Value of its own before the start barrier\"}",
            VALUE_INCR_PROCS * VALUE_INCR_PER_PROC, Arrays.toString(finals), correct, sorted[sorted.length / 2],
            formatArray(rates, "%.0f"), formatArray(windows, "%.3f"), formatArray(overlaps, "%.3f"), INCREMENT_WARMUP);
    }

    /** {@code with v.get_lock(): v.value += 1}, n times. */
    static void incrementLocked(final Value value, final int n)
    {
        final SharedLock lock = value.getLock();
        for (int i = 0; i < n; i++)
        {
            lock.lock();
            try
            {
                value.setInt(value.getInt() + 1);
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    static final int INCREMENT_WARMUP = Harness.count(100_000, 100);

    /**
     * Before the start barrier, let the JIT compile {@link #incrementLocked} (the uncontended and the
     * contended path: two threads) on a Value of this JVM's own, so that the timed window does not run the
     * loop in the interpreter. CPython has no JIT to warm up.
     */
    private static void warmUpIncrements(final Value own) throws InterruptedException
    {
        final Thread helper = new Thread(() -> incrementLocked(own, INCREMENT_WARMUP), "warm-up");
        helper.start();
        incrementLocked(own, INCREMENT_WARMUP);
        helper.join();
        if (own.getInt() != 2 * INCREMENT_WARMUP)
        {
            throw new IllegalStateException("warm-up lost increments: " + own.getInt());
        }
        own.close();
    }

    // ---------------------------------------------------------------- lock_uncontended

    private static String lockUncontended(final RuntimeDirectory dir) throws InterruptedException
    {
        final Lock lock = Lock.create(dir, "uncontended-lock");
        final RLock rlock = RLock.create(dir, "uncontended-rlock");
        final Semaphore semaphore = Semaphore.create(dir, "uncontended-semaphore", 1);
        final ReentrantLock reference = new ReentrantLock();
        final StringBuilder out = new StringBuilder("{");
        // two rounds: the first warms up the JIT, the second is reported
        for (int round = 0; round < 2; round++)
        {
            final double lockNs = timeLock(lock);
            final double rlockNs = timeRLock(rlock);
            final double semNs = timeSemaphore(semaphore);
            long t0 = System.nanoTime();
            for (int i = 0; i < LOCK_UNCONTENDED_N; i++)
            {
                try (SharedLock.Held held = lock.locked())
                {
                    blackhole(held);
                }
            }
            final double withNs = (System.nanoTime() - t0) / (double)LOCK_UNCONTENDED_N;
            t0 = System.nanoTime();
            for (int i = 0; i < LOCK_UNCONTENDED_N; i++)
            {
                reference.lock();
                reference.unlock();
            }
            final double referenceNs = (System.nanoTime() - t0) / (double)LOCK_UNCONTENDED_N;
            if (round == 1)
            {
                out.append(String.format(Locale.ROOT,
                    "\"n\": %d, \"Lock\": {\"acquire_release_ns\": %.1f, \"with_ns\": %.1f}, " +
                    "\"RLock\": {\"acquire_release_ns\": %.1f}, \"Semaphore\": {\"acquire_release_ns\": %.1f}, " +
                    "\"ReentrantLock\": {\"acquire_release_ns\": %.1f}",
                    LOCK_UNCONTENDED_N, lockNs, withNs, rlockNs, semNs, referenceNs));
            }
        }
        return out.append('}').toString();
    }

    /**
     * One loop per type, as a user's code has: a loop shared by Lock and RLock saw two receiver types, and
     * its compiled code (OSR'd on the first) cost the Lock 38 ns instead of 10-13.
     */
    private static double timeLock(final Lock lock)
    {
        final long t0 = System.nanoTime();
        for (int i = 0; i < LOCK_UNCONTENDED_N; i++)
        {
            lock.acquire();
            lock.release();
        }
        return (System.nanoTime() - t0) / (double)LOCK_UNCONTENDED_N;
    }

    private static double timeRLock(final RLock lock)
    {
        final long t0 = System.nanoTime();
        for (int i = 0; i < LOCK_UNCONTENDED_N; i++)
        {
            lock.acquire();
            lock.release();
        }
        return (System.nanoTime() - t0) / (double)LOCK_UNCONTENDED_N;
    }

    private static double timeSemaphore(final Semaphore semaphore) throws InterruptedException
    {
        final long t0 = System.nanoTime();
        for (int i = 0; i < LOCK_UNCONTENDED_N; i++)
        {
            semaphore.acquire();
            semaphore.release();
        }
        return (System.nanoTime() - t0) / (double)LOCK_UNCONTENDED_N;
    }

    private static volatile Object sink;

    private static void blackhole(final Object o)
    {
        sink = o;
    }

    // ---------------------------------------------------------------- event_pingpong

    private static String eventPingPong(final RuntimeDirectory dir, final String idle) throws Exception
    {
        final Event ping = Event.create(dir, "ping-" + idle);
        final Event pong = Event.create(dir, "pong-" + idle);
        if (!idle.equals("default"))
        {
            ping.withIdleStrategy(IdleStrategies.named(idle));
            pong.withIdleStrategy(IdleStrategies.named(idle));
        }
        final int total = SYNC_WARMUP + EVENT_ROUNDS;
        final Child child = Child.start("event", pathOf(ping), pathOf(pong), Integer.toString(total), idle);
        try
        {
            final Duration timeout = CHILD_TIMEOUT;
            for (int i = 0; i < SYNC_WARMUP; i++)
            {
                ping.set();
                check(pong.await(timeout));
                pong.clear();
            }
            final long[] samples = new long[EVENT_ROUNDS];
            final long wall0 = System.nanoTime();
            for (int i = 0; i < EVENT_ROUNDS; i++)
            {
                final long t0 = System.nanoTime();
                ping.set();
                check(pong.await(timeout));
                pong.clear();
                samples[i] = System.nanoTime() - t0;
            }
            final long wall = System.nanoTime() - wall0;
            child.line();
            Arrays.sort(samples);
            return String.format(Locale.ROOT,
                "{\"idle\": \"%s\", \"n\": %d, \"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, \"p999_us\": %.3f, " +
                "\"min_us\": %.3f, \"max_us\": %.3f, \"rounds_per_s\": %.0f}",
                idle, EVENT_ROUNDS, pct(samples, 50), pct(samples, 90), pct(samples, 99), pct(samples, 99.9),
                samples[0] / 1e3, samples[samples.length - 1] / 1e3, EVENT_ROUNDS / (wall / 1e9));
        }
        finally
        {
            child.kill();
        }
    }

    // ---------------------------------------------------------------- barrier_rounds

    private static String barrierRounds(final RuntimeDirectory dir) throws Exception
    {
        final Barrier barrier = Barrier.create(dir, "rounds", 2);
        final int total = SYNC_WARMUP + BARRIER_ROUNDS;
        final Child child = Child.start("barrier", pathOf(barrier), Integer.toString(total));
        try
        {
            for (int i = 0; i < SYNC_WARMUP; i++)
            {
                barrier.await(CHILD_TIMEOUT);
            }
            final long[] samples = new long[BARRIER_ROUNDS];
            final long wall0 = System.nanoTime();
            for (int i = 0; i < BARRIER_ROUNDS; i++)
            {
                final long t0 = System.nanoTime();
                barrier.await(CHILD_TIMEOUT);
                samples[i] = System.nanoTime() - t0;
            }
            final long wall = System.nanoTime() - wall0;
            child.line();
            return latency(samples, wall, BARRIER_ROUNDS, "default");
        }
        finally
        {
            child.kill();
        }
    }

    // ---------------------------------------------------------------- condition_pingpong

    private static String conditionPingPong(final RuntimeDirectory dir) throws Exception
    {
        final Condition cond = Condition.create(dir, "cond");
        final Value turn = Value.createRaw(dir, "turn", ElementType.INT, 0);
        final int total = SYNC_WARMUP + CONDITION_ROUNDS;
        final Child child = Child.start("condition", pathOf(cond), pathOf(turn), Integer.toString(total));
        try
        {
            final long[] samples = new long[CONDITION_ROUNDS];
            long wall0 = System.nanoTime();
            for (int i = 0; i < total; i++)
            {
                if (i == SYNC_WARMUP)
                {
                    wall0 = System.nanoTime();
                }
                final long t0 = System.nanoTime();
                cond.getLock().lock();
                try
                {
                    turn.setInt(1);
                    cond.signal();
                    while (turn.getInt() != 0)
                    {
                        check(cond.await(CHILD_TIMEOUT));
                    }
                }
                finally
                {
                    cond.getLock().unlock();
                }
                if (i >= SYNC_WARMUP)
                {
                    samples[i - SYNC_WARMUP] = System.nanoTime() - t0;
                }
            }
            final long wall = System.nanoTime() - wall0;
            child.line();
            return latency(samples, wall, CONDITION_ROUNDS, "default");
        }
        finally
        {
            child.kill();
        }
    }

    private static String latency(final long[] samples, final long wall, final int rounds, final String idle)
    {
        Arrays.sort(samples);
        return String.format(Locale.ROOT,
            "{\"idle\": \"%s\", \"n\": %d, \"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, \"p999_us\": %.3f, " +
            "\"min_us\": %.3f, \"max_us\": %.3f, \"rounds_per_s\": %.0f}",
            idle, rounds, pct(samples, 50), pct(samples, 90), pct(samples, 99), pct(samples, 99.9),
            samples[0] / 1e3, samples[samples.length - 1] / 1e3, rounds / (wall / 1e9));
    }

    /** Nearest rank, as mp_bench.py: sorted[ceil(p / 100 * n) - 1]. */
    private static double pct(final long[] sorted, final double p)
    {
        final int rank = (int)Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e3;
    }

    private static void check(final boolean ok)
    {
        if (!ok)
        {
            throw new IllegalStateException("timed out waiting for the child");
        }
    }

    private static String formatArray(final double[] values, final String format)
    {
        final StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.length; i++)
        {
            out.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, values[i]));
        }
        return out.append(']').toString();
    }

    // ---------------------------------------------------------------- children

    private static void child(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "increment":
            {
                final Value value = Value.attach(Paths.get(args[1]));
                final Barrier start = Barrier.attach(Paths.get(args[2]));
                final int n = Integer.parseInt(args[3]);
                warmUpIncrements(Value.attach(Paths.get(args[4])));
                start.await(CHILD_TIMEOUT);
                final long t0 = System.nanoTime();
                incrementLocked(value, n);
                final long t1 = System.nanoTime();
                System.out.println(t0 + " " + t1);
                break;
            }
            case "event":
            {
                final Event ping = Event.attach(Paths.get(args[1]));
                final Event pong = Event.attach(Paths.get(args[2]));
                final int total = Integer.parseInt(args[3]);
                if (!args[4].equals("default"))
                {
                    ping.withIdleStrategy(IdleStrategies.named(args[4]));
                    pong.withIdleStrategy(IdleStrategies.named(args[4]));
                }
                for (int i = 0; i < total; i++)
                {
                    check(ping.await(CHILD_TIMEOUT));
                    ping.clear();
                    pong.set();
                }
                System.out.println("done");
                break;
            }
            case "barrier":
            {
                final Barrier barrier = Barrier.attach(Paths.get(args[1]));
                for (int i = 0, total = Integer.parseInt(args[2]); i < total; i++)
                {
                    barrier.await(CHILD_TIMEOUT);
                }
                System.out.println("done");
                break;
            }
            case "condition":
            {
                final Condition cond = Condition.attach(Paths.get(args[1]));
                final Value turn = Value.attach(Paths.get(args[2]));
                final int total = Integer.parseInt(args[3]);
                cond.getLock().lock();
                try
                {
                    for (int i = 0; i < total; i++)
                    {
                        while (turn.getInt() != 1)
                        {
                            check(cond.await(CHILD_TIMEOUT));
                        }
                        turn.setInt(0);
                        cond.signal();
                    }
                }
                finally
                {
                    cond.getLock().unlock();
                }
                System.out.println("done");
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    static final class Child
    {
        private final Process process;
        private final BufferedReader out;

        private Child(final Process process)
        {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Child start(final String... args) throws IOException
        {
            final List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
            {
                if (arg.startsWith("--add-") || arg.startsWith("--sun-misc") || arg.startsWith("--enable-native") ||
                    arg.startsWith("-Dmp4j.") || arg.startsWith("-Xmx"))
                {
                    command.add(arg);
                }
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(ShmWorkloads.class.getName());
            command.add("child");
            command.addAll(Arrays.asList(args));
            return new Child(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        String line() throws IOException
        {
            final String line = out.readLine();
            if (line == null)
            {
                throw new IllegalStateException("child " + process.pid() + " exited without a result");
            }
            return line;
        }

        void kill()
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The region file of a memory-mapped object, for a child to attach to. */
    private static String pathOf(final Object mapped)
    {
        return ((SharedObject)mapped).path().toString();
    }
}

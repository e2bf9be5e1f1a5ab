package io.mp4j.examples.tour;

import io.mp4j.AsyncResult;
import io.mp4j.Pool;
import io.mp4j.ProcessPoolExecutor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The seed's "Process Pool", "Pool Methods", "ProcessPoolExecutor" and "Comparing Threads vs Processes".
 */
public final class PoolSections
{
    private PoolSections()
    {
    }

    /**
     * The seed's {@code cpu_intensive(n)}.
     *
     * @param n how many terms.
     * @return the sum of i*i for i below n.
     */
    static long cpuIntensive(final int n)
    {
        long total = 0;
        for (long i = 0; i < n; i++)
        {
            total += i * i;
        }
        return total;
    }

    /**
     * The seed's {@code square(x)}.
     *
     * @param x a number.
     * @return its square.
     */
    static int square(final int x)
    {
        return x * x;
    }

    /**
     * The seed's {@code add(a, b)}.
     *
     * @param a a number.
     * @param b another.
     * @return their sum.
     */
    static int add(final int a, final int b)
    {
        return a + b;
    }

    private static List<Integer> range(final int n)
    {
        return IntStream.range(0, n).boxed().collect(Collectors.toList());
    }

    private static String seconds(final long startNanos)
    {
        return String.format("%.2fs", (System.nanoTime() - startNanos) / 1e9);
    }

    /** Process Pool. */
    public static final class ProcessPool implements Section
    {
        @Override
        public String id()
        {
            return "pool";
        }

        @Override
        public String title()
        {
            return "Process Pool";
        }

        @Override
        public String lesson()
        {
            return "a Pool of worker JVMs, reused across tasks, ran cpu_intensive in parallel; the time includes starting the JVMs.";
        }

        @Override
        public void run() throws Exception
        {
            final List<Integer> numbers = List.of(1_000_000, 1_000_000, 1_000_000, 1_000_000);

            long start = System.nanoTime();
            final List<Long> sequential = new ArrayList<>();
            for (final int n : numbers)
            {
                sequential.add(cpuIntensive(n));
            }
            System.out.println("Sequential: " + seconds(start));

            start = System.nanoTime();
            final List<Long> parallel;
            try (Pool pool = Pool.create(4))
            {
                parallel = pool.map(PoolSections::cpuIntensive, numbers);
            }
            System.out.println("Parallel: " + seconds(start));
            if (!parallel.equals(sequential))
            {
                throw new IllegalStateException("the pool computed " + parallel + ", expected " + sequential);
            }
        }
    }

    /** Pool Methods. */
    public static final class PoolMethods implements Section
    {
        @Override
        public String id()
        {
            return "pool-methods";
        }

        @Override
        public String title()
        {
            return "Pool Methods";
        }

        @Override
        public String lesson()
        {
            return "map keeps input order, starmap unpacks pairs (Map.entry), the async variants return an AsyncResult.";
        }

        @Override
        public void run() throws Exception
        {
            try (Pool pool = Pool.create(4))
            {
                System.out.println("map: " + pool.map(PoolSections::square, range(10)));

                final List<Map.Entry<Integer, Integer>> pairs = List.of(Map.entry(1, 2), Map.entry(3, 4), Map.entry(5, 6));
                System.out.println("starmap: " + pool.starmap(PoolSections::add, pairs));

                final AsyncResult<Integer> result = pool.applyAsync(PoolSections::square, 10);
                System.out.println("apply_async: " + result.get());

                final AsyncResult<List<Integer>> mapped = pool.mapAsync(PoolSections::square, range(5));
                System.out.println("map_async: " + mapped.get());
            }
        }
    }

    /** ProcessPoolExecutor. */
    public static final class Executor implements Section
    {
        /**
         * The seed's {@code compute(n)}.
         *
         * @param n how many terms.
         * @return the sum of i*i for i below n.
         */
        static long compute(final int n)
        {
            return cpuIntensive(n);
        }

        @Override
        public String id()
        {
            return "executor";
        }

        @Override
        public String title()
        {
            return "ProcessPoolExecutor";
        }

        @Override
        public String lesson()
        {
            return "a java.util.concurrent.ExecutorService over worker JVMs: submit gives a CompletableFuture, asCompleted is as_completed.";
        }

        @Override
        public void run() throws Exception
        {
            final List<Integer> numbers = List.of(1_000_000, 1_000_000, 1_000_000, 1_000_000);
            try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(4))
            {
                final List<CompletableFuture<Long>> futures = new ArrayList<>();
                for (final int n : numbers)
                {
                    futures.add(executor.submit(() -> compute(n)));
                }
                for (final Future<Long> future : ProcessPoolExecutor.asCompleted(futures))
                {
                    System.out.println("Result: " + future.get());
                }

                final List<Long> results = new ArrayList<>();
                executor.map(Executor::compute, numbers).forEachRemaining(results::add);
                System.out.println("All results: " + results);
            }
        }
    }

    /** Comparing Threads vs Processes. */
    public static final class ThreadsVsProcesses implements Section
    {
        @Override
        public String id()
        {
            return "threads-vs-processes";
        }

        @Override
        public String title()
        {
            return "Comparing Threads vs Processes";
        }

        @Override
        public String lesson()
        {
            return "Java threads have no GIL: they run CPU-bound work in parallel too; processes add isolation (own heap, crash " +
                "containment) at the price of starting JVMs.";
        }

        @Override
        public void run() throws Exception
        {
            final int n = 10_000_000;
            final int count = 4;

            long start = System.nanoTime();
            for (int i = 0; i < count; i++)
            {
                cpuIntensive(n);
            }
            System.out.println("Sequential: " + seconds(start));

            start = System.nanoTime();
            final List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final Thread t = new Thread(() -> cpuIntensive(n));
                threads.add(t);
                t.start();
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            System.out.println("Threads: " + seconds(start) + "  (no GIL in Java: threads run in parallel)");

            start = System.nanoTime();
            try (Pool pool = Pool.create(count))
            {
                pool.map(PoolSections::cpuIntensive, Collections.nCopies(count, n));
            }
            System.out.println("Processes: " + seconds(start) + "  (including starting " + count + " JVMs)");
        }
    }
}

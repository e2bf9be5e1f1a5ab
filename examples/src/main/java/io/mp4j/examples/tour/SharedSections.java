package io.mp4j.examples.tour;

import io.mp4j.Process;
import io.mp4j.queue.Connection;
import io.mp4j.queue.Pipe;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Array;
import io.mp4j.shm.Lock;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The seed's "Sharing Data with Queue", "Sharing Data with Pipe", "Shared Memory with Value and Array"
 * and "Process Synchronization", between real JVMs.
 */
public final class SharedSections
{
    /** The seed's {@code None} sentinel: mp4j queues refuse null, so the end is a value of its own. */
    static final String SENTINEL = "END";

    private SharedSections()
    {
    }

    static void producer(final Queue<Object> q, final List<Integer> items) throws InterruptedException
    {
        for (final Integer item : items)
        {
            q.put(item);
            System.out.println("Produced: " + item);
        }
        q.put(SENTINEL);
    }

    static void consumer(final Queue<Object> q) throws InterruptedException
    {
        while (true)
        {
            final Object item = q.get();
            if (SENTINEL.equals(item))
            {
                break;
            }
            System.out.println("Consumed: " + item);
        }
    }

    static void sender(final Connection conn) throws InterruptedException
    {
        conn.send("Hello from sender");
        conn.send(new ArrayList<>(List.of(1, 2, 3)));
        final Object response = conn.recv();
        System.out.println("Sender received: " + response);
        conn.close();
    }

    static void receiver(final Connection conn) throws InterruptedException
    {
        final Object msg = conn.recv();
        System.out.println("Receiver got: " + msg);
        final Object data = conn.recv();
        System.out.println("Receiver got: " + data);
        conn.send("Thanks!");
        conn.close();
    }

    static void increment(final Value counter)
    {
        for (int i = 0; i < 10_000; i++)
        {
            try (SharedLock.Held held = counter.getLock().locked())
            {
                counter.setInt(counter.getInt() + 1);
            }
        }
    }

    static void modifyArray(final Array arr)
    {
        for (int i = 0; i < arr.length(); i++)
        {
            arr.setDouble(i, arr.getDouble(i) * 2);
        }
    }

    static void safeIncrement(final Value counter, final Lock lock)
    {
        for (int i = 0; i < 10_000; i++)
        {
            try (SharedLock.Held held = lock.locked())
            {
                counter.setInt(counter.getInt() + 1);
            }
        }
    }

    static void startAndJoin(final List<Process> processes) throws InterruptedException
    {
        for (final Process p : processes)
        {
            p.start();
        }
        for (final Process p : processes)
        {
            p.join();
        }
    }

    /** Sharing Data with Queue. */
    public static final class QueueSection implements Section
    {
        @Override
        public String id()
        {
            return "queue";
        }

        @Override
        public String title()
        {
            return "Sharing Data with Queue";
        }

        @Override
        public String lesson()
        {
            return "a producer JVM and a consumer JVM exchanged items through an mp4j Queue in shared memory.";
        }

        @Override
        public void run() throws Exception
        {
            final Queue<Object> q = Queue.create();
            final List<Integer> items = List.of(0, 1, 2, 3, 4);
            final Process p1 = Process.of(SharedSections::producer, q, items);
            final Process p2 = Process.of(SharedSections::consumer, q);
            startAndJoin(List.of(p1, p2));
            q.close();
        }
    }

    /** Sharing Data with Pipe. */
    public static final class PipeSection implements Section
    {
        @Override
        public String id()
        {
            return "pipe";
        }

        @Override
        public String title()
        {
            return "Sharing Data with Pipe";
        }

        @Override
        public String lesson()
        {
            return "two JVMs talked both ways over the two ends of one Pipe.";
        }

        @Override
        public void run() throws Exception
        {
            final Pipe pipe = Pipe.create();
            final Connection parentConn = pipe.first();
            final Connection childConn = pipe.second();
            final Process p1 = Process.of(SharedSections::sender, parentConn);
            final Process p2 = Process.of(SharedSections::receiver, childConn);
            startAndJoin(List.of(p1, p2));
        }
    }

    /** Shared Memory with Value and Array. */
    public static final class ValueArraySection implements Section
    {
        @Override
        public String id()
        {
            return "value-array";
        }

        @Override
        public String title()
        {
            return "Shared Memory with Value and Array";
        }

        @Override
        public String lesson()
        {
            return "four JVMs added 10,000 each to one mapped int under its lock (no update lost), and a child doubled a mapped double array.";
        }

        @Override
        public void run() throws Exception
        {
            final Value counter = Value.create("i", 0);
            final List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                processes.add(Process.of(SharedSections::increment, counter));
            }
            startAndJoin(processes);
            System.out.println("Counter: " + counter.getInt());

            final Array arr = Array.create("d", 4);
            arr.copyFrom(0, new double[]{ 1.0, 2.0, 3.0, 4.0 }, 0, 4);
            final Process p = Process.of(SharedSections::modifyArray, arr);
            startAndJoin(List.of(p));
            System.out.println("Array: " + Arrays.toString(arr.toDoubleArray()));
        }
    }

    /** Process Synchronization. */
    public static final class SyncSection implements Section
    {
        @Override
        public String id()
        {
            return "sync";
        }

        @Override
        public String title()
        {
            return "Process Synchronization";
        }

        @Override
        public String lesson()
        {
            return "a Lock in shared memory made four JVMs' read-modify-write updates exclusive: exactly 40000.";
        }

        @Override
        public void run() throws Exception
        {
            final Lock lock = Lock.create();
            final Value counter = Value.create("i", 0);
            final List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                processes.add(Process.of(SharedSections::safeIncrement, counter, lock));
            }
            startAndJoin(processes);
            System.out.println("Counter: " + counter.getInt());
        }
    }
}

package io.mp4j.queue;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Main class of the child JVMs of the durable queue tests. The first argument is the mode.
 */
public final class DurableChild
{
    private DurableChild()
    {
    }

    /**
     * @param args mode and its arguments.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final DurableQueue<Long> q = DurableQueue.open(Paths.get(args[1]));
        switch (args[0])
        {
            case "put-and-hang":
            {
                // put-and-hang <dir> <count>: append 0..count-1, then wait to be killed
                final int count = Integer.parseInt(args[2]);
                for (long i = 0; i < count; i++)
                {
                    q.put(i);
                }
                System.out.println("put " + count);
                new CountDownLatch(1).await();
                break;
            }
            case "take":
            {
                // take <dir> <n>: claim n messages, print them
                final int n = Integer.parseInt(args[2]);
                final StringBuilder sb = new StringBuilder("took");
                for (int i = 0; i < n; i++)
                {
                    sb.append(' ').append(q.take(Duration.ofSeconds(30)));
                }
                System.out.println(sb);
                break;
            }
            case "take-all":
            {
                // take-all <dir> <out>: claim until -1, write the values
                int n = 0;
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Paths.get(args[2])))))
                {
                    System.out.println("ready");
                    while (true)
                    {
                        final Long v = q.take(Duration.ofSeconds(60));
                        if (v == null)
                        {
                            throw new IllegalStateException("no sentinel within 60 s");
                        }
                        if (v == -1L)
                        {
                            break;
                        }
                        out.writeLong(v);
                        n++;
                    }
                }
                System.out.println("done " + n);
                break;
            }
            case "subscribe":
            {
                // subscribe <dir> <name> <n>: read n messages as a named subscriber
                final int n = Integer.parseInt(args[3]);
                final StringBuilder sb = new StringBuilder("saw");
                try (DurableQueue.Subscriber<Long> s = q.subscribe(args[2]))
                {
                    for (int i = 0; i < n; i++)
                    {
                        sb.append(' ').append(s.poll(Duration.ofSeconds(30)));
                    }
                }
                System.out.println(sb);
                break;
            }
            case "exercise":
            {
                // exercise <dir>: use every feature once (for the no-phone-home test)
                q.put(1L);
                q.take(Duration.ofSeconds(10));
                try (DurableQueue.Subscriber<Long> s = q.subscribe("probe"))
                {
                    s.poll(Duration.ofSeconds(10));
                }
                System.out.println("ok " + System.getProperty("chronicle.analytics.disable"));
                break;
            }
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        q.close();
        System.out.flush();
    }
}

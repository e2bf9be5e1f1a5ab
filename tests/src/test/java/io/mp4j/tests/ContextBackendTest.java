package io.mp4j.tests;

import io.mp4j.Context;
import io.mp4j.Process;
import io.mp4j.queue.Queue;
import io.mp4j.shm.Array;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Lock;
import io.mp4j.shm.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend-neutral factories of {@link Context} on the default (memory-mapped) backend, across real child JVMs.
 */
@ExtendWith(NoLeaks.class)
class ContextBackendTest
{
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final Context ctx = Context.create();

    @AfterEach
    void close()
    {
        ctx.close();
    }

    static void incrementUnderLock(final Value counter, final Lock lock)
    {
        for (int i = 0; i < 10_000; i++)
        {
            lock.lock();
            try
            {
                counter.set(counter.get() + 1);
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    static void fill(final Map<Integer, Integer> dict, final Integer key)
    {
        dict.put(key, key * key);
    }

    static void produce(final Queue<Integer> queue, final Integer count) throws InterruptedException
    {
        for (int i = 0; i < count; i++)
        {
            queue.put(i);
        }
    }

    @Test
    void theSeedCounterThroughTheContextFactories() throws Exception
    {
        final Value counter = ctx.value("counter", ElementType.LONG, 0L);
        final Lock lock = ctx.lock("counter-lock");
        final List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final Process p = Process.of(ContextBackendTest::incrementUnderLock, counter, lock).context(ctx);
            p.start();
            workers.add(p);
        }
        for (final Process p : workers)
        {
            assertTrue(p.join(BOUND), "worker did not finish");
            assertEquals(0, p.exitCode().getAsInt());
        }
        assertEquals(40_000L, counter.get());
    }

    @Test
    void namedObjectsAreGetOrCreate() throws Exception
    {
        final Value first = ctx.value("v", ElementType.LONG, 5L);
        final Value second = ctx.value("v", ElementType.LONG, 99L);
        assertEquals(5L, second.get(), "the creator's initial value wins");
        second.set(7L);
        assertEquals(7L, first.get());

        final Lock a = ctx.lock("l");
        final Lock b = ctx.lock("l");
        a.lock();
        try
        {
            final boolean taken = CompletableFuture.supplyAsync(b::tryLock).get(30, TimeUnit.SECONDS);
            assertFalse(taken, "the second handle names the same lock");
        }
        finally
        {
            a.unlock();
        }
    }

    @Test
    void aNameOfAnotherKindIsRefusedWithItsName()
    {
        ctx.semaphore("s", 1);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ctx.boundedSemaphore("s", 1));
        assertTrue(ex.getMessage().contains("s"), ex.getMessage());
        ctx.event("e");
        assertThrows(RuntimeException.class, () -> ctx.lock("e"));
    }

    @Test
    void anotherElementTypeLengthOrPartyCountIsRefusedWithBoth()
    {
        final Value v = ctx.value("v", ElementType.LONG, 1L);
        assertEquals("v exists as a LONG value, asked for INT",
            assertThrows(IllegalStateException.class, () -> ctx.value("v", ElementType.INT, 5)).getMessage());
        final Array a = ctx.array("a", ElementType.DOUBLE, 4);
        assertEquals("a exists as a DOUBLE array of 4, asked for DOUBLE of 5",
            assertThrows(IllegalStateException.class, () -> ctx.array("a", ElementType.DOUBLE, 5)).getMessage());
        assertEquals("a exists as a DOUBLE array of 4, asked for LONG of 4",
            assertThrows(IllegalStateException.class, () -> ctx.array("a", ElementType.LONG, 4)).getMessage());
        final Barrier b = ctx.barrier("b", 2);
        assertEquals("b exists as a barrier of 2 parties, asked for 3",
            assertThrows(IllegalStateException.class, () -> ctx.barrier("b", 3)).getMessage());
        // the refused callers gave back their handles: the first ones still work
        v.set(2L);
        assertEquals(2L, ctx.value("v", ElementType.LONG, 0L).get());
        a.setDouble(3, 1.5);
        assertEquals(1.5, ctx.array("a", ElementType.DOUBLE, 4).getDouble(3));
        assertEquals(2, b.parties());
    }

    @Test
    void aDictFilledFromChildrenAndAQueueFedByOne() throws Exception
    {
        final Map<Integer, Integer> dict = ctx.dict("squares");
        final List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final Process p = Process.of(ContextBackendTest::fill, dict, i).context(ctx);
            p.start();
            workers.add(p);
        }
        for (final Process p : workers)
        {
            assertTrue(p.join(BOUND), "worker did not finish");
            assertEquals(0, p.exitCode().getAsInt());
        }
        assertEquals(Map.of(0, 0, 1, 1, 2, 4, 3, 9), Map.copyOf(ctx.<Integer, Integer>dict("squares")));

        final Queue<Integer> queue = ctx.queue("numbers");
        final Process producer = Process.of(ContextBackendTest::produce, queue, 1000).context(ctx);
        producer.start();
        long sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            sum += queue.get(BOUND);
        }
        assertTrue(producer.join(BOUND));
        assertEquals(999L * 1000 / 2, sum);
    }

    @Test
    void theDefaultBackendIsTheMappedOne()
    {
        assertEquals("mapped", ctx.backend().name());
    }

    @Test
    void closeRemovesTheDirectoryEvenWhenTheBackendFailsToClose()
    {
        final io.mp4j.Backend failing = (io.mp4j.Backend)java.lang.reflect.Proxy.newProxyInstance(
            ContextBackendTest.class.getClassLoader(), new Class<?>[]{ io.mp4j.Backend.class }, (proxy, method, args) ->
            {
                if ("close".equals(method.getName()))
                {
                    throw new IllegalStateException("backend close failed");
                }
                throw new UnsupportedOperationException(method.getName());
            });
        final Context context = Context.create(failing);
        final java.nio.file.Path dir = context.directory().path();
        assertTrue(java.nio.file.Files.isDirectory(dir));
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, context::close);
        assertEquals("backend close failed", thrown.getMessage());
        // before the fix the exception skipped the rest of close() and the directory stayed behind for good
        assertFalse(java.nio.file.Files.exists(dir), "the context left its directory " + dir);
        context.close();   // idempotent: nothing more to do, no exception
    }
}

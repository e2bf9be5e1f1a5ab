package io.mp4j.shm;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventTest
{
    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

    @Test
    void setClearWait() throws Exception
    {
        final MappedEvent event = MappedEvent.create(dir, "e");
        assertFalse(event.isSet());
        assertFalse(event.await(Duration.ofMillis(5)));
        assertFalse(event.await(0, TimeUnit.MILLISECONDS));
        final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return Event.attach(event.path()).withIdleStrategy(BusySpinIdleStrategy::new).await(Duration.ofSeconds(30));
            }
            catch (final InterruptedException ex)
            {
                return false;
            }
        });
        event.set();
        assertTrue(waiter.get(30, TimeUnit.SECONDS));
        assertTrue(event.isSet());
        assertTrue(event.await(Duration.ZERO));
        event.clear();
        assertFalse(event.isSet());
    }

    @Test
    void pingPongManyRoundsNeverWakesSpuriously() throws Exception
    {
        final MappedEvent ping = MappedEvent.create(dir, "ping");
        final MappedEvent pong = MappedEvent.create(dir, "pong");
        final int rounds = 5_000;
        final CompletableFuture<Integer> child = CompletableFuture.supplyAsync(() ->
        {
            int done = 0;
            try
            {
                for (int i = 0; i < rounds; i++)
                {
                    if (!ping.await(Duration.ofSeconds(30)))
                    {
                        return -done;
                    }
                    ping.clear();
                    pong.set();
                    done++;
                }
            }
            catch (final InterruptedException ex)
            {
                return -1;
            }
            return done;
        });
        for (int i = 0; i < rounds; i++)
        {
            ping.set();
            assertTrue(pong.await(Duration.ofSeconds(30)), "round " + i);
            pong.clear();
        }
        assertTrue(rounds == child.get(30, TimeUnit.SECONDS));
        assertFalse(ping.isSet());
    }

    /**
     * Event's Javadoc: a waiter returns true if the event was set while it waited, even if it was cleared
     * again before the waiter looked (the set counter moved). The set and clear are made by another thread
     * from inside the waiter's first idle, so they fall between two of its looks at the state.
     */
    @Test
    void aWaiterReturnsTrueForASetAndClearMadeWhileItWaited() throws Exception
    {
        final MappedEvent event = MappedEvent.create(dir, "e");
        final AtomicInteger idles = new AtomicInteger();
        final IdleStrategy setAndClearOnFirstIdle = new IdleStrategy()
        {
            @Override
            public void idle(final int workCount)
            {
                idle();
            }

            @Override
            public void idle()
            {
                if (idles.getAndIncrement() == 0)
                {
                    try
                    {
                        CompletableFuture.runAsync(() ->
                        {
                            event.set();
                            event.clear();
                        }).get(30, TimeUnit.SECONDS);
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                }
                else
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));   // only reached if the set was missed
                }
            }

            @Override
            public void reset()
            {
            }
        };
        final Event waiter = Event.attach(event.path()).withIdleStrategy(() -> setAndClearOnFirstIdle);
        assertTrue(waiter.await(Duration.ofSeconds(30)), "the set while it waited was missed");
        assertEquals(1, idles.get(), "the waiter should return at its next look after the set and clear");
        assertFalse(event.isSet());
    }

    @Test
    void interruptedWaiterThrows()
    {
        final MappedEvent event = MappedEvent.create(dir, "e");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, event::await);
    }

    @Test
    void idleStrategyNames()
    {
        for (final String name : new String[] {"backoff", "spin", "yield", "sleep", "noop"})
        {
            IdleStrategies.named(name).get().idle();
        }
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.named("nap"));
        IdleStrategies.setForDirectory(dir, BusySpinIdleStrategy::new);
        assertTrue(IdleStrategies.forRegion(dir.resolve("x")).get() instanceof BusySpinIdleStrategy);
        IdleStrategies.setForDirectory(dir, null);
    }
}

package io.mp4j.shm;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventTest
{
    RuntimeDirectory dir;

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown()
    {
        if (dir != null)
        {
            dir.close();
        }
    }

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

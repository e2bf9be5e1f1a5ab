package io.mp4j.shm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Making and attaching objects is not a blocking call: a thread with a pending interrupt does it as any
 * other, and keeps its interrupt (a FileChannel used by an interrupted thread would close and fail).
 */
class InterruptPendingTest
{
    @AfterEach
    void clearInterrupt()
    {
        Thread.interrupted();
    }

    @Test
    void anInterruptedThreadCreatesAndAttachesAndKeepsItsInterrupt()
    {
        Thread.currentThread().interrupt();
        try (RuntimeDirectory dir = RuntimeDirectory.create())
        {
            final Lock created = Lock.create(dir, "l");
            final Lock attached = Lock.attach(dir, "l");
            final Value value = Value.create(dir, "v", ElementType.LONG, 5L);
            assertEquals(5L, Value.attach(dir, "v").get());
            assertTrue(created.acquire(Duration.ZERO));
            assertFalse(attached.acquire(Duration.ZERO), "one lock, two handles");
            created.release();
            value.close();
            attached.close();
            created.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
        }
        assertTrue(Thread.interrupted(), "the interrupt is kept through the directory's close");
    }
}

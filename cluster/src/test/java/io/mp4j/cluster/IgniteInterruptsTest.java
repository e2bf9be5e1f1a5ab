package io.mp4j.cluster;

import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteInterruptedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.cache.CacheException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every form in which Ignite reports an interrupt becomes an {@code InterruptedException}; anything else comes out
 * as it was.
 */
final class IgniteInterruptsTest
{
    @AfterEach
    void clearInterrupt()
    {
        Thread.interrupted();
    }

    @Test
    void bareAndCacheWrappedIgniteInterruptsAreInterrupts()
    {
        final IgniteInterruptedException bare = new IgniteInterruptedException("interrupted");
        assertTrue(IgniteInterrupts.isInterrupt(bare));
        assertTrue(IgniteInterrupts.isInterrupt(new CacheException(bare)));
        assertTrue(IgniteInterrupts.isInterrupt(new IgniteException(new CacheException(bare))));
        assertFalse(IgniteInterrupts.isInterrupt(new CacheException("timed out")));
        assertFalse(IgniteInterrupts.isInterrupt(new IllegalStateException("closed")));
    }

    @Test
    void aWrappedInterruptBecomesInterruptedExceptionWithTheStatusCleared()
    {
        final CacheException wrapped = new CacheException(new IgniteInterruptedException("interrupted"));
        Thread.currentThread().interrupt();
        final InterruptedException ex = IgniteInterrupts.interrupted(wrapped, "interrupted waiting for q");
        assertSame(wrapped, ex.getCause());
        assertTrue(ex.getMessage().contains("waiting for q"));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void anythingElseIsRethrownAsItWas()
    {
        final CacheException other = new CacheException("node left");
        Thread.currentThread().interrupt();
        assertSame(other, assertThrows(CacheException.class, () -> IgniteInterrupts.interrupted(other, "x")));
        assertTrue(Thread.currentThread().isInterrupted(), "a foreign exception leaves the interrupt status alone");
    }
}

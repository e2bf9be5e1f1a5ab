package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Processes killed between two stores of a multi-store update of a semaphore or a condition: a child JVM
 * halts at a named crash point ({@link CrashPoints}), and what it left half-written must be recovered, never
 * leaked (a permit, a holder slot, a waiter slot). Every child is killed by pid at the end, pass or fail.
 */
class CrashWindowTest
{
    /** Generous: recovery takes a liveness interval; a leak shows as a timeout. */
    private static final Duration LONG = Duration.ofSeconds(60);

    private RuntimeDirectory dir;
    private final List<java.lang.Process> children = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void tearDown() throws InterruptedException
    {
        for (final java.lang.Process child : children)
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        dir.close();
        assertFalse(Files.exists(dir.path()), "runtime directory left behind");
    }

    private java.lang.Process start(final String crashPoint, final String... args) throws IOException
    {
        return start(crashPoint, List.of(), args);
    }

    private java.lang.Process start(final String crashPoint, final List<String> flags, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dmp4j."))
            {
                command.add(arg);
            }
        }
        command.add("-Xmx64m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-D" + CrashPoints.PROPERTY + "=" + crashPoint);
        command.addAll(flags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashChild.class.getName());
        command.addAll(List.of(args));
        final java.lang.Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(child);
        return child;
    }

    /** Run a child to its crash point and check that it halted there (not before, not after). */
    private void crashAt(final String crashPoint, final String... args) throws Exception
    {
        final java.lang.Process child = start(crashPoint, args);
        assertTrue(child.waitFor(LONG.toNanos(), TimeUnit.NANOSECONDS), "child did not reach " + crashPoint);
        final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(CrashPoints.EXIT_STATUS, child.exitValue(), "child did not halt at " + crashPoint + "; printed: " + out);
    }

    private static MappedBoundedSemaphore bounded(final RuntimeDirectory dir, final String name, final long value, final int slots)
    {
        return SharedObjects.register(new MappedBoundedSemaphore(
            MappedSemaphore.make(dir.resolve(name), MappedSemaphore.VARIANT_BOUNDED, value, value, slots)));
    }

    private static long untracked(final MappedSemaphore semaphore)
    {
        return semaphore.region.buffer().getLongVolatile(MappedSemaphore.UNTRACKED_OFFSET);
    }

    @Test
    void aPermitTakenByAProcessKilledBeforeItRecordedItselfAsHolderIsRecovered() throws Exception
    {
        final MappedBoundedSemaphore semaphore = bounded(dir, "s", 1, 4);
        crashAt("semaphore.acquire", "acquire", semaphore.path().toString());
        assertTrue(semaphore.acquire(LONG), "the permit the dead child took was leaked");
        assertEquals(1, semaphore.reclaimedPermits());
        semaphore.release();
        assertEquals(1, semaphore.getValue());
    }

    @Test
    void aHolderSlotHalfClaimedByAProcessKilledInBetweenIsReclaimed() throws Exception
    {
        final MappedBoundedSemaphore semaphore = bounded(dir, "s", 1, 1);
        crashAt("semaphore.claim", "acquire", semaphore.path().toString());
        assertTrue(semaphore.acquire(LONG), "the permit was leaked");
        assertEquals(0, untracked(semaphore), "the only holder slot was leaked: this acquisition went untracked");
        semaphore.release();
        assertEquals(1, semaphore.getValue());
        assertHolderSlotsWhole(semaphore, 1);
    }

    @Test
    void permitsReleasedByAProcessKilledHalfwayThroughTheReleaseAreNotLeaked() throws Exception
    {
        final MappedBoundedSemaphore semaphore = bounded(dir, "s", 1, 4);
        crashAt("semaphore.release", "acquire-release", semaphore.path().toString());
        assertTrue(semaphore.acquire(LONG), "the permit being released was leaked");
        semaphore.release();
        assertEquals(1, semaphore.getValue());
    }

    @Test
    void aReclaimerKilledHalfwayThroughReclaimingADeadHolderLeaksNothing() throws Exception
    {
        final MappedBoundedSemaphore semaphore = bounded(dir, "s", 1, 4);
        final java.lang.Process holder = start("none", "hold", semaphore.path().toString());
        final BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("held", out.readLine());
        holder.destroyForcibly();
        assertTrue(holder.waitFor(LONG.toNanos(), TimeUnit.NANOSECONDS));
        crashAt("semaphore.reclaim", "reclaim", semaphore.path().toString());
        assertTrue(semaphore.acquire(LONG), "the dead holder's permit was lost by its dead reclaimer");
        semaphore.release();
        assertEquals(1, semaphore.getValue());
        assertHolderSlotsWhole(semaphore, 4);
    }

    /** No slot is left with an owner but no start time, or in a transient state. */
    private static void assertHolderSlotsWhole(final MappedSemaphore semaphore, final int slots)
    {
        final AtomicBuffer buffer = semaphore.region.buffer();
        for (int i = 0; i < slots; i++)
        {
            final int slot = semaphore.slotsOffset() + i * MappedSemaphore.SLOT_LENGTH;
            final long pid = buffer.getLongVolatile(slot + MappedSemaphore.SLOT_PID_OFFSET);
            assertTrue(pid >= 0, "slot " + i + " stuck in pid " + pid);
            if (pid != 0)
            {
                assertNotEquals(0, buffer.getLongVolatile(slot + MappedSemaphore.SLOT_START_TIME_OFFSET), "slot " + i + " half claimed");
            }
        }
    }

    @Test
    void aWaiterSlotHalfClaimedByAProcessKilledInBetweenIsReused() throws Exception
    {
        final MappedCondition condition = MappedCondition.create(dir, "c", MappedLock.create(dir, "l"), 1);
        crashAt("condition.claim", "cond-wait", condition.path().toString(), "60000");
        try (SharedLock.Held held = condition.locked())   // recovers the lock the child died holding
        {
            assertFalse(condition.await(Duration.ofMillis(1)), "the only waiter slot was leaked");
        }
    }

    @Test
    void aWaiterSlotOfAProcessKilledWhileLeavingIsReused() throws Exception
    {
        final MappedCondition condition = MappedCondition.create(dir, "c", MappedLock.create(dir, "l"), 1);
        crashAt("condition.leave", "cond-wait", condition.path().toString(), "1");
        try (SharedLock.Held held = condition.locked())
        {
            assertFalse(condition.await(Duration.ofMillis(1)), "the only waiter slot was leaked");
        }
    }

    @Test
    void anInterruptedWaiterSignalledJustBeforeItCancelsHandsTheSignalOn(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path pauses)
        throws Exception
    {
        final MappedCondition condition = MappedCondition.create(dir, "c", MappedLock.create(dir, "l"), 4);
        final String point = "condition.interruptedBeforeCancel";
        // waiter A, in a child: interrupted, then paused after it looked for a signal and before it cancels its slot
        final java.lang.Process a = start("none", List.of("-D" + CrashPoints.PAUSE_PROPERTY + "=" + point,
            "-D" + CrashPoints.PAUSE_DIR_PROPERTY + "=" + pauses), "cond-wait-interrupted", condition.path().toString());
        final BufferedReader aOut = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("waiting", aOut.readLine());
        // waiter B, here, after A: its ticket is younger, so a signal(1) goes to A
        final java.util.concurrent.CompletableFuture<Boolean> b = new java.util.concurrent.CompletableFuture<>();
        final Thread bThread = new Thread(() ->
        {
            try (SharedLock.Held held = condition.locked())
            {
                b.complete(condition.await(Duration.ofSeconds(30)));
            }
            catch (final Throwable ex)
            {
                b.completeExceptionally(ex);
            }
        }, "waiter-b");
        bThread.start();
        final long deadline = System.nanoTime() + LONG.toNanos();
        while (condition.waiters() != 2)
        {
            assertTrue(System.nanoTime() - deadline < 0 && a.isAlive(), "the two waiters never waited");
            Thread.yield();
        }
        a.getOutputStream().write('\n');
        a.getOutputStream().flush();
        while (!Files.exists(pauses.resolve(point + ".reached")))
        {
            assertTrue(System.nanoTime() - deadline < 0 && a.isAlive(), "the interrupted waiter never reached " + point);
            Thread.yield();
        }
        try (SharedLock.Held held = condition.locked())
        {
            assertEquals(1, condition.signal(1), "the signal goes to A, whose slot still says WAITING");
        }
        Files.createFile(pauses.resolve(point + ".go"));
        assertEquals("interrupted", aOut.readLine(), "A throws InterruptedException");
        assertTrue(b.get(60, TimeUnit.SECONDS), "the signal A could not take up was handed on to B");
        bThread.join(TimeUnit.SECONDS.toMillis(30));
    }

    @Test
    void aSignalOfADeadWaiterIsNotLostWhenItsJudgeIsKilledHandingItOn() throws Exception
    {
        final MappedCondition condition = MappedCondition.create(dir, "c", MappedLock.create(dir, "l"), 4);
        // the live waiter never judges anyone itself within the test: only the killed judge hands the signal on
        final java.lang.Process waiter = start("none", List.of("-D" + OwnerWord.LIVENESS_PROPERTY + "=600000"),
            "cond-wait", condition.path().toString(), "60000");
        final long deadline = System.nanoTime() + LONG.toNanos();
        while (condition.waiters() != 1)
        {
            assertTrue(System.nanoTime() - deadline < 0 && waiter.isAlive(), "the waiter never waited");
            Thread.yield();
        }
        // a dead process's waiter slot holding a signal it never took up, given while the live waiter waited
        final AtomicBuffer buffer = condition.region.buffer();
        int forged = -1;
        for (int i = 0; i < 4 && forged < 0; i++)
        {
            final int slot = MappedCondition.SLOTS_OFFSET + i * MappedCondition.SLOT_LENGTH;
            if (buffer.getIntVolatile(slot + MappedCondition.SLOT_STATE_OFFSET) == MappedCondition.FREE)
            {
                forged = slot;
            }
        }
        buffer.putLong(forged + MappedCondition.SLOT_TICKET_OFFSET, 0);
        buffer.putLong(forged + MappedCondition.SLOT_START_TIME_OFFSET, 1);
        buffer.putLong(forged + MappedCondition.SLOT_PID_OFFSET, LockTest.DEAD_PID);
        buffer.putLong(forged + MappedCondition.SLOT_SIGNAL_TIME_OFFSET, System.nanoTime() - TimeUnit.SECONDS.toNanos(10));
        buffer.putLong(forged + MappedCondition.SLOT_SIGNAL_SEQUENCE_OFFSET, buffer.getLong(MappedCondition.SEQUENCE_OFFSET));
        buffer.putIntVolatile(forged + MappedCondition.SLOT_STATE_OFFSET, MappedCondition.SIGNALLED);

        crashAt("condition.handOn", "cond-signal", condition.path().toString(), "0");
        condition.getLock().lock();   // recovers the lock the judge died holding, for the waiter (which never judges)
        final int left = buffer.getIntVolatile(forged + MappedCondition.SLOT_STATE_OFFSET);
        condition.getLock().unlock();
        final BufferedReader out = new BufferedReader(new InputStreamReader(waiter.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("woken", out.readLine(), "the dead waiter's signal was lost with its judge");
        assertEquals(MappedCondition.SIGNALLED, left, "the judge died after handing the signal on, before freeing the slot");
        try (SharedLock.Held held = condition.locked())
        {
            condition.signal(0);   // judges the dead slot again: hands the signal on (to no one now) and frees it
        }
        assertEquals(MappedCondition.FREE, buffer.getIntVolatile(forged + MappedCondition.SLOT_STATE_OFFSET));
    }
}

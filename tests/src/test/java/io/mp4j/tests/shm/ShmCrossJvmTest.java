package io.mp4j.tests.shm;

import io.mp4j.shm.Array;
import io.mp4j.shm.Await;
import io.mp4j.shm.Barrier;
import io.mp4j.shm.BoundedSemaphore;
import io.mp4j.shm.Condition;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.Event;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shm primitives across real JVMs: children started with {@link ChildJvms}, killed by pid at the end.
 */
@ExtendWith(NoLeaks.class)
class ShmCrossJvmTest
{
    static final Duration LONG = Duration.ofSeconds(120);

    RuntimeDirectory dir;
    ChildJvms children;

    @BeforeEach
    void setUp()
    {
        dir = RuntimeDirectory.create();
        children = new ChildJvms();
    }

    @AfterEach
    void tearDown()
    {
        children.close();
        dir.close();
        assertFalse(Files.exists(dir.path()), "runtime directory left behind");
    }

    static String serialize(final Object object) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(object);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @Test
    void fourChildrenTimesTenThousandLockedIncrements() throws Exception
    {
        final Value counter = Value.create(dir, "counter", "i", 0);
        final List<ChildJvms.Child> started = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            started.add(children.start("increment", ChildJvms.pathOf(counter), "10000"));
        }
        for (final ChildJvms.Child child : started)
        {
            child.expect("done", LONG);
            assertEquals(0, child.awaitExit(LONG));
        }
        assertEquals(40_000, counter.getInt());
    }

    @Test
    void valuePassedAsSerializedHandleIsReattachedInTheChild() throws Exception
    {
        final Value counter = Value.create(dir, "counter", "i", 0);
        final String handle = serialize(counter);
        final ChildJvms.Child a = children.start("increment-handle", handle, "1000");
        final ChildJvms.Child b = children.start("increment-handle", handle, "1000");
        a.expect("done", LONG);
        b.expect("done", LONG);
        assertEquals(2000, counter.getInt());
    }

    @Test
    void childDoublesTheArray() throws Exception
    {
        final Array array = Array.create(dir, "a", ElementType.INT, 10);
        for (int i = 0; i < 10; i++)
        {
            array.setInt(i, i);
        }
        children.start("double", ChildJvms.pathOf(array)).expect("done", LONG);
        assertArrayEquals(new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18}, array.toIntArray());
    }

    @Test
    void twoIndependentlyStartedProgramsShareANamedCounter() throws Exception
    {
        final String name = "shm-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (RuntimeDirectory named = RuntimeDirectory.openNamed(name))
        {
            final ChildJvms.Child a = children.start("named-increment", name, "5000");
            final ChildJvms.Child b = children.start("named-increment", name, "5000");
            a.expect("done", LONG);
            b.expect("done", LONG);
            assertEquals(10_000, Value.attach(named.resolve("counter")).getLong());
        }
    }

    @Test
    void jvmsRacingToOpenADeadOwnersNamedDirectoryGiveExactlyOneOwner() throws Exception
    {
        final int names = 100;
        final int racers = 3;
        final String prefix = "race-";
        final Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(LONG.toSeconds(), TimeUnit.SECONDS));
        final Barrier start = Barrier.create(dir, "start", racers);
        // a base of our own, so that the sweeps of the racers meet only these directories
        final Path base = Files.createTempDirectory(RuntimeDirectory.defaultBase(), "mp4j-race-base");
        try
        {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
            final List<ChildJvms.Child> started = new ArrayList<>();
            for (int i = 0; i < racers; i++)
            {
                // the first racer makes each directory as its dead owner left it, before the round starts
                started.add(children.start("named-race", base.toString(), prefix, Integer.toString(names),
                    ChildJvms.pathOf(start), i == 0 ? Long.toString(dead.pid()) : "-"));
            }
            final Map<Integer, List<String>> outcomes = new TreeMap<>();
            for (final ChildJvms.Child racer : started)
            {
                for (int k = 0; k < names; k++)
                {
                    final String line = racer.nextLine(LONG);
                    assertTrue(line.startsWith(k + " "), line);
                    outcomes.computeIfAbsent(k, key -> new ArrayList<>()).add(line.substring(line.indexOf(' ') + 1));
                }
                racer.expect("opened", LONG);
            }
            for (final Map.Entry<Integer, List<String>> outcome : outcomes.entrySet())
            {
                final List<String> seen = outcome.getValue();
                assertEquals(1, seen.stream().filter("owner"::equals).count(), prefix + outcome.getKey() + ": " + seen);
                assertEquals(racers - 1, seen.stream().filter("joined"::equals).count(), prefix + outcome.getKey() + ": " + seen);
            }
            for (final ChildJvms.Child racer : started)
            {
                say(racer, "close");
                racer.expect("closed", LONG);
                assertEquals(0, racer.awaitExit(LONG));
            }
            try (DirectoryStream<Path> left = Files.newDirectoryStream(base))
            {
                final List<Path> paths = new ArrayList<>();
                left.forEach(paths::add);
                assertEquals(List.of(), paths, "left in the base");
            }
        }
        finally
        {
            children.close();
            deleteTree(base);
        }
    }

    private static void say(final ChildJvms.Child child, final String line) throws Exception
    {
        child.process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        child.process.getOutputStream().flush();
    }

    private static void deleteTree(final Path root) throws Exception
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (var walk = Files.walk(root))
        {
            for (final Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    void eventPingPong() throws Exception
    {
        final Event ping = Event.create(dir, "ping");
        final Event pong = Event.create(dir, "pong");
        final ChildJvms.Child child = children.start("event-pong", ChildJvms.pathOf(ping), ChildJvms.pathOf(pong));
        assertFalse(pong.await(Duration.ofMillis(1)));
        ping.set();
        assertTrue(pong.await(LONG));
        child.expect("ponged", LONG);
    }

    @Test
    void lockOfAKilledHolderIsRecovered() throws Exception
    {
        final Lock lock = Lock.create(dir, "lock");
        final ChildJvms.Child holder = children.start("hold", "lock", ChildJvms.pathOf(lock));
        holder.expect("held", LONG);
        assertEquals(holder.pid(), lock.ownerPid());
        assertFalse(lock.tryLock());
        holder.kill();
        assertTrue(lock.tryLock(LONG.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(lock.previousOwnerDied());
        assertEquals(1, lock.recoveries());
        lock.unlock();
    }

    @Test
    void rlockOfAKilledHolderIsRecovered() throws Exception
    {
        final RLock lock = RLock.create(dir, "rlock");
        final ChildJvms.Child holder = children.start("hold", "rlock", ChildJvms.pathOf(lock));
        holder.expect("held", LONG);
        holder.kill();
        assertTrue(lock.acquire(LONG));
        assertTrue(lock.previousOwnerDied());
        assertEquals(1, lock.getHoldCount());
        lock.release();
        assertFalse(lock.isLocked());
    }

    @Test
    void semaphorePermitOfAKilledHolderIsReclaimed() throws Exception
    {
        final BoundedSemaphore sem = BoundedSemaphore.create(dir, "sem", 1);
        final ChildJvms.Child holder = children.start("hold", "semaphore", ChildJvms.pathOf(sem));
        holder.expect("held", LONG);
        assertEquals(0, sem.getValue());
        holder.kill();
        assertTrue(sem.acquire(LONG));
        assertEquals(1, sem.reclaimedPermits());
        sem.release();
        assertEquals(1, sem.getValue());
    }

    @Test
    void parentReleasingForAKilledChildIsNotCountedTwice() throws Exception
    {
        final BoundedSemaphore sem = BoundedSemaphore.create(dir, "sem", 2);
        final ChildJvms.Child holder = children.start("hold", "semaphore", ChildJvms.pathOf(sem));
        holder.expect("held", LONG);
        holder.kill();
        sem.release();   // on behalf of the dead child: debits its holder slot
        assertEquals(2, sem.getValue());
        assertEquals(0, sem.reclaimDeadHolders());
        assertEquals(2, sem.getValue());
    }

    @Test
    void parentReleasingForALiveChildThatThenExitsIsNotCountedTwice() throws Exception
    {
        final BoundedSemaphore sem = BoundedSemaphore.create(dir, "sem", 1);
        final ChildJvms.Child holder = children.start("hold", "semaphore", ChildJvms.pathOf(sem));
        holder.expect("held", LONG);
        sem.release();   // on behalf of the child, which is still alive
        assertEquals(1, sem.getValue());
        holder.process.getOutputStream().close();   // the child exits normally, without releasing
        assertEquals(0, holder.awaitExit(LONG));
        assertTrue(sem.tryAcquire());
        // before the fix the child's slot still showed the permit: reclaimed once more, a second holder got in
        assertEquals(0, sem.reclaimDeadHolders());
        assertFalse(sem.tryAcquire());
        assertEquals(0, sem.getValue());
        sem.release();
        assertEquals(1, sem.getValue());
    }

    @Test
    void barrierWithAKilledPartyBreaksInsteadOfHanging() throws Exception
    {
        final Barrier barrier = Barrier.create(dir, "barrier", 3);
        final ChildJvms.Child party = children.start("barrier", ChildJvms.pathOf(barrier));
        Await.until("the child waiting in the barrier", LONG, () -> barrier.nWaiting() == 1);
        party.kill();
        assertThrows(BrokenBarrierException.class, () -> barrier.await(LONG));
        assertTrue(barrier.isBroken());
    }

    @Test
    void barrierAcrossJvms() throws Exception
    {
        final Barrier barrier = Barrier.create(dir, "barrier", 3);
        final ChildJvms.Child a = children.start("barrier", ChildJvms.pathOf(barrier));
        final ChildJvms.Child b = children.start("barrier", ChildJvms.pathOf(barrier));
        Await.until("two children waiting", LONG, () -> barrier.nWaiting() == 2);
        assertEquals(2, barrier.await(LONG));
        final String lineA = a.nextLine(LONG);
        final String lineB = b.nextLine(LONG);
        assertTrue(lineA.startsWith("index ") && lineB.startsWith("index ") && !lineA.equals(lineB), lineA + " / " + lineB);
    }

    @Test
    void aKilledConditionWaiterDoesNotSwallowANotify() throws Exception
    {
        final Condition cond = Condition.create(dir, "cond");
        final ChildJvms.Child doomed = children.start("cond-wait", ChildJvms.pathOf(cond));
        Await.until("the child waiting", LONG, () -> cond.waiters() == 1);
        doomed.kill();
        final CompletableFuture<Boolean> live = CompletableFuture.supplyAsync(() ->
        {
            try (SharedLock.Held held = cond.locked())
            {
                return cond.await(LONG);
            }
            catch (final InterruptedException ex)
            {
                return false;
            }
        });
        Await.until("the live waiter behind the dead one", LONG, () -> cond.waiters() == 2);
        try (SharedLock.Held held = cond.locked())
        {
            assertEquals(1, cond.signal(1));
        }
        assertTrue(live.get(LONG.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void oneHoldersCloseKeepsTheMappingForTheOthersAndUseAfterTheLastCloseThrows() throws Exception
    {
        // in a child: before the fix, a1.close() unmapped v too and v.getInt() crashed that JVM
        final ChildJvms.Child child = children.start("use-after-close", dir.path().toString());
        child.expect("same instance true", LONG);
        child.expect("after one holder closed: 7 7 closed=false", LONG);
        child.expect("after every holder closed: closed=true", LONG);
        child.expect("value IllegalStateException", LONG);
        child.expect("attached again: 8", LONG);
        for (final String type : new String[]{ "lock", "rlock", "event", "semaphore", "condition", "barrier", "array", "list" })
        {
            child.expect(type + " IllegalStateException", LONG);
        }
        child.expect("done", LONG);
        assertEquals(0, child.awaitExit(LONG));
    }

    @Test
    void conditionWaiterInAChildIsWoken() throws Exception
    {
        final Condition cond = Condition.create(dir, "cond");
        final ChildJvms.Child waiter = children.start("cond-wait", ChildJvms.pathOf(cond));
        Await.until("the child waiting", LONG, () -> cond.waiters() == 1);
        try (SharedLock.Held held = cond.locked())
        {
            assertEquals(1, cond.signalAll());
        }
        waiter.expect("woken", LONG);
    }
}

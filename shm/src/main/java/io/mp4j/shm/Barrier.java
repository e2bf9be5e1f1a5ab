package io.mp4j.shm;

import org.agrona.concurrent.IdleStrategy;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A cyclic barrier for the threads of any number of JVMs: Python's {@code multiprocessing.Barrier(parties,
 * action, timeout)} with {@link java.util.concurrent.CyclicBarrier}'s exceptions.
 *
 * <p>{@link #await()} blocks until {@code parties} threads have called it, then releases them all and
 * returns each a distinct arrival index from 0 (first) to {@code parties - 1} (last, as in Python). The
 * last arriver runs the action, if any, once per generation, before the others are released; if the
 * action throws, the barrier breaks and the exception is thrown to the last arriver. A broken barrier
 * makes every waiting and every later {@code await} throw {@link BrokenBarrierException} until
 * {@link #reset()}. It breaks on {@link #abort()}, on an action that throws, on a waiter's timeout (that
 * waiter gets {@link TimeoutException}, the others {@link BrokenBarrierException}), on a waiter's
 * interruption, and <b>when a waiting party's process dies</b>: waiters check the processes recorded in
 * the waiter table every liveness interval ({@code mp4j.liveness.checkMillis}) and break the barrier
 * instead of hanging. The default timeout given at creation is stored in the region, so every process
 * uses it. A timeout or an interruption that comes while the last arriver is running the action does not
 * break the generation: the waiter waits for the action to end (as {@code CyclicBarrier}'s waiters, held
 * off by its lock, do). A waiter interrupted after all then returns normally, or throws
 * {@link BrokenBarrierException} if the barrier was broken or reset meanwhile, with its interrupt status
 * set, as {@code CyclicBarrier}'s does.
 *
 * <p>The action is code and cannot live in shared memory: each JVM gives its own to
 * {@link #attach(Path, Runnable)}; a barrier passed to another JVM by serialization carries its action
 * along when the action is {@link Serializable} (a serializable lambda), as Python pickles it.
 *
 * <p>A round costs one CAS per party on one shared word, and the last arriver releases everyone with one
 * more: see {@code MappedBarrier} for the algorithm and the layout.
 *
 * <p>Memory consistency effects: actions of each party before it calls {@code await} happen-before the
 * action and the actions of every party after its {@code await} of the same generation returns.
 *
 * <pre>{@code
 * Barrier barrier = Barrier.create(dir, "phase", 3, () -> System.out.println("phase done"), Duration.ofSeconds(30));
 * // in each of 3 worker JVMs, given the barrier:
 * computePhase1();
 * int index = barrier.await();   // BrokenBarrierException if a worker died meanwhile
 * computePhase2();
 * }</pre>
 */
public interface Barrier extends AutoCloseable, Serializable
{
    /**
     * Release this holder's handle. The creator and every handle deserialized in this JVM share one
     * object, counted per holder (see {@link SharedObjects#attach}): the view is unmapped when the last
     * holder closes it, and using the object after that throws {@link IllegalStateException}. The shared
     * object and its state stay for the other processes. A holder closes once: closing again gives back
     * another holder's count; once unmapped, further calls do nothing.
     */
    @Override
    void close();

    /**
     * Python's {@code Barrier(parties)}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param parties   at least 1.
     * @return the barrier.
     */
    static Barrier create(RuntimeDirectory directory, String name, int parties)
    {
        return MappedBarrier.create(directory, name, parties);
    }

    /**
     * Python's {@code Barrier(parties, action, timeout)}.
     *
     * @param directory where.
     * @param name      its file name.
     * @param parties   at least 1.
     * @param action    run by the last arriver of each generation in this JVM, or null.
     * @param timeout   default timeout of {@link #await()}, or null for none.
     * @return the barrier.
     */
    static Barrier create(
        RuntimeDirectory directory, String name, int parties, Runnable action, Duration timeout)
    {
        return MappedBarrier.create(directory, name, parties, action, timeout);
    }

    /**
     * Python's {@code Barrier(parties)} in this JVM's default runtime directory.
     *
     * @param parties at least 1.
     * @return the barrier.
     */
    static Barrier create(int parties)
    {
        return MappedBarrier.create(parties);
    }

    /**
     * Attach to an existing Barrier by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the barrier.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    static Barrier attach(RuntimeDirectory directory, String name)
    {
        return MappedBarrier.attach(directory, name);
    }

    /**
     * Attach to an existing barrier, with no action in this JVM.
     *
     * @param file its region file.
     * @return the barrier.
     * @throws InvalidRegionException if the file is not a valid barrier region.
     */
    static Barrier attach(Path file)
    {
        return MappedBarrier.attach(file);
    }

    /**
     * Attach to an existing barrier.
     *
     * @param file   its region file.
     * @param action run when this JVM's thread arrives last, or null.
     * @return the barrier.
     * @throws InvalidRegionException if the file is not a valid barrier region.
     */
    static Barrier attach(Path file, Runnable action)
    {
        return MappedBarrier.attach(file, action);
    }

    /**
     * Use this idle strategy when waiting on this barrier (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    Barrier withIdleStrategy(Supplier<IdleStrategy> supplier);

    /**
     * Set the action this JVM runs when one of its threads arrives last.
     *
     * @param action the action, or null.
     * @return this.
     */
    Barrier withAction(Runnable action);

    /**
     * Wait for all parties, with the barrier's default timeout if it has one.
     *
     * @return the arrival index, 0 for the first, {@code parties - 1} for the last.
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting.
     * @throws TimeoutException       if the default timeout elapsed (the barrier is now broken).
     * @throws InterruptedException   if interrupted while waiting (the barrier is now broken; not if the thread
     *                                was still waiting for the previous generation's action to end).
     */
    int await() throws InterruptedException, BrokenBarrierException, TimeoutException;

    /**
     * Wait for all parties, at most {@code timeout}.
     *
     * @param timeout at most this long (null: forever).
     * @return the arrival index.
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting.
     * @throws TimeoutException       if the timeout elapsed (the barrier is now broken).
     * @throws InterruptedException   if interrupted while waiting (the barrier is now broken; not if the thread
     *                                was still waiting for the previous generation's action to end).
     */
    int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException;

    /**
     * As {@link #await(Duration)}.
     *
     * @param timeout at most this long.
     * @param unit    its unit.
     * @return the arrival index.
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting.
     * @throws TimeoutException       if the timeout elapsed.
     * @throws InterruptedException   if interrupted while waiting.
     */
    int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException;

    /**
     * Put the barrier into the broken state: current and later waiters get {@link BrokenBarrierException}
     * until {@link #reset()}.
     */
    void abort();

    /**
     * Return the barrier to its initial state: waiters now waiting get {@link BrokenBarrierException}, and
     * it is no longer broken.
     */
    void reset();

    /**
     * @return the number of parties needed to trip the barrier.
     */
    int parties();

    /**
     * @return the number of parties waiting now (Python's {@code n_waiting}).
     */
    int nWaiting();

    /**
     * @return whether the barrier is broken.
     */
    boolean isBroken();

    /**
     * @return the default timeout, or null if none.
     */
    Duration timeout();
}

package io.mp4j.manager;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cyclic barrier held by a manager: Python's {@code Barrier}, with the methods of
 * {@link java.util.concurrent.CyclicBarrier}. A party that dies before arriving is not noticed: wait with
 * a timeout ({@link #await(long, TimeUnit)}) when parties may die. If the manager dies, every waiter gets
 * a {@link ManagerDiedException}.
 */
public interface ManagedBarrier
{
    /**
     * @return the arrival index, {@code getParties() - 1} for the first, 0 for the last.
     * @throws InterruptedException   if the server-side wait was interrupted.
     * @throws BrokenBarrierException if the barrier is broken.
     */
    int await() throws InterruptedException, BrokenBarrierException;

    /**
     * @param timeout how long to wait at most.
     * @param unit    its unit.
     * @return the arrival index.
     * @throws InterruptedException   if the server-side wait was interrupted.
     * @throws BrokenBarrierException if the barrier is broken.
     * @throws TimeoutException       if the time elapsed (the barrier is then broken).
     */
    int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException;

    /**
     * @return the number of parties.
     */
    int getParties();

    /**
     * @return how many are waiting now.
     */
    int getNumberWaiting();

    /**
     * @return whether the barrier is broken.
     */
    boolean isBroken();

    /** Break the barrier for current waiters and start afresh. */
    void reset();
}

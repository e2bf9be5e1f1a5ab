package io.mp4j;

import io.mp4j.shm.ElementType;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The synchronisation objects, values and arrays a {@link Manager} hosts, and the internal interfaces their
 * proxies call them through. The public faces are the {@code io.mp4j.shm} interfaces, implemented in the
 * client by the {@code Managed*} adapters of this package, which hold a proxy of one of these
 * {@code *Wire} interfaces. Not API.
 *
 * <p>Timeouts travel as nanoseconds: negative waits forever, 0 tries once. A lock is owned by the server
 * thread serving the caller's connection, which is one per client thread, so "the current thread" here is
 * the calling thread of the calling process.
 */
final class ManagerHosted
{
    /** Barrier timeout argument: use the barrier's own default. */
    static final long DEFAULT_TIMEOUT = Long.MIN_VALUE;

    private ManagerHosted()
    {
    }

    /** Converts a Python-style timeout (null: forever; zero or negative: one attempt) to wire nanoseconds. */
    static long nanos(final java.time.Duration timeout)
    {
        if (timeout == null)
        {
            return -1;
        }
        if (timeout.isNegative() || timeout.isZero())
        {
            return 0;
        }
        try
        {
            return timeout.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    static long nanos(final long timeout, final TimeUnit unit)
    {
        return timeout <= 0 ? 0 : unit.toNanos(timeout);
    }

    /**
     * Waits on {@code monitor} (held by the caller) for at most {@code left} nanoseconds, or forever if
     * negative.
     */
    /**
     * Wait on the monitor for at most {@code left} (negative: no bound), or one slice
     * ({@link ManagerServer#WAIT_SLICE_NANOS}) if shorter; the caller loops. After a full slice without a
     * notification it looks whether the client is still there.
     *
     * @throws ManagerServer.ClientGone if the client's connection has closed: the call is abandoned.
     */
    private static void waitOn(final Object monitor, final long left) throws InterruptedException
    {
        final long slice = left < 0 ? ManagerServer.WAIT_SLICE_NANOS : Math.min(left, ManagerServer.WAIT_SLICE_NANOS);
        final long start = System.nanoTime();
        TimeUnit.NANOSECONDS.timedWait(monitor, slice);
        if (System.nanoTime() - start >= slice && ManagerServer.clientGone())
        {
            throw new ManagerServer.ClientGone();
        }
    }

    private static long left(final long timeoutNanos, final long start)
    {
        return timeoutNanos < 0 ? -1 : timeoutNanos - (System.nanoTime() - start);
    }

    // ---- locks

    interface LockWire
    {
        boolean acquire(long pid, long timeoutNanos);

        void acquireInterruptibly(long pid) throws InterruptedException;

        void release();

        void unlock();

        boolean isHeldByCurrentThread();

        boolean isLocked();

        int getHoldCount();

        boolean previousOwnerDied();

        long recoveries();

        long ownerPid();

        boolean reentrant();
    }

    /**
     * Python's Lock (any thread of any process may {@code release}, {@code unlock} only by the holder; not
     * reentrant) or RLock (reentrant, owned by a thread). A holding whose connection ends is released by the
     * server (see {@link ManagerServer.Releasable}), and the next holder is told so by
     * {@link #previousOwnerDied()}.
     */
    static final class HostedLock implements LockWire, ManagerServer.Releasable
    {
        private final boolean reentrant;
        private Thread owner;
        private long ownerPid;
        private int holds;
        private boolean recoveredHolding;
        private boolean ownerDied;
        private long recoveries;

        HostedLock(final boolean reentrant)
        {
            this.reentrant = reentrant;
        }

        @Override
        public synchronized boolean acquire(final long pid, final long timeoutNanos)
        {
            final Thread me = Thread.currentThread();
            if (reentrant && owner == me)
            {
                holds++;
                return true;
            }
            final long start = System.nanoTime();
            boolean interrupted = false;
            boolean waited = false;
            try
            {
                while (owner != null)
                {
                    waited = true;
                    final long left = left(timeoutNanos, start);
                    if (timeoutNanos == 0 || (timeoutNanos > 0 && left <= 0))
                    {
                        return false;
                    }
                    try
                    {
                        waitOn(this, left);
                    }
                    catch (final ManagerServer.ClientGone gone)
                    {
                        return false; // nobody to hand the lock to
                    }
                    catch (final InterruptedException ex)
                    {
                        interrupted = true;
                    }
                }
                // it waited: its client may have gone meanwhile; the lock goes to the next waiter instead
                if (waited && ManagerServer.clientGone())
                {
                    notifyAll();
                    return false;
                }
                take(me, pid, 1);
                return true;
            }
            finally
            {
                if (interrupted)
                {
                    me.interrupt();
                }
            }
        }

        @Override
        public synchronized void acquireInterruptibly(final long pid) throws InterruptedException
        {
            final Thread me = Thread.currentThread();
            if (reentrant && owner == me)
            {
                holds++;
                return;
            }
            if (owner != null)
            {
                while (owner != null)
                {
                    waitOn(this, -1);
                }
                if (ManagerServer.clientGone())
                {
                    notifyAll();
                    throw new ManagerServer.ClientGone();
                }
            }
            take(me, pid, 1);
        }

        private void take(final Thread me, final long pid, final int count)
        {
            owner = me;
            ownerPid = pid;
            holds = count;
            recoveredHolding = ownerDied;
            ownerDied = false;
        }

        private void free()
        {
            owner = null;
            ownerPid = 0;
            holds = 0;
            recoveredHolding = false;
            notifyAll();
        }

        @Override
        public synchronized void release()
        {
            if (reentrant)
            {
                unlock();
                return;
            }
            if (owner == null)
            {
                throw new IllegalStateException("release of an unlocked manager Lock");
            }
            free();
        }

        @Override
        public synchronized void unlock()
        {
            if (owner != Thread.currentThread())
            {
                throw new IllegalMonitorStateException("the calling thread does not hold this manager " + (reentrant ? "RLock" : "Lock") +
                    (owner == null ? " (it is free)" : " (pid " + ownerPid + " holds it)"));
            }
            if (--holds == 0)
            {
                free();
            }
        }

        /** For a condition's wait: give the lock up entirely, returning the hold count to restore. */
        synchronized int releaseAll(final String what)
        {
            if (owner != Thread.currentThread())
            {
                throw new IllegalMonitorStateException("cannot " + what + " on an un-acquired lock");
            }
            final int saved = holds;
            free();
            return saved;
        }

        /** For a condition's wait: take the lock back, whatever the interrupt status, with the saved count. */
        synchronized void reacquire(final long pid, final int savedHolds)
        {
            if (acquire(pid, -1))
            {
                holds = savedHolds;
            }
        }

        synchronized void checkHeld(final String what)
        {
            if (owner != Thread.currentThread())
            {
                throw new IllegalMonitorStateException("cannot " + what + " on an un-acquired lock");
            }
        }

        @Override
        public synchronized boolean isHeldByCurrentThread()
        {
            return owner == Thread.currentThread();
        }

        @Override
        public synchronized boolean isLocked()
        {
            return owner != null;
        }

        @Override
        public synchronized int getHoldCount()
        {
            return owner == Thread.currentThread() ? holds : 0;
        }

        @Override
        public synchronized boolean previousOwnerDied()
        {
            return owner == Thread.currentThread() && recoveredHolding;
        }

        @Override
        public synchronized long recoveries()
        {
            return recoveries;
        }

        @Override
        public synchronized long ownerPid()
        {
            return ownerPid;
        }

        @Override
        public boolean reentrant()
        {
            return reentrant;
        }

        @Override
        public synchronized void releaseHeldByCurrentThread()
        {
            if (owner == Thread.currentThread())
            {
                recoveries++;
                free();
                ownerDied = true;
            }
        }

        @Override
        public synchronized String toString()
        {
            return "<" + (reentrant ? "RLock" : "Lock") + (owner == null ? " unlocked" : " locked by pid " + ownerPid) + ">";
        }
    }

    // ---- conditions

    interface ConditionWire
    {
        boolean await(long pid, long timeoutNanos) throws InterruptedException;

        int signal(int n);

        int waiters();

        /** @return the manager object id of the lock the condition is bound to. */
        long lockId();
    }

    /**
     * A condition over a hosted lock, as Python's {@code threading.Condition}: a waiter queues itself while
     * holding the lock, then gives the lock up; a signaller must hold the lock, so no signal falls between.
     */
    static final class HostedCondition implements ConditionWire
    {
        private static final class Waiter
        {
            boolean signalled;
        }

        private final HostedLock lock;
        private final long lockId;
        private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

        HostedCondition(final Object lock, final long lockId)
        {
            this.lockId = lockId;
            if (!(lock instanceof HostedLock))
            {
                throw new IllegalArgumentException("a manager Condition needs a Lock or RLock of the same manager, not " + lock);
            }
            this.lock = (HostedLock)lock;
        }

        @Override
        public boolean await(final long pid, final long timeoutNanos) throws InterruptedException
        {
            lock.checkHeld("wait");
            final Waiter me = new Waiter();
            synchronized (this)
            {
                queue.add(me);
            }
            final int saved = lock.releaseAll("wait");
            final long start = System.nanoTime();
            try
            {
                synchronized (this)
                {
                    while (!me.signalled)
                    {
                        final long left = left(timeoutNanos, start);
                        if (timeoutNanos == 0 || (timeoutNanos > 0 && left <= 0))
                        {
                            queue.remove(me);
                            return false;
                        }
                        try
                        {
                            waitOn(this, left);
                        }
                        catch (final InterruptedException ex)
                        {
                            if (me.signalled)
                            {
                                passOn();
                            }
                            queue.remove(me);
                            throw ex;
                        }
                    }
                    return true;
                }
            }
            finally
            {
                lock.reacquire(pid, saved);
            }
        }

        private void passOn()
        {
            final Waiter next = queue.poll();
            if (next != null)
            {
                next.signalled = true;
                notifyAll();
            }
        }

        @Override
        public int signal(final int n)
        {
            if (n < 0)
            {
                throw new IllegalArgumentException("n=" + n + " must be at least 0");
            }
            lock.checkHeld("notify");
            synchronized (this)
            {
                int count = 0;
                while (count < n && !queue.isEmpty())
                {
                    queue.poll().signalled = true;
                    count++;
                }
                if (count > 0)
                {
                    notifyAll();
                }
                return count;
            }
        }

        @Override
        public long lockId()
        {
            return lockId;
        }

        @Override
        public synchronized int waiters()
        {
            return queue.size();
        }

        @Override
        public synchronized String toString()
        {
            return "<Condition(" + lock + "), " + queue.size() + " waiting>";
        }
    }

    // ---- semaphores

    interface SemaphoreWire
    {
        boolean acquire(long timeoutNanos) throws InterruptedException;

        void release(long n);

        long getValue();

        long bound();
    }

    static final class HostedSemaphore implements SemaphoreWire
    {
        private final long bound;
        private long value;

        HostedSemaphore(final long value, final boolean bounded)
        {
            if (value < 0)
            {
                throw new IllegalArgumentException("semaphore initial value must be >= 0, not " + value);
            }
            this.value = value;
            this.bound = bounded ? value : Long.MAX_VALUE;
        }

        @Override
        public synchronized boolean acquire(final long timeoutNanos) throws InterruptedException
        {
            if (value > 0)
            {
                value--;
                // the answer may still not reach the client (it died meanwhile): the permit is not lost then
                ManagerServer.undoIfUndelivered(this::giveBack);
                return true;
            }
            final long start = System.nanoTime();
            while (value == 0)
            {
                final long left = left(timeoutNanos, start);
                if (timeoutNanos == 0 || (timeoutNanos > 0 && left <= 0))
                {
                    return false;
                }
                waitOn(this, left);
            }
            // it waited: its client may have gone meanwhile, and a permit taken for it would be lost
            if (ManagerServer.clientGone())
            {
                notifyAll();
                throw new ManagerServer.ClientGone();
            }
            value--;
            ManagerServer.undoIfUndelivered(this::giveBack);
            return true;
        }

        private synchronized void giveBack()
        {
            value++;
            notifyAll();
        }

        @Override
        public synchronized void release(final long n)
        {
            if (n < 1)
            {
                throw new IllegalArgumentException("n=" + n + " must be at least 1");
            }
            if (n > bound - value)
            {
                throw new IllegalStateException("semaphore released too many times: value=" + value + ", n=" + n + ", bound=" + bound);
            }
            value += n;
            notifyAll();
        }

        @Override
        public synchronized long getValue()
        {
            return value;
        }

        @Override
        public long bound()
        {
            return bound;
        }

        @Override
        public synchronized String toString()
        {
            return "<" + (bound == Long.MAX_VALUE ? "Semaphore" : "BoundedSemaphore") + " value=" + value + ">";
        }
    }

    // ---- events

    interface EventWire
    {
        void set();

        void clear();

        boolean isSet();

        boolean await(long timeoutNanos) throws InterruptedException;
    }

    static final class HostedEvent implements EventWire
    {
        private boolean flag;

        @Override
        public synchronized void set()
        {
            flag = true;
            notifyAll();
        }

        @Override
        public synchronized void clear()
        {
            flag = false;
        }

        @Override
        public synchronized boolean isSet()
        {
            return flag;
        }

        @Override
        public synchronized boolean await(final long timeoutNanos) throws InterruptedException
        {
            final long start = System.nanoTime();
            while (!flag)
            {
                final long left = left(timeoutNanos, start);
                if (timeoutNanos == 0 || (timeoutNanos > 0 && left <= 0))
                {
                    return false;
                }
                waitOn(this, left);
            }
            return true;
        }

        @Override
        public synchronized String toString()
        {
            return "<Event " + (flag ? "set" : "unset") + ">";
        }
    }

    // ---- barriers

    interface BarrierWire
    {
        int await(long timeoutNanos) throws InterruptedException, BrokenBarrierException, TimeoutException;

        void abort();

        void reset();

        int parties();

        int nWaiting();

        boolean isBroken();

        /** @return the default timeout in nanoseconds, negative if none. */
        long timeoutNanos();
    }

    /**
     * Python's Barrier with {@link java.util.concurrent.CyclicBarrier}'s generations: arrival indexes count
     * up from 0, the action runs in the server on the last arrival, and a broken generation stays broken
     * until {@link #reset()}.
     */
    static final class HostedBarrier implements BarrierWire
    {
        private static final class Generation
        {
            boolean broken;
        }

        private final int parties;
        private final SerializableRunnable action;
        private final long timeoutNanos;
        private Generation generation = new Generation();
        private int count;

        HostedBarrier(final int parties, final SerializableRunnable action, final long timeoutNanos)
        {
            if (parties < 1)
            {
                throw new IllegalArgumentException("a barrier needs at least 1 party, not " + parties);
            }
            this.parties = parties;
            this.action = action;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public synchronized int await(final long timeout) throws InterruptedException, BrokenBarrierException, TimeoutException
        {
            final Generation g = generation;
            if (g.broken)
            {
                throw new BrokenBarrierException();
            }
            final int index = count++;
            if (count == parties)
            {
                if (action != null)
                {
                    try
                    {
                        action.run();
                    }
                    catch (final RuntimeException | Error ex)
                    {
                        breakBarrier();
                        throw ex;
                    }
                    catch (final Exception ex)
                    {
                        breakBarrier();
                        throw new IllegalStateException("the barrier action threw " + ex, ex);
                    }
                }
                nextGeneration();
                return index;
            }
            final long nanos = timeout == DEFAULT_TIMEOUT ? timeoutNanos : timeout;
            final long start = System.nanoTime();
            while (true)
            {
                final long left = left(nanos, start);
                if (nanos >= 0 && left <= 0)
                {
                    breakBarrier();
                    throw new TimeoutException("barrier of " + parties + " timed out after " + nanos + " ns with " + index + " earlier arrivals");
                }
                try
                {
                    waitOn(this, left);
                }
                catch (final InterruptedException ex)
                {
                    if (g == generation && !g.broken)
                    {
                        breakBarrier();
                    }
                    throw ex;
                }
                if (g.broken)
                {
                    throw new BrokenBarrierException();
                }
                if (g != generation)
                {
                    return index;
                }
            }
        }

        private void breakBarrier()
        {
            generation.broken = true;
            count = 0;
            notifyAll();
        }

        private void nextGeneration()
        {
            generation = new Generation();
            count = 0;
            notifyAll();
        }

        @Override
        public synchronized void abort()
        {
            breakBarrier();
        }

        @Override
        public synchronized void reset()
        {
            breakBarrier();
            nextGeneration();
        }

        @Override
        public int parties()
        {
            return parties;
        }

        @Override
        public synchronized int nWaiting()
        {
            return count;
        }

        @Override
        public synchronized boolean isBroken()
        {
            return generation.broken;
        }

        @Override
        public long timeoutNanos()
        {
            return timeoutNanos;
        }

        @Override
        public synchronized String toString()
        {
            return "<Barrier parties=" + parties + ", waiting=" + count + (generation.broken ? ", broken" : "") + ">";
        }
    }

    // ---- joinable queues

    interface JoinableQueueWire<E> extends java.util.concurrent.BlockingQueue<E>
    {
        void taskDone();

        long unfinishedTasks();

        boolean join(long timeoutNanos) throws InterruptedException;
    }

    /**
     * Python's JoinableQueue: every element put counts one unfinished task, before it becomes visible (so a
     * consumer's {@code taskDone} never finds the count behind), and {@link #taskDone()} counts one down.
     */
    /**
     * The server's queue. Its blocking calls wait in slices ({@link ManagerServer#WAIT_SLICE_NANOS}) and
     * give up, taking or putting nothing, once their client's connection has closed (the client died, or
     * its thread was interrupted). An element taken for a client that turns out to be gone, or whose
     * answer cannot be sent, is put back at the head: it is the next one taken, ahead of any taken
     * meanwhile by others (which may then see it after later ones). A deque, for that.
     */
    static class HostedQueue<E> extends LinkedBlockingDeque<E>
    {
        private static final long serialVersionUID = 1L;

        HostedQueue(final int capacity)
        {
            super(capacity > 0 ? capacity : Integer.MAX_VALUE);
        }

        @Override
        public E take() throws InterruptedException
        {
            final E e = pollFirst();
            return e != null ? delivering(e) : awaitElement(-1);
        }

        @Override
        public E poll(final long timeout, final TimeUnit unit) throws InterruptedException
        {
            final E e = pollFirst();
            return e != null ? delivering(e) : awaitElement(Math.max(0, unit.toNanos(timeout)));
        }

        @Override
        public E poll()
        {
            final E e = pollFirst();
            return e != null ? delivering(e) : null;
        }

        @Override
        public E remove()
        {
            final E e = pollFirst();
            if (e == null)
            {
                throw new NoSuchElementException();
            }
            return delivering(e);
        }

        /**
         * Every call that takes an element for a client (at once or after a wait) registers its put-back:
         * the answer may not reach the client, which may have died since it asked.
         */
        private E delivering(final E e)
        {
            ManagerServer.undoIfUndelivered(() -> putBack(e));
            return e;
        }

        /** As {@link #drainTo(java.util.Collection, int)} for a client: the elements go back, in order, if undelivered. */
        java.util.List<E> drainFor(final int max)
        {
            final java.util.ArrayList<E> drained = new java.util.ArrayList<>();
            drainTo(drained, max);
            if (!drained.isEmpty())
            {
                ManagerServer.undoIfUndelivered(() ->
                {
                    for (int i = drained.size() - 1; i >= 0; i--)
                    {
                        putBack(drained.get(i));
                    }
                });
            }
            return drained;
        }

        private E awaitElement(final long timeoutNanos) throws InterruptedException
        {
            final long start = System.nanoTime();
            while (true)
            {
                final long left = timeoutNanos < 0 ? ManagerServer.WAIT_SLICE_NANOS : timeoutNanos - (System.nanoTime() - start);
                if (left <= 0)
                {
                    return null;
                }
                final E e = pollFirst(Math.min(left, ManagerServer.WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS);
                if (e != null)
                {
                    // the client may have gone while this waited; over TCP a send to it could still succeed
                    if (ManagerServer.clientGone())
                    {
                        putBack(e);
                        throw new ManagerServer.ClientGone();
                    }
                    return delivering(e);
                }
                if (ManagerServer.clientGone())
                {
                    throw new ManagerServer.ClientGone();
                }
            }
        }

        /** At the head; if producers filled the freed place meanwhile, as soon as there is room again. */
        private void putBack(final E e)
        {
            boolean interrupted = false;
            while (true)
            {
                try
                {
                    if (offerFirst(e, ManagerServer.WAIT_SLICE_NANOS, TimeUnit.NANOSECONDS))
                    {
                        break;
                    }
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void put(final E e) throws InterruptedException
        {
            if (!offerLast(e) && !awaitRoom(e, -1))
            {
                throw new IllegalStateException("unreachable: an unbounded wait for room ended");
            }
        }

        @Override
        public boolean offer(final E e, final long timeout, final TimeUnit unit) throws InterruptedException
        {
            return offerLast(e) || awaitRoom(e, Math.max(0, unit.toNanos(timeout)));
        }

        private boolean awaitRoom(final E e, final long timeoutNanos) throws InterruptedException
        {
            final long start = System.nanoTime();
            while (true)
            {
                final long left = timeoutNanos < 0 ? ManagerServer.WAIT_SLICE_NANOS : timeoutNanos - (System.nanoTime() - start);
                if (left <= 0)
                {
                    return false;
                }
                if (offerLast(e, Math.min(left, ManagerServer.WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS))
                {
                    return true;
                }
                if (ManagerServer.clientGone())
                {
                    throw new ManagerServer.ClientGone();
                }
            }
        }
    }

    static final class HostedJoinableQueue<E> extends HostedQueue<E> implements JoinableQueueWire<E>
    {
        private static final long serialVersionUID = 1L;
        private final transient Object tasks = new Object();
        private long unfinished;

        HostedJoinableQueue(final int capacity)
        {
            super(capacity);
        }

        @Override
        public boolean add(final E e)
        {
            // a deque's add does not go through offer, where the count is kept
            if (!offer(e))
            {
                throw new IllegalStateException("Queue full");
            }
            return true;
        }

        private void count(final long delta)
        {
            synchronized (tasks)
            {
                unfinished += delta;
                if (unfinished == 0)
                {
                    tasks.notifyAll();
                }
            }
        }

        @Override
        public void put(final E e) throws InterruptedException
        {
            count(1);
            try
            {
                super.put(e);
            }
            catch (final InterruptedException | RuntimeException ex)
            {
                count(-1);
                throw ex;
            }
        }

        @Override
        public boolean offer(final E e)
        {
            count(1);
            final boolean added;
            try
            {
                added = super.offer(e);
            }
            catch (final RuntimeException ex)
            {
                count(-1);
                throw ex;
            }
            if (!added)
            {
                count(-1);
            }
            return added;
        }

        @Override
        public boolean offer(final E e, final long timeout, final TimeUnit unit) throws InterruptedException
        {
            count(1);
            final boolean added;
            try
            {
                added = super.offer(e, timeout, unit);
            }
            catch (final InterruptedException | RuntimeException ex)
            {
                count(-1);
                throw ex;
            }
            if (!added)
            {
                count(-1);
            }
            return added;
        }

        @Override
        public void taskDone()
        {
            synchronized (tasks)
            {
                if (unfinished == 0)
                {
                    throw new IllegalStateException("taskDone() called more times than there were elements put");
                }
                count(-1);
            }
        }

        @Override
        public long unfinishedTasks()
        {
            synchronized (tasks)
            {
                return unfinished;
            }
        }

        @Override
        public boolean join(final long timeoutNanos) throws InterruptedException
        {
            final long start = System.nanoTime();
            synchronized (tasks)
            {
                while (unfinished > 0)
                {
                    final long left = left(timeoutNanos, start);
                    if (timeoutNanos == 0 || (timeoutNanos > 0 && left <= 0))
                    {
                        return false;
                    }
                    waitOn(tasks, left);
                }
                return true;
            }
        }
    }

    // ---- values and arrays (data objects: every call runs under the object's monitor in the server)

    interface ValueWire extends Value
    {
        /** @return the manager object id of the RLock guarding the value. */
        long lockId();
    }

    /** A typed number or boolean with {@link io.mp4j.shm.Value}'s accessors, widening and atomic operations. */
    static final class HostedValue implements ValueWire
    {
        private final ElementType type;
        private final long lockId;
        private long bits;

        HostedValue(final String typecode, final Object initial, final long lockId)
        {
            this.type = ElementType.fromTypecode(typecode);
            if (type == ElementType.BYTE)
            {
                throw new IllegalArgumentException("a Value holds int, long, double or boolean, not " + type);
            }
            this.lockId = lockId;
            value(initial);
        }

        @Override
        public long lockId()
        {
            return lockId;
        }

        private IllegalStateException wrongType(final String wanted)
        {
            return new IllegalStateException("value is " + type.name().toLowerCase() + ", not " + wanted + " (a manager Value)");
        }

        private int toInt(final long value)
        {
            if (value != (int)value)
            {
                throw new IllegalArgumentException("value=" + value + " does not fit an int value (a manager Value)");
            }
            return (int)value;
        }

        @Override
        public ElementType type()
        {
            return type;
        }

        @Override
        public SharedLock getLock()
        {
            throw new UnsupportedOperationException("the lock of a manager Value is its client's to give");
        }

        @Override
        public boolean hasLock()
        {
            return true;
        }

        @Override
        public int getInt()
        {
            if (type != ElementType.INT)
            {
                throw wrongType("int");
            }
            return (int)bits;
        }

        @Override
        public void setInt(final int value)
        {
            if (type != ElementType.INT)
            {
                throw wrongType("int");
            }
            bits = value;
        }

        @Override
        public long getLong()
        {
            if (type != ElementType.INT && type != ElementType.LONG)
            {
                throw wrongType("int or long");
            }
            return bits;
        }

        @Override
        public void setLong(final long value)
        {
            if (type == ElementType.INT)
            {
                bits = toInt(value);
            }
            else if (type == ElementType.LONG)
            {
                bits = value;
            }
            else
            {
                throw wrongType("int or long");
            }
        }

        @Override
        public double getDouble()
        {
            if (type == ElementType.DOUBLE)
            {
                return Double.longBitsToDouble(bits);
            }
            if (type == ElementType.BOOLEAN)
            {
                throw wrongType("numeric");
            }
            return bits;
        }

        @Override
        public void setDouble(final double value)
        {
            if (type != ElementType.DOUBLE)
            {
                throw wrongType("double");
            }
            bits = Double.doubleToRawLongBits(value);
        }

        @Override
        public boolean getBoolean()
        {
            if (type != ElementType.BOOLEAN)
            {
                throw wrongType("boolean");
            }
            return bits != 0;
        }

        @Override
        public void setBoolean(final boolean value)
        {
            if (type != ElementType.BOOLEAN)
            {
                throw wrongType("boolean");
            }
            bits = value ? 1 : 0;
        }

        @Override
        public long addAndGet(final long delta)
        {
            return getAndAdd(delta) + delta;
        }

        @Override
        public long getAndAdd(final long delta)
        {
            final long old = getLong();
            bits = type == ElementType.INT ? (int)(old + delta) : old + delta;
            return old;
        }

        @Override
        public long incrementAndGet()
        {
            getAndAdd(1);
            return bits;
        }

        @Override
        public long decrementAndGet()
        {
            getAndAdd(-1);
            return bits;
        }

        @Override
        public long getAndIncrement()
        {
            return getAndAdd(1);
        }

        @Override
        public long getAndSet(final long value)
        {
            final long old = getLong();
            setLong(value);
            return old;
        }

        @Override
        public boolean compareAndSet(final long expected, final long update)
        {
            if (getLong() != expected)
            {
                return false;
            }
            setLong(update);
            return true;
        }

        @Override
        public double addAndGet(final double delta)
        {
            final double next = getDoubleStrict() + delta;
            bits = Double.doubleToRawLongBits(next);
            return next;
        }

        private double getDoubleStrict()
        {
            if (type != ElementType.DOUBLE)
            {
                throw wrongType("double");
            }
            return Double.longBitsToDouble(bits);
        }

        @Override
        public boolean compareAndSet(final double expected, final double update)
        {
            getDoubleStrict();
            if (bits != Double.doubleToRawLongBits(expected))
            {
                return false;
            }
            bits = Double.doubleToRawLongBits(update);
            return true;
        }

        @Override
        public boolean compareAndSet(final boolean expected, final boolean update)
        {
            if (getBoolean() != expected)
            {
                return false;
            }
            setBoolean(update);
            return true;
        }

        @Override
        public void close()
        {
            // nothing to unmap: the value lives in the server until released
        }

        @Override
        public String toString()
        {
            return "Value('" + type.typecode() + "', " + value() + ")";
        }
    }

    interface ArrayWire extends io.mp4j.shm.Array
    {
        /** @return the manager object id of the RLock guarding the array. */
        long lockId();

        /** @return a copy of {@code count} elements from {@code index}, as the element type's Java array. */
        Object slice(int index, int count);

        /** Store a Java array of the element type at {@code index}. */
        void store(int index, Object values);
    }

    /** A fixed-length typed array with {@link io.mp4j.shm.Array}'s checks. */
    static final class HostedArray implements ArrayWire
    {
        private final ElementType type;
        private final long lockId;
        private final int length;
        private final Object data;

        HostedArray(final String typecode, final Object initial, final long lockId)
        {
            this.type = ElementType.fromTypecode(typecode);
            if (type == ElementType.BOOLEAN)
            {
                throw new IllegalArgumentException("an Array holds int, long, double or byte, not " + type);
            }
            this.lockId = lockId;
            if (initial instanceof Integer)
            {
                length = (Integer)initial;
                if (length < 0)
                {
                    throw new IllegalArgumentException("array length must be >= 0, not " + length);
                }
                data = java.lang.reflect.Array.newInstance(javaType(type), length);
            }
            else if (initial != null && initial.getClass().isArray() && initial.getClass().getComponentType() == javaType(type))
            {
                length = java.lang.reflect.Array.getLength(initial);
                data = initial;
            }
            else
            {
                throw new IllegalArgumentException("an Array of '" + type.typecode() + "' is made from a length or a " +
                    javaType(type).getName() + "[], not " + (initial == null ? "null" : initial.getClass().getSimpleName()));
            }
        }

        static Class<?> javaType(final ElementType type)
        {
            switch (type)
            {
                case INT:
                    return int.class;
                case LONG:
                    return long.class;
                case DOUBLE:
                    return double.class;
                case BYTE:
                    return byte.class;
                default:
                    throw new IllegalArgumentException("no array of " + type);
            }
        }

        private void check(final int index, final ElementType wanted)
        {
            if (type != wanted)
            {
                throw new IllegalStateException("array of " + type.name().toLowerCase() + ", not " + wanted.name().toLowerCase() + " (a manager Array)");
            }
            if (index < 0 || index >= length)
            {
                throw new IndexOutOfBoundsException("index=" + index + ", length=" + length + " (a manager Array)");
            }
        }

        @Override
        public long lockId()
        {
            return lockId;
        }

        @Override
        public Object slice(final int index, final int count)
        {
            if (count < 0 || index < 0 || index > length - count)
            {
                throw new IndexOutOfBoundsException("index=" + index + ", count=" + count + ", length=" + length + " (a manager Array)");
            }
            final Object copy = java.lang.reflect.Array.newInstance(javaType(type), count);
            System.arraycopy(data, index, copy, 0, count);
            return copy;
        }

        @Override
        public void store(final int index, final Object values)
        {
            if (values == null || values.getClass().getComponentType() != javaType(type))
            {
                throw new IllegalStateException("array of " + type.name().toLowerCase() + ", not " +
                    (values == null ? "null" : values.getClass().getSimpleName()) + " (a manager Array)");
            }
            final int count = java.lang.reflect.Array.getLength(values);
            if (index < 0 || index > length - count)
            {
                throw new IndexOutOfBoundsException("index=" + index + ", count=" + count + ", length=" + length + " (a manager Array)");
            }
            System.arraycopy(values, 0, data, index, count);
        }

        @Override
        public int length()
        {
            return length;
        }

        @Override
        public ElementType type()
        {
            return type;
        }

        @Override
        public SharedLock getLock()
        {
            throw new UnsupportedOperationException("the lock of a manager Array is its client's to give");
        }

        @Override
        public boolean hasLock()
        {
            return true;
        }

        @Override
        public int getInt(final int index)
        {
            check(index, ElementType.INT);
            return ((int[])data)[index];
        }

        @Override
        public void setInt(final int index, final int value)
        {
            check(index, ElementType.INT);
            ((int[])data)[index] = value;
        }

        @Override
        public long getLong(final int index)
        {
            check(index, ElementType.LONG);
            return ((long[])data)[index];
        }

        @Override
        public void setLong(final int index, final long value)
        {
            check(index, ElementType.LONG);
            ((long[])data)[index] = value;
        }

        @Override
        public double getDouble(final int index)
        {
            check(index, ElementType.DOUBLE);
            return ((double[])data)[index];
        }

        @Override
        public void setDouble(final int index, final double value)
        {
            check(index, ElementType.DOUBLE);
            ((double[])data)[index] = value;
        }

        @Override
        public byte getByte(final int index)
        {
            check(index, ElementType.BYTE);
            return ((byte[])data)[index];
        }

        @Override
        public void setByte(final int index, final byte value)
        {
            check(index, ElementType.BYTE);
            ((byte[])data)[index] = value;
        }

        @Override
        public int addAndGetInt(final int index, final int delta)
        {
            check(index, ElementType.INT);
            return ((int[])data)[index] += delta;
        }

        @Override
        public long addAndGetLong(final int index, final long delta)
        {
            check(index, ElementType.LONG);
            return ((long[])data)[index] += delta;
        }

        // the clients copy through slice and store; these serve a bare proxy of the interface
        @Override
        public void copyFrom(final int index, final int[] src, final int srcOffset, final int count)
        {
            store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
        }

        @Override
        public void copyTo(final int index, final int[] dst, final int dstOffset, final int count)
        {
            System.arraycopy(slice(index, count), 0, dst, dstOffset, count);
        }

        @Override
        public void copyFrom(final int index, final long[] src, final int srcOffset, final int count)
        {
            store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
        }

        @Override
        public void copyTo(final int index, final long[] dst, final int dstOffset, final int count)
        {
            System.arraycopy(slice(index, count), 0, dst, dstOffset, count);
        }

        @Override
        public void copyFrom(final int index, final double[] src, final int srcOffset, final int count)
        {
            store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
        }

        @Override
        public void copyTo(final int index, final double[] dst, final int dstOffset, final int count)
        {
            System.arraycopy(slice(index, count), 0, dst, dstOffset, count);
        }

        @Override
        public void copyFrom(final int index, final byte[] src, final int srcOffset, final int count)
        {
            store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
        }

        @Override
        public void copyTo(final int index, final byte[] dst, final int dstOffset, final int count)
        {
            System.arraycopy(slice(index, count), 0, dst, dstOffset, count);
        }

        private Object all(final ElementType wanted)
        {
            if (type != wanted)
            {
                throw new IllegalStateException("array of " + type.name().toLowerCase() + ", not " + wanted.name().toLowerCase() + " (a manager Array)");
            }
            return slice(0, length);
        }

        @Override
        public int[] toIntArray()
        {
            return (int[])all(ElementType.INT);
        }

        @Override
        public long[] toLongArray()
        {
            return (long[])all(ElementType.LONG);
        }

        @Override
        public double[] toDoubleArray()
        {
            return (double[])all(ElementType.DOUBLE);
        }

        @Override
        public byte[] toByteArray()
        {
            return (byte[])all(ElementType.BYTE);
        }

        @Override
        public void close()
        {
            // nothing to unmap: the array lives in the server until released
        }

        @Override
        public String toString()
        {
            final Object shown;
            switch (type)
            {
                case INT:
                    shown = Arrays.toString((int[])data);
                    break;
                case LONG:
                    shown = Arrays.toString((long[])data);
                    break;
                case DOUBLE:
                    shown = Arrays.toString((double[])data);
                    break;
                default:
                    shown = Arrays.toString((byte[])data);
            }
            return "Array('" + type.typecode() + "', " + shown + ")";
        }
    }
}

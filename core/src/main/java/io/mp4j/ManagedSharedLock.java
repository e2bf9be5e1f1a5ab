package io.mp4j;

import io.mp4j.shm.SharedLock;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the client sides of a manager {@link io.mp4j.shm.Lock} and {@link io.mp4j.shm.RLock} share: every
 * method is one call to the lock held in the manager's server (see {@link ManagerHosted.HostedLock}).
 *
 * <p>Ownership is per thread of a process, because each client thread has its own connection and the
 * server thread serving it is the owner. {@link #previousOwnerDied()} is true for a holding that followed a
 * holder whose connection to the manager ended while it held the lock (its process died, or its thread's
 * connection was closed by an interrupt), which the server then released; {@link #recoveries()} counts
 * those releases. Waiting happens in the server, so an idle strategy has nothing to do here.
 */
abstract class ManagedSharedLock extends ManagerAdapter<ManagerHosted.LockWire> implements SharedLock
{
    private static final long serialVersionUID = 1L;
    static final long PID = ProcessHandle.current().pid();

    private transient volatile Held held;

    ManagedSharedLock(final ManagerHosted.LockWire remote)
    {
        super(remote);
    }

    @Override
    public boolean acquire()
    {
        return remote.acquire(PID, -1);
    }

    @Override
    public boolean acquire(final boolean block)
    {
        return remote.acquire(PID, block ? -1 : 0);
    }

    @Override
    public boolean acquire(final Duration timeout)
    {
        return remote.acquire(PID, ManagerHosted.nanos(timeout));
    }

    @Override
    public boolean acquire(final long timeout, final TimeUnit unit)
    {
        return remote.acquire(PID, ManagerHosted.nanos(timeout, unit));
    }

    @Override
    public void lock()
    {
        remote.acquire(PID, -1);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        remote.acquireInterruptibly(PID);
    }

    @Override
    public boolean tryLock()
    {
        return remote.acquire(PID, 0);
    }

    @Override
    public boolean tryLock(final long time, final TimeUnit unit) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        return remote.acquire(PID, ManagerHosted.nanos(time, unit));
    }

    @Override
    public void release()
    {
        remote.release();
    }

    @Override
    public void unlock()
    {
        remote.unlock();
    }

    @Override
    public Held locked()
    {
        lock();
        Held h = held;
        if (h == null)
        {
            h = this::unlock;
            held = h;
        }
        return h;
    }

    @Override
    public boolean isHeldByCurrentThread()
    {
        return remote.isHeldByCurrentThread();
    }

    @Override
    public boolean isLocked()
    {
        return remote.isLocked();
    }

    @Override
    public boolean previousOwnerDied()
    {
        return remote.previousOwnerDied();
    }

    @Override
    public long recoveries()
    {
        return remote.recoveries();
    }

    /**
     * @return the pid of the holder, or 0 if free.
     */
    public long ownerPid()
    {
        return remote.ownerPid();
    }

    /**
     * Not supported: use {@link Manager#condition(SharedLock)}.
     *
     * @throws UnsupportedOperationException always.
     */
    @Override
    public java.util.concurrent.locks.Condition newCondition()
    {
        throw new UnsupportedOperationException("a manager lock has no java.util.concurrent conditions: use Manager.condition(lock)");
    }

}

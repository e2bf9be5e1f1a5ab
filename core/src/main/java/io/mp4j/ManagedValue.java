package io.mp4j;

import io.mp4j.shm.ElementType;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;

import java.io.Serializable;

/**
 * The client side of {@link Manager#value(String, Object)}: Python's {@code manager.Value(typecode, value)}
 * through the {@link Value} interface, with the typed accessors, widening rules and atomic operations of a
 * memory-mapped value. Each method is one call to the value in the manager's server, run under the value's
 * monitor there, so each is atomic. {@link #getLock()} returns a manager {@link io.mp4j.shm.RLock} made
 * with the value (Python's manager values have none; mp4j's {@code Value} interface has one), to guard a
 * compound update such as {@code v.setInt(v.getInt() + 1)}. Serializable: passed to a {@link Process} or a
 * pool task it travels as its proxy does and works in the child.
 */
final class ManagedValue extends ManagerAdapter<ManagerHosted.ValueWire> implements Value
{
    private static final long serialVersionUID = 1L;

    private final ManagedRLock lock;
    private final ElementType type;

    ManagedValue(final ManagerHosted.ValueWire remote, final ManagedRLock lock, final ElementType type)
    {
        super(remote);
        this.lock = lock;
        this.type = type;
    }

    @Override
    public ElementType type()
    {
        return type;
    }

    @Override
    public SharedLock getLock()
    {
        return lock;
    }

    @Override
    public boolean hasLock()
    {
        return true;
    }

    @Override
    public int getInt()
    {
        return remote.getInt();
    }

    @Override
    public void setInt(final int value)
    {
        remote.setInt(value);
    }

    @Override
    public long getLong()
    {
        return remote.getLong();
    }

    @Override
    public void setLong(final long value)
    {
        remote.setLong(value);
    }

    @Override
    public double getDouble()
    {
        return remote.getDouble();
    }

    @Override
    public void setDouble(final double value)
    {
        remote.setDouble(value);
    }

    @Override
    public boolean getBoolean()
    {
        return remote.getBoolean();
    }

    @Override
    public void setBoolean(final boolean value)
    {
        remote.setBoolean(value);
    }

    @Override
    public Object value()
    {
        return remote.value();
    }

    @Override
    public void value(final Object value)
    {
        remote.value(value);
    }

    @Override
    public long get()
    {
        return remote.getLong();
    }

    @Override
    public void set(final long value)
    {
        remote.setLong(value);
    }

    @Override
    public long addAndGet(final long delta)
    {
        return remote.addAndGet(delta);
    }

    @Override
    public long getAndAdd(final long delta)
    {
        return remote.getAndAdd(delta);
    }

    @Override
    public long incrementAndGet()
    {
        return remote.incrementAndGet();
    }

    @Override
    public long decrementAndGet()
    {
        return remote.decrementAndGet();
    }

    @Override
    public long getAndIncrement()
    {
        return remote.getAndIncrement();
    }

    @Override
    public long getAndSet(final long value)
    {
        return remote.getAndSet(value);
    }

    @Override
    public boolean compareAndSet(final long expected, final long update)
    {
        return remote.compareAndSet(expected, update);
    }

    @Override
    public double addAndGet(final double delta)
    {
        return remote.addAndGet(delta);
    }

    @Override
    public boolean compareAndSet(final double expected, final double update)
    {
        return remote.compareAndSet(expected, update);
    }

    @Override
    public boolean compareAndSet(final boolean expected, final boolean update)
    {
        return remote.compareAndSet(expected, update);
    }

}

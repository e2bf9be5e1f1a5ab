package io.mp4j.cluster;

import io.mp4j.shm.ElementType;
import io.mp4j.shm.SharedLock;
import io.mp4j.shm.Value;
import org.apache.ignite.IgniteAtomicLong;

import java.io.ObjectStreamException;
import java.util.Locale;

/**
 * A {@link Value} of type int, long, double or boolean held by the cluster: one Ignite atomic long (a
 * double as its IEEE bits, a boolean as 0/1), so every operation, including {@code incrementAndGet} and
 * {@code compareAndSet}, is one linearizable round trip to the value's primary member; {@code addAndGet}
 * on a double is a compare-and-set loop. An int value wraps as Java's int does (an add that leaves the int
 * range puts the wrapped int back with a compare-and-set), and a delta beyond an int is refused with an
 * {@code IllegalArgumentException}, as in the mapped {@code Value}. {@link #getLock()} is a {@link ClusterRLock} of the
 * value's own, as Python's {@code Value(...).get_lock()}: no name a user can give reaches it.
 *
 * <p>The type is not stored in the cluster: every JVM that opens the value by name must give the same
 * typecode (a handle sent to a task carries it).
 */
public final class ClusterValue implements Value
{
    private static final long serialVersionUID = 1L;

    private final transient ClusterBackend backend;
    private final String name;
    private final ElementType type;
    private final transient IgniteAtomicLong cell;
    private transient volatile SharedLock lock;

    ClusterValue(final ClusterBackend backend, final String name, final ElementType type, final IgniteAtomicLong cell)
    {
        this.backend = backend;
        this.name = name;
        this.type = type;
        this.cell = cell;
    }

    static long encode(final ElementType type, final Object value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("a Value cannot hold null");
        }
        switch (type)
        {
            case INT:
                if (!(value instanceof Integer || value instanceof Short || value instanceof Byte) &&
                    !(value instanceof Long && (Long)value == ((Long)value).intValue()))
                {
                    throw new IllegalArgumentException("int value cannot hold " + value);
                }
                return ((Number)value).intValue();
            case LONG:
                if (value instanceof Double || value instanceof Float || !(value instanceof Number))
                {
                    throw new IllegalArgumentException("long value cannot hold " + value);
                }
                return ((Number)value).longValue();
            case DOUBLE:
                if (!(value instanceof Number))
                {
                    throw new IllegalArgumentException("double value cannot hold " + value);
                }
                return Double.doubleToRawLongBits(((Number)value).doubleValue());
            case BOOLEAN:
                if (value instanceof Boolean)
                {
                    return (Boolean)value ? 1 : 0;
                }
                if (value instanceof Number)
                {
                    return ((Number)value).longValue() != 0 ? 1 : 0;
                }
                throw new IllegalArgumentException("boolean value cannot hold " + value);
            default:
                throw new IllegalArgumentException("a Value holds int, long, double or boolean, not " + type);
        }
    }

    private IllegalStateException wrongType(final String wanted)
    {
        return new IllegalStateException("value is " + type.name().toLowerCase(Locale.ROOT) + ", not " + wanted + ": " + this);
    }

    private long toInt(final long value)
    {
        if (type == ElementType.INT && value != (int)value)
        {
            throw new IllegalArgumentException("value=" + value + " does not fit an int value: " + this);
        }
        return value;
    }

    private void integral()
    {
        if (type != ElementType.INT && type != ElementType.LONG)
        {
            throw wrongType("int or long");
        }
    }

    @Override
    public ElementType type()
    {
        return type;
    }

    @Override
    public SharedLock getLock()
    {
        SharedLock l = lock;
        if (l == null)
        {
            l = backend.valueLock(name);
            lock = l;
        }
        return l;
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
        return (int)cell.get();
    }

    /** @return the stored value, an int value's wrapped to an int (it is briefly wider after an overflow). */
    private long stored()
    {
        final long v = cell.get();
        return type == ElementType.INT ? (int)v : v;
    }

    @Override
    public void setInt(final int value)
    {
        if (type != ElementType.INT)
        {
            throw wrongType("int");
        }
        cell.getAndSet(value);
    }

    @Override
    public long getLong()
    {
        integral();
        return stored();
    }

    @Override
    public void setLong(final long value)
    {
        integral();
        cell.getAndSet(toInt(value));
    }

    @Override
    public double getDouble()
    {
        if (type == ElementType.DOUBLE)
        {
            return Double.longBitsToDouble(cell.get());
        }
        if (type == ElementType.BOOLEAN)
        {
            throw wrongType("numeric");
        }
        return stored();
    }

    @Override
    public void setDouble(final double value)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        cell.getAndSet(Double.doubleToRawLongBits(value));
    }

    @Override
    public boolean getBoolean()
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        return cell.get() != 0;
    }

    @Override
    public void setBoolean(final boolean value)
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        cell.getAndSet(value ? 1 : 0);
    }

    @Override
    public void value(final Object value)
    {
        cell.getAndSet(encode(type, value));
    }

    @Override
    public long addAndGet(final long delta)
    {
        final long next = add(delta) + delta;
        return type == ElementType.INT ? (int)next : next;
    }

    @Override
    public long getAndAdd(final long delta)
    {
        final long previous = add(delta);
        return type == ElementType.INT ? (int)previous : previous;
    }

    /**
     * Add as Java's int and long do: an int value wraps. The atomic holds a long, so an int's add is one
     * {@code getAndAdd} and, only when the sum left the int range, a compare-and-set loop that puts back
     * the wrapped int; adds racing with it are kept, since wrapping is arithmetic modulo 2^32. Until then
     * a reader wraps what it reads, and {@link #compareAndSet(long, long)} compares wrapped values.
     *
     * @return the value before the add, not wrapped.
     */
    private long add(final long delta)
    {
        integral();
        if (type != ElementType.INT)
        {
            return cell.getAndAdd(delta);
        }
        if (delta != (int)delta)
        {
            // a delta cut to its low 32 bits would add something else than asked
            throw new IllegalArgumentException("delta=" + delta + " does not fit an int value: " + this);
        }
        final long previous = cell.getAndAdd(delta);
        final long next = previous + delta;
        if (next != (int)next)
        {
            long v;
            while ((v = cell.get()) != (int)v && !cell.compareAndSet(v, (int)v))
            {
                Thread.onSpinWait();
            }
        }
        return previous;
    }

    @Override
    public long incrementAndGet()
    {
        return addAndGet(1);
    }

    @Override
    public long decrementAndGet()
    {
        return addAndGet(-1);
    }

    @Override
    public long getAndIncrement()
    {
        return getAndAdd(1);
    }

    @Override
    public long getAndSet(final long value)
    {
        integral();
        final long previous = cell.getAndSet(toInt(value));
        return type == ElementType.INT ? (int)previous : previous;
    }

    @Override
    public boolean compareAndSet(final long expected, final long update)
    {
        integral();
        if (type != ElementType.INT)
        {
            return cell.compareAndSet(expected, update);
        }
        if (expected != (int)expected)
        {
            return false;
        }
        final long next = toInt(update);
        if (cell.compareAndSet(expected, next))
        {
            return true;
        }
        // an add that overflowed may not have put the wrapped int back yet: compare the wrapped value
        long v;
        while ((v = cell.get()) != (int)v && (int)v == expected)
        {
            if (cell.compareAndSet(v, next))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public double addAndGet(final double delta)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        while (true)
        {
            final long bits = cell.get();
            final double next = Double.longBitsToDouble(bits) + delta;
            if (cell.compareAndSet(bits, Double.doubleToRawLongBits(next)))
            {
                return next;
            }
        }
    }

    @Override
    public boolean compareAndSet(final double expected, final double update)
    {
        if (type != ElementType.DOUBLE)
        {
            throw wrongType("double");
        }
        return cell.compareAndSet(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(update));
    }

    @Override
    public boolean compareAndSet(final boolean expected, final boolean update)
    {
        if (type != ElementType.BOOLEAN)
        {
            throw wrongType("boolean");
        }
        return cell.compareAndSet(expected ? 1 : 0, update ? 1 : 0);
    }

    /**
     * @return the value's name in the cluster.
     */
    public String name()
    {
        return name;
    }

    @Override
    public void close()
    {
        // the value belongs to the cluster; this handle holds nothing to release
    }

    private Object writeReplace() throws ObjectStreamException
    {
        return new ClusterHandle(ClusterHandle.Kind.VALUE, name, String.valueOf(type.typecode()), 0);
    }

    @Override
    public String toString()
    {
        return "cluster value '" + name + "' (" + type.name().toLowerCase(Locale.ROOT) + ")";
    }
}

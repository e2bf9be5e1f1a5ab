package io.mp4j;

import io.mp4j.shm.Array;
import io.mp4j.shm.ElementType;
import io.mp4j.shm.SharedLock;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The client side of {@link Manager#array(String, int)}: Python's {@code manager.Array(typecode, sequence)}
 * through the {@link Array} interface, with a memory-mapped array's typed accessors and index checks. Each
 * method is one call to the array in the manager's server, run under the array's monitor there, so a bulk
 * copy is seen whole; {@code copyTo}/{@code copyFrom} move only the elements asked for.
 * {@link #getLock()} returns a manager {@link io.mp4j.shm.RLock} made with the array, to guard compound
 * updates. Serializable: passed to a {@link Process} or a pool task it travels as its proxy does and works
 * in the child.
 */
final class ManagedArray extends ManagerAdapter<ManagerHosted.ArrayWire> implements Array
{
    private static final long serialVersionUID = 1L;

    private final ManagedRLock lock;
    private final ElementType type;
    private final int length;

    ManagedArray(final ManagerHosted.ArrayWire remote, final ManagedRLock lock, final ElementType type, final int length)
    {
        super(remote);
        this.lock = lock;
        this.type = type;
        this.length = length;
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
        return lock;
    }

    @Override
    public boolean hasLock()
    {
        return true;
    }

    @Override
    public int getInt(final int index)
    {
        return remote.getInt(index);
    }

    @Override
    public void setInt(final int index, final int value)
    {
        remote.setInt(index, value);
    }

    @Override
    public long getLong(final int index)
    {
        return remote.getLong(index);
    }

    @Override
    public void setLong(final int index, final long value)
    {
        remote.setLong(index, value);
    }

    @Override
    public double getDouble(final int index)
    {
        return remote.getDouble(index);
    }

    @Override
    public void setDouble(final int index, final double value)
    {
        remote.setDouble(index, value);
    }

    @Override
    public byte getByte(final int index)
    {
        return remote.getByte(index);
    }

    @Override
    public void setByte(final int index, final byte value)
    {
        remote.setByte(index, value);
    }

    @Override
    public int addAndGetInt(final int index, final int delta)
    {
        return remote.addAndGetInt(index, delta);
    }

    @Override
    public long addAndGetLong(final int index, final long delta)
    {
        return remote.addAndGetLong(index, delta);
    }

    /** Checks the element type and the Java array's range here, the shared array's range in the server. */
    private void check(final ElementType wanted, final int index, final int count, final int javaLength, final int javaOffset)
    {
        if (type != wanted)
        {
            throw new IllegalStateException("array of " + type.name().toLowerCase() + ", not " + wanted.name().toLowerCase() + " (a manager Array)");
        }
        if (count < 0 || index < 0 || index > length - count || javaOffset < 0 || javaOffset > javaLength - count)
        {
            throw new IndexOutOfBoundsException("index=" + index + ", count=" + count + ", length=" + length +
                ", javaArrayOffset=" + javaOffset + ", javaArrayLength=" + javaLength + " (a manager Array)");
        }
    }

    @Override
    public void copyFrom(final int index, final int[] src, final int srcOffset, final int count)
    {
        check(ElementType.INT, index, count, src.length, srcOffset);
        remote.store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
    }

    @Override
    public void copyTo(final int index, final int[] dst, final int dstOffset, final int count)
    {
        check(ElementType.INT, index, count, dst.length, dstOffset);
        System.arraycopy(remote.slice(index, count), 0, dst, dstOffset, count);
    }

    @Override
    public void copyFrom(final int index, final long[] src, final int srcOffset, final int count)
    {
        check(ElementType.LONG, index, count, src.length, srcOffset);
        remote.store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
    }

    @Override
    public void copyTo(final int index, final long[] dst, final int dstOffset, final int count)
    {
        check(ElementType.LONG, index, count, dst.length, dstOffset);
        System.arraycopy(remote.slice(index, count), 0, dst, dstOffset, count);
    }

    @Override
    public void copyFrom(final int index, final double[] src, final int srcOffset, final int count)
    {
        check(ElementType.DOUBLE, index, count, src.length, srcOffset);
        remote.store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
    }

    @Override
    public void copyTo(final int index, final double[] dst, final int dstOffset, final int count)
    {
        check(ElementType.DOUBLE, index, count, dst.length, dstOffset);
        System.arraycopy(remote.slice(index, count), 0, dst, dstOffset, count);
    }

    @Override
    public void copyFrom(final int index, final byte[] src, final int srcOffset, final int count)
    {
        check(ElementType.BYTE, index, count, src.length, srcOffset);
        remote.store(index, Arrays.copyOfRange(src, srcOffset, srcOffset + count));
    }

    @Override
    public void copyTo(final int index, final byte[] dst, final int dstOffset, final int count)
    {
        check(ElementType.BYTE, index, count, dst.length, dstOffset);
        System.arraycopy(remote.slice(index, count), 0, dst, dstOffset, count);
    }

    @Override
    public int[] toIntArray()
    {
        return remote.toIntArray();
    }

    @Override
    public long[] toLongArray()
    {
        return remote.toLongArray();
    }

    @Override
    public double[] toDoubleArray()
    {
        return remote.toDoubleArray();
    }

    @Override
    public byte[] toByteArray()
    {
        return remote.toByteArray();
    }

}

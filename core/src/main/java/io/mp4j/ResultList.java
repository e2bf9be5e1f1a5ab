package io.mp4j;

import org.agrona.DirectBuffer;

import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The list {@link Pool#map} and {@link Pool#starmap} return: fixed-size, in input order, like
 * {@link java.util.Arrays#asList}. While every result is an {@code Integer}, a {@code Long} or a
 * {@code Double} (one kind for the whole list), the results stay in a primitive array and are boxed when
 * read; the first result of another kind, or a {@code set} of one, moves them into an {@code Object[]}.
 *
 * <p>Why: a map's results arrive as primitive columns ({@link TaskCodec}). Boxing 200,000 {@code Long}s
 * up front cost the caller 3.2 MB of fresh heap per call, and on this project's machine the page faults of
 * a JVM's young heap touching new memory (it grows for the first hundreds of megabytes) took longer than
 * the map itself. A reader that unboxes at once ({@code long x = list.get(i)}) allocates nothing once
 * the JIT has inlined {@code get}.
 *
 * <p>{@code ==} between two reads of the same element may be false (as between any two {@code Long}s of
 * equal value outside the small-value cache); {@code equals} is true. Serialized as an
 * {@link ArrayList}. Not thread-safe, as {@code Arrays.asList} is not.
 *
 * @param <E> the element type.
 */
final class ResultList<E> extends AbstractList<E> implements RandomAccess, Serializable
{
    private static final long serialVersionUID = 1L;

    /** No result has arrived yet. */
    private static final int KIND_NONE = 0;

    private final int size;
    private int kind = KIND_NONE;
    private int[] ints;
    /** longs, or doubles as their raw bits. */
    private long[] longs;
    private Object[] objects;

    ResultList(final int size)
    {
        this.size = size;
    }

    /**
     * Store a column of results encoded by {@link TaskCodec} at {@code offset}, from element {@code start}.
     */
    void decode(final DirectBuffer buf, final int offset, final int start)
    {
        final int columnKind = buf.getInt(offset + TaskCodec.KIND_OFFSET);
        if (kind == KIND_NONE && objects == null)
        {
            if (columnKind == TaskCodec.KIND_INT)
            {
                ints = new int[size];
                kind = columnKind;
            }
            else if (columnKind == TaskCodec.KIND_LONG || columnKind == TaskCodec.KIND_DOUBLE)
            {
                longs = new long[size];
                kind = columnKind;
            }
            else
            {
                objects = new Object[size];
            }
        }
        if (columnKind != kind || objects != null)
        {
            inflate();
            TaskCodec.decode(buf, offset, objects, start);
            return;
        }
        final int count = buf.getInt(offset + TaskCodec.COUNT_OFFSET);
        int pos = offset + TaskCodec.BODY_OFFSET;
        if (kind == TaskCodec.KIND_INT)
        {
            final int[] dest = ints;
            for (int i = 0; i < count; i++, pos += 4)
            {
                dest[start + i] = buf.getInt(pos);
            }
        }
        else
        {
            final long[] dest = longs;
            for (int i = 0; i < count; i++, pos += 8)
            {
                dest[start + i] = buf.getLong(pos);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(final int index)
    {
        Objects.checkIndex(index, size);
        switch (kind)
        {
            case TaskCodec.KIND_INT:
                return (E)Integer.valueOf(ints[index]);
            case TaskCodec.KIND_LONG:
                return (E)Long.valueOf(longs[index]);
            case TaskCodec.KIND_DOUBLE:
                return (E)Double.valueOf(Double.longBitsToDouble(longs[index]));
            default:
                return objects == null ? null : (E)objects[index];
        }
    }

    @Override
    public E set(final int index, final E element)
    {
        final E old = get(index);
        final Class<?> type = element == null ? null : element.getClass();
        if (kind == TaskCodec.KIND_INT && type == Integer.class)
        {
            ints[index] = (Integer)element;
        }
        else if (kind == TaskCodec.KIND_LONG && type == Long.class)
        {
            longs[index] = (Long)element;
        }
        else if (kind == TaskCodec.KIND_DOUBLE && type == Double.class)
        {
            longs[index] = Double.doubleToRawLongBits((Double)element);
        }
        else
        {
            inflate();
            objects[index] = element;
        }
        return old;
    }

    @Override
    public int size()
    {
        return size;
    }

    /** Move the results into {@link #objects}, boxed, for good. */
    private void inflate()
    {
        if (objects == null)
        {
            final Object[] boxed = new Object[size];
            for (int i = 0; i < size; i++)
            {
                boxed[i] = get(i);
            }
            objects = boxed;
        }
        kind = TaskCodec.KIND_OBJECT;
        ints = null;
        longs = null;
    }

    private Object writeReplace()
    {
        return new ArrayList<>(this);
    }
}

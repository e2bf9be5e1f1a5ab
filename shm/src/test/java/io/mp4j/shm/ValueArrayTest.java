package io.mp4j.shm;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueArrayTest
{
    @AutoClose
    final RuntimeDirectory dir = RuntimeDirectory.create();

    @Test
    void typecodesAndAtomics()
    {
        final MappedValue i = MappedValue.create(dir, "i", "i", 5);
        assertEquals(ElementType.INT, i.type());
        assertEquals(6, i.incrementAndGet());
        assertEquals(16, i.addAndGet(10));
        assertTrue(i.compareAndSet(16, 1));
        assertFalse(i.compareAndSet(16, 2));
        assertEquals(1, i.getInt());
        assertThrows(IllegalArgumentException.class, () -> i.set(1L << 40));
        assertThrows(IllegalStateException.class, i::getBoolean);
        assertEquals(Integer.MIN_VALUE, Value.create(dir, "w", "i", Integer.MAX_VALUE).incrementAndGet());

        final MappedValue l = MappedValue.create(dir, "l", "l", 1L << 40);
        assertEquals((1L << 40) + 1, l.incrementAndGet());
        assertEquals(1L << 40, l.decrementAndGet());
        assertEquals(1L << 40, l.getAndSet(3));
        assertEquals(3L, l.value());

        final MappedValue d = MappedValue.create(dir, "d", "d", 1.5);
        assertEquals(2.0, d.addAndGet(0.5));
        assertTrue(d.compareAndSet(2.0, 3.0));
        assertEquals(3.0, d.getDouble());
        assertThrows(IllegalStateException.class, d::get);

        final MappedValue b = MappedValue.create(dir, "b", "?", true);
        assertTrue(b.getBoolean());
        assertTrue(b.compareAndSet(true, false));
        assertEquals(Boolean.FALSE, b.value());

        assertThrows(IllegalArgumentException.class, () -> Value.create(dir, "x", "z", 0));
        assertThrows(IllegalArgumentException.class, () -> Value.create(dir, "y", "b", 0));
    }

    @Test
    void addAndGetOfAnIntReturnsTheIntStoredAndRefusesADeltaBeyondAnInt()
    {
        final Value max = Value.create(dir, "max", "i", Integer.MAX_VALUE);
        assertEquals(Integer.MIN_VALUE, max.addAndGet(1));   // was 2147483648, with -2147483648 stored
        assertEquals(Integer.MIN_VALUE, max.getInt());
        assertEquals(Integer.MAX_VALUE, max.addAndGet(-1));
        assertEquals(Integer.MAX_VALUE, max.getAndAdd(1));
        assertEquals(Integer.MIN_VALUE, max.getInt());

        final Value five = Value.create(dir, "five", "i", 5);
        // was 4294967301 returned, 5 stored: the delta cut to its low 32 bits (0)
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> five.addAndGet(1L << 32));
        assertTrue(ex.getMessage().contains("delta=4294967296"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> five.getAndAdd(Integer.MIN_VALUE - 1L));
        assertEquals(5, five.getInt());
        assertEquals(5 + Integer.MIN_VALUE, five.addAndGet(Integer.MIN_VALUE));

        final Value big = Value.create(dir, "big", "l", Long.MAX_VALUE - 1);
        assertEquals(Long.MAX_VALUE, big.addAndGet(1));
        assertEquals(1L << 32, Value.create(dir, "wide", "l", 0L).addAndGet(1L << 32));
    }

    @Test
    void aFailedCreationLeavesNoLockFileBehindAndTheNameCanBeCreatedAfterwards()
    {
        final Path valueLock = dir.path().resolve("v" + MappedValue.LOCK_SUFFIX);
        assertThrows(IllegalArgumentException.class, () -> Value.create(dir, "v", "i", 1.5));
        assertFalse(Files.exists(valueLock), "v.lock left behind");
        assertFalse(Files.exists(dir.path().resolve("v")));
        assertEquals(1, Value.create(dir, "v", "i", 1).getInt());   // was: "a region already exists there"

        final Path arrayLock = dir.path().resolve("a" + MappedValue.LOCK_SUFFIX);
        assertThrows(IllegalArgumentException.class, () -> Array.create(dir, "a", "i", -1));
        assertFalse(Files.exists(arrayLock), "a.lock left behind");
        assertEquals(2, Array.create(dir, "a", "i", 2).length());

        // the object's own file is taken (by a raw object): the lock made for it goes again
        Value.createRaw(dir, "taken", ElementType.INT, 0);
        assertThrows(IllegalStateException.class, () -> Array.create(dir, "taken", "i", 1));
        assertThrows(IllegalStateException.class, () -> Value.create(dir, "taken", "i", 1));
        assertThrows(IllegalStateException.class, () -> Condition.create(dir, "taken"));
        assertFalse(Files.exists(dir.path().resolve("taken" + MappedValue.LOCK_SUFFIX)), "taken.lock left behind");
    }

    @Test
    void lockByDefaultRawWithout() throws Exception
    {
        final MappedValue v = MappedValue.create(dir, "v", ElementType.INT, 0);
        assertTrue(v.getLock() instanceof RLock);
        final MappedValue attached = MappedValue.attach(v.path());
        assertSame(v.getLock(), attached.getLock(), "the same lock attachment is reused");
        final MappedValue raw = MappedValue.createRaw(dir, "raw", ElementType.INT, 0);
        assertFalse(raw.hasLock());
        assertThrows(UnsupportedOperationException.class, raw::getLock);
        final MappedLock shared = MappedLock.create(dir, "shared");
        final MappedValue guarded = MappedValue.create(dir, "g", ElementType.LONG, 0, shared);
        assertSame(shared, guarded.getLock());
        assertSame(v, LockTest.roundTrip(v));
    }

    @Test
    void lockedIncrementsFromManyThreads() throws Exception
    {
        final MappedValue v = MappedValue.create("i", 0);
        final MappedValue atomic = MappedValue.create("l", 0);
        final CompletableFuture<?>[] futures = new CompletableFuture<?>[4];
        for (int t = 0; t < futures.length; t++)
        {
            futures[t] = CompletableFuture.runAsync(() ->
            {
                for (int k = 0; k < 10_000; k++)
                {
                    // a read-modify-write under the lock (Python style) ...
                    v.getLock().run(() -> v.setInt(v.getInt() + 1));
                    // ... and lock-free atomics, on another value: the two are not atomic with each other
                    atomic.incrementAndGet();
                }
            });
        }
        CompletableFuture.allOf(futures).get(60, TimeUnit.SECONDS);
        assertEquals(40_000, v.getInt());
        assertEquals(40_000, atomic.getLong());
    }

    @Test
    void arraysTypedAndBoundsChecked()
    {
        final MappedArray a = MappedArray.create(dir, "a", "i", 10);
        assertEquals(10, a.length());
        a.copyFrom(0, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 10);
        a.setInt(3, 30);
        assertEquals(30, a.getInt(3));
        assertEquals(31, a.addAndGetInt(3, 1));
        final IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class, () -> a.getInt(10));
        assertTrue(oob.getMessage().contains("index=10, length=10"), oob.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> a.setInt(-1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.copyFrom(5, new int[6], 0, 6));
        assertThrows(IllegalStateException.class, () -> a.getLong(0));
        assertArrayEquals(new int[] {0, 1, 2, 31, 4, 5, 6, 7, 8, 9}, Array.attach(a.path()).toIntArray());

        final MappedArray l = MappedArray.createRaw(dir, "l", ElementType.LONG, 3);
        l.copyFrom(0, new long[] {1, 2, 3}, 0, 3);
        assertArrayEquals(new long[] {1, 2, 3}, l.toLongArray());
        final MappedArray d = MappedArray.create(dir, "d", ElementType.DOUBLE, 2);
        d.setDouble(1, 2.5);
        assertArrayEquals(new double[] {0, 2.5}, d.toDoubleArray());
        final MappedArray b = MappedArray.create(dir, "b", "b", 4);
        b.copyFrom(1, new byte[] {7, 8}, 0, 2);
        assertArrayEquals(new byte[] {0, 7, 8, 0}, b.toByteArray());
        assertArrayEquals(new int[] {1, 2}, Array.of(1, 2).toIntArray());
    }

    /**
     * The copies run through Unsafe, which checks nothing: the Java array's side of the range is checked
     * by hand, and must be for every element type and both directions. Each case is in range on the shared
     * side (index 0, count at most its length), so only the Java-side check can refuse it. The reads past a
     * Java array (copyFrom) come first: without the check, the test fails on them before any write
     * (copyTo) lands outside a heap array.
     */
    @Test
    void bulkCopiesCheckTheJavaArraysBoundsForEveryElementType()
    {
        final int sharedLength = 8;
        final int javaLength = 4;
        // {javaOffset, count}: past the end by one, beyond it, negative, offset + count overflowing an int
        final int[][] outOfRange = {
            {1, javaLength}, {0, javaLength + 1}, {javaLength, 1}, {javaLength + 1, 0}, {-1, 1}, {-1, 0},
            {Integer.MAX_VALUE, 1}, {Integer.MAX_VALUE - 2, 4}, {Integer.MIN_VALUE, 2}};
        final ElementType[] types = {ElementType.INT, ElementType.LONG, ElementType.DOUBLE, ElementType.BYTE};
        final MappedArray[] arrays = new MappedArray[types.length];
        for (int t = 0; t < types.length; t++)
        {
            arrays[t] = MappedArray.createRaw(dir, "copy-" + types[t], types[t], sharedLength);
        }
        for (final boolean from : new boolean[] {true, false})
        {
            for (final MappedArray array : arrays)
            {
                final Object javaSide = javaArray(array.type(), javaLength);
                final String sharedBefore = contents(array);
                final String javaBefore = contents(javaSide);
                for (final int[] c : outOfRange)
                {
                    final String what = array.type() + (from ? " copyFrom" : " copyTo") + " javaArrayOffset=" + c[0] + ", count=" + c[1];
                    final IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
                        () -> copy(array, from, javaSide, c[0], c[1]), what);
                    assertTrue(ex.getMessage().contains("count=" + c[1]) &&
                        ex.getMessage().contains("javaArrayOffset=" + c[0] + ", javaArrayLength=" + javaLength), what + ": " + ex.getMessage());
                    assertEquals(sharedBefore, contents(array), what + " wrote the shared array");
                    assertEquals(javaBefore, contents(javaSide), what + " wrote the Java array");
                }
                // the edges that are in range still copy
                copy(array, from, javaSide, 0, javaLength);
                copy(array, from, javaSide, javaLength, 0);
            }
        }
        assertEquals("[1, 2, 3, 4, 0, 0, 0, 0]", contents(arrays[0]));
        assertEquals("[1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0]", contents(arrays[2]));
    }

    /** A Java array of {@code type} holding 1, 2, 3, ... */
    private static Object javaArray(final ElementType type, final int length)
    {
        final Object array = switch (type)
        {
            case INT -> new int[length];
            case LONG -> new long[length];
            case DOUBLE -> new double[length];
            case BYTE -> new byte[length];
            default -> throw new IllegalArgumentException(type.toString());
        };
        for (int i = 0; i < length; i++)
        {
            switch (type)
            {
                case INT -> ((int[])array)[i] = i + 1;
                case LONG -> ((long[])array)[i] = i + 1;
                case DOUBLE -> ((double[])array)[i] = i + 1;
                default -> ((byte[])array)[i] = (byte)(i + 1);
            }
        }
        return array;
    }

    private static void copy(final MappedArray array, final boolean from, final Object javaSide, final int javaOffset, final int count)
    {
        switch (array.type())
        {
            case INT ->
            {
                if (from)
                {
                    array.copyFrom(0, (int[])javaSide, javaOffset, count);
                }
                else
                {
                    array.copyTo(0, (int[])javaSide, javaOffset, count);
                }
            }
            case LONG ->
            {
                if (from)
                {
                    array.copyFrom(0, (long[])javaSide, javaOffset, count);
                }
                else
                {
                    array.copyTo(0, (long[])javaSide, javaOffset, count);
                }
            }
            case DOUBLE ->
            {
                if (from)
                {
                    array.copyFrom(0, (double[])javaSide, javaOffset, count);
                }
                else
                {
                    array.copyTo(0, (double[])javaSide, javaOffset, count);
                }
            }
            default ->
            {
                if (from)
                {
                    array.copyFrom(0, (byte[])javaSide, javaOffset, count);
                }
                else
                {
                    array.copyTo(0, (byte[])javaSide, javaOffset, count);
                }
            }
        }
    }

    private static String contents(final MappedArray array)
    {
        return switch (array.type())
        {
            case INT -> Arrays.toString(array.toIntArray());
            case LONG -> Arrays.toString(array.toLongArray());
            case DOUBLE -> Arrays.toString(array.toDoubleArray());
            default -> Arrays.toString(array.toByteArray());
        };
    }

    private static String contents(final Object javaSide)
    {
        if (javaSide instanceof int[] ints)
        {
            return Arrays.toString(ints);
        }
        if (javaSide instanceof long[] longs)
        {
            return Arrays.toString(longs);
        }
        if (javaSide instanceof double[] doubles)
        {
            return Arrays.toString(doubles);
        }
        return Arrays.toString((byte[])javaSide);
    }

    @Test
    void corruptedAndWrongTypeRegionsAreRefused() throws Exception
    {
        final MappedArray a = MappedArray.createRaw(dir, "a", ElementType.INT, 4);
        assertThrows(InvalidRegionException.class, () -> Value.attach(a.path()));
        // corrupt the length: claims more elements than the file holds
        try (MappedRegion region = MappedRegion.attach(a.path(), RegionType.ARRAY))
        {
            region.buffer().putInt(MappedArray.LENGTH_OFFSET, 1_000_000);
        }
        final InvalidRegionException ex = assertThrows(InvalidRegionException.class, () -> Array.attach(a.path()));
        assertTrue(ex.getMessage().contains("corrupt"), ex.getMessage());
        // truncate a value file
        final MappedValue v = MappedValue.createRaw(dir, "v", ElementType.INT, 0);
        try (var channel = java.nio.channels.FileChannel.open(v.path(), StandardOpenOption.WRITE))
        {
            channel.truncate(100);
        }
        assertThrows(InvalidRegionException.class, () -> Value.attach(v.path()));
        // a value whose element type is forged to byte, which only an Array holds
        final MappedValue forged = MappedValue.createRaw(dir, "forged", ElementType.INT, 0);
        try (MappedRegion region = MappedRegion.attach(forged.path(), RegionType.VALUE))
        {
            region.wholeBuffer().putInt(MappedRegion.VARIANT_OFFSET, ElementType.BYTE.code());
        }
        final InvalidRegionException byteValue = assertThrows(InvalidRegionException.class, () -> Value.attach(forged.path()));
        assertTrue(byteValue.getMessage().contains("unknown value element type code " + ElementType.BYTE.code()), byteValue.getMessage());
        Files.write(dir.resolve("junk"), "hello, not a region at all; hello, not a region at all; hello, not a region at all; hello, not a region at all; hello".getBytes());
        assertThrows(InvalidRegionException.class, () -> Value.attach(dir.resolve("junk")));
    }
}

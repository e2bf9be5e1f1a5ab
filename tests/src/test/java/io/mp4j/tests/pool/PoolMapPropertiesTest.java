package io.mp4j.tests.pool;

import io.mp4j.Pool;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code map} over any list, with any chunk size, equals the sequential map. One pool (two worker JVMs)
 * serves every try; it is terminated after the container.
 */
class PoolMapPropertiesTest
{
    private static Pool pool;

    static long poly(final long x)
    {
        return 3 * x * x - 7 * x + 1;
    }

    static String tag(final String s)
    {
        return "<" + s + ">";
    }

    /** Results of every kind the codec knows, and null, depending on the argument. */
    static Object mixed(final int x)
    {
        switch (Math.floorMod(x, 6))
        {
            case 0:
                return x;
            case 1:
                return (long)x * 1_000_000_007L;
            case 2:
                return x / 4.0;
            case 3:
                return "s" + x;
            case 4:
                return null;
            default:
                return java.util.List.of(x);
        }
    }

    @BeforeContainer
    static void start()
    {
        pool = Pool.create(2);
    }

    @AfterContainer
    static void stop()
    {
        pool.close();
    }

    @Property(tries = 30)
    void mapEqualsSequentialMap(@ForAll @Size(max = 300) final List<Long> xs, @ForAll @IntRange(min = 0, max = 50) final int chunksize)
    {
        final List<Long> expected = xs.stream().map(PoolMapPropertiesTest::poly).collect(Collectors.toList());
        final List<Long> actual = chunksize == 0 ? pool.map(PoolMapPropertiesTest::poly, xs) : pool.map(PoolMapPropertiesTest::poly, xs, chunksize);
        if (!expected.equals(actual))
        {
            throw new AssertionError("map " + xs + " chunksize " + chunksize + " gave " + actual);
        }
    }

    @Property(tries = 15)
    void mapOfStringsEqualsSequentialMap(@ForAll @Size(max = 100) final List<String> xs)
    {
        final List<String> expected = xs.stream().map(PoolMapPropertiesTest::tag).collect(Collectors.toList());
        if (!expected.equals(pool.map(PoolMapPropertiesTest::tag, xs)))
        {
            throw new AssertionError("map " + xs);
        }
    }

    @Property(tries = 30)
    void mapWithResultsOfMixedKindsEqualsSequentialMap(
        @ForAll @Size(max = 200) final List<@IntRange(min = -50, max = 50) Integer> xs, @ForAll @IntRange(min = 0, max = 40) final int chunksize)
    {
        final List<Object> expected = xs.stream().map(PoolMapPropertiesTest::mixed).collect(Collectors.toList());
        final List<Object> actual = chunksize == 0 ? pool.map(PoolMapPropertiesTest::mixed, xs) : pool.map(PoolMapPropertiesTest::mixed, xs, chunksize);
        if (!expected.equals(actual))
        {
            throw new AssertionError("map " + xs + " chunksize " + chunksize + " gave " + actual);
        }
    }
}

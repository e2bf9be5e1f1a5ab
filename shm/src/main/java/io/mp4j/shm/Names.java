package io.mp4j.shm;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generated names for primitives created without a name, as Python's {@code Value('i', 0)}.
 */
final class Names
{
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private Names()
    {
    }

    static String unique(final String kind)
    {
        return kind + "." + SEQUENCE.incrementAndGet() + "." +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fff_ffff);
    }
}

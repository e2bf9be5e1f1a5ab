package io.mp4j.shm;

/**
 * What a mapped region holds. The {@link #code()} is stored in every region's header and is part of
 * the file format: codes are never reused or renumbered.
 */
public enum RegionType
{
    /** A single shared number or boolean ({@code Value}). */
    VALUE(1),
    /** A fixed-length shared array ({@code Array}). */
    ARRAY(2),
    /** A non-reentrant lock. */
    LOCK(3),
    /** A reentrant lock. */
    RLOCK(4),
    /** A counting semaphore, bounded or not. */
    SEMAPHORE(5),
    /** A one-shot or resettable flag. */
    EVENT(6),
    /** A condition variable with its lock. */
    CONDITION(7),
    /** A cyclic barrier. */
    BARRIER(8),
    /** A many-producer, many-consumer queue. */
    QUEUE(9),
    /** One direction of a pipe. */
    PIPE(10),
    /** A named block of raw bytes. */
    SHARED_MEMORY(11),
    /** A fixed-length list of typed slots. */
    SHAREABLE_LIST(12),
    /** Bookkeeping of a pool or executor. */
    POOL(13),
    /** Anything an application lays out itself. */
    CUSTOM(100);

    private final int code;

    RegionType(final int code)
    {
        this.code = code;
    }

    /**
     * @return the number stored in a region header for this type.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code a type code read from a region header.
     * @return the type with this code, or null if the code is unknown.
     */
    public static RegionType fromCode(final int code)
    {
        for (final RegionType type : values())
        {
            if (type.code == code)
            {
                return type;
            }
        }
        return null;
    }
}

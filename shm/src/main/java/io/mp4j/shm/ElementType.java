package io.mp4j.shm;

import java.util.Locale;

/**
 * The element type of a {@link Value} or an {@link Array}, with Python's {@code array} typecodes. The
 * {@link #code()} is stored as the region header's variant and is part of the file format.
 */
public enum ElementType
{
    /** 32-bit signed integer, typecode {@code 'i'}. */
    INT(1, 'i', 4),
    /** 64-bit signed integer, typecode {@code 'l'} (a C long on 64-bit Linux) or {@code 'q'}. */
    LONG(2, 'l', 8),
    /** 64-bit IEEE 754 floating point, typecode {@code 'd'}. */
    DOUBLE(3, 'd', 8),
    /** A boolean, typecode {@code '?'}, stored as a 32-bit 0 or 1 (so it can be CASed). */
    BOOLEAN(4, '?', 4),
    /** 8-bit signed integer, typecode {@code 'b'} (also {@code 'B'} and {@code 'c'}, stored the same way). */
    BYTE(5, 'b', 1);

    private final int code;
    private final char typecode;
    private final int size;

    ElementType(final int code, final char typecode, final int size)
    {
        this.code = code;
        this.typecode = typecode;
        this.size = size;
    }

    /**
     * @return the number stored in the region header.
     */
    public int code()
    {
        return code;
    }

    /**
     * @return Python's typecode.
     */
    public char typecode()
    {
        return typecode;
    }

    /**
     * @return bytes per element in shared memory.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param code a header variant.
     * @return the type, or null if unknown.
     */
    public static ElementType fromCode(final int code)
    {
        for (final ElementType type : values())
        {
            if (type.code == code)
            {
                return type;
            }
        }
        return null;
    }

    /**
     * Python's typecodes ({@code "i"}, {@code "l"}, {@code "q"}, {@code "d"}, {@code "?"}, {@code "b"},
     * {@code "B"}, {@code "c"}) or the Java names ({@code "int"}, {@code "long"}, {@code "double"},
     * {@code "boolean"}, {@code "byte"}).
     *
     * @param typecode the code.
     * @return the element type.
     * @throws IllegalArgumentException for any other string.
     */
    public static ElementType fromTypecode(final String typecode)
    {
        switch (typecode.toLowerCase(Locale.ROOT))
        {
            case "i":
            case "int":
                return INT;
            case "l":
            case "q":
            case "long":
                return LONG;
            case "d":
            case "double":
                return DOUBLE;
            case "?":
            case "boolean":
                return BOOLEAN;
            case "b":
            case "c":
            case "byte":
                return BYTE;
            default:
                throw new IllegalArgumentException("unsupported typecode '" + typecode +
                    "': use i, l, q, d, ?, b, B, c (or int, long, double, boolean, byte)");
        }
    }
}

package org.example;

import java.io.Serializable;

/**
 * A serializable class outside the default deserialization allow-list of mp4j.
 */
public final class Forbidden implements Serializable
{
    private static final long serialVersionUID = 1L;

    /** Some state. */
    public final String text;

    /**
     * @param text some state.
     */
    public Forbidden(final String text)
    {
        this.text = text;
    }
}

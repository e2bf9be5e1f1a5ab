package io.mp4j.queue;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;

/**
 * The {@link ObjectInputFilter} mp4j sets on every {@link ObjectInputStream} it reads (queues, pipes,
 * pool tasks and results, child process specs, manager values): the stream's own filter under the
 * JVM-wide one, remembering what it refused.
 *
 * <p>Why both: Java 17's default filter factory lets a stream's filter <em>replace</em> the JVM-wide one
 * ({@code -Djdk.serialFilter=...}, or one a library such as Ignite set), which an operator who set it would
 * not expect. Here a class either filter rejects is rejected; otherwise the stream's own filter decides.
 * Why remember: the JDK's {@link java.io.InvalidClassException} for a refusal says only
 * {@code "filter status: REJECTED"}; {@link #refusal()} names the class and the filter that refused it.
 *
 * <pre>{@code
 * StreamFilter filter = null;
 * try (ObjectInputStream in = new ObjectInputStream(bytes))
 * {
 *     filter = StreamFilter.on(in, ownFilter);
 *     return in.readObject();
 * }
 * catch (InvalidClassException ex)
 * {
 *     throw new IllegalStateException(filter != null && filter.refusal() != null ? filter.refusal() : ex.toString(), ex);
 * }
 * }</pre>
 *
 * <p>One instance per stream, read by one thread at a time, as the stream is.
 */
public final class StreamFilter implements ObjectInputFilter
{
    private final ObjectInputFilter own;
    private final ObjectInputFilter jvmWide;
    private Class<?> refusedClass;
    private boolean refused;
    private boolean refusedByJvmWide;

    private StreamFilter(final ObjectInputFilter own, final ObjectInputFilter jvmWide)
    {
        this.own = own;
        this.jvmWide = jvmWide;
    }

    /**
     * Set a new filter on a stream before anything is read from it.
     *
     * @param in  the stream.
     * @param own the stream's own filter.
     * @return the filter set, to ask what it refused.
     * @throws IllegalStateException if the stream has a filter of its own already, or has been read from.
     */
    public static StreamFilter on(final ObjectInputStream in, final ObjectInputFilter own)
    {
        final StreamFilter filter = new StreamFilter(own, ObjectInputFilter.Config.getSerialFilter());
        in.setObjectInputFilter(filter);
        return filter;
    }

    @Override
    public Status checkInput(final FilterInfo info)
    {
        if (jvmWide != null && jvmWide.checkInput(info) == Status.REJECTED)
        {
            note(info, true);
            return Status.REJECTED;
        }
        final Status status = own.checkInput(info);
        if (status == Status.REJECTED)
        {
            note(info, false);
        }
        return status;
    }

    private void note(final FilterInfo info, final boolean byJvmWide)
    {
        if (!refused)
        {
            refused = true;
            refusedClass = info.serialClass();
            refusedByJvmWide = byJvmWide;
        }
    }

    /**
     * @return whether the JVM-wide filter, not the stream's own, made the first refusal.
     */
    public boolean refusedByJvmWide()
    {
        return refusedByJvmWide;
    }

    /**
     * @return the class of the first refusal, or null if nothing was refused or the refusal was of a limit
     * (depth, references, bytes, array length) rather than of a class.
     */
    public Class<?> refusedClass()
    {
        return refusedClass;
    }

    /**
     * @return what was refused and by which filter, for an error message, or null if nothing was.
     */
    public String refusal()
    {
        if (!refused)
        {
            return null;
        }
        final String what = refusedClass != null ? "class " + refusedClass.getName() : "a limit (depth, references, bytes or array length)";
        return what + " refused by " + (refusedByJvmWide ? "the JVM-wide filter (jdk.serialFilter) " + jvmWide : "the filter " + own);
    }

    /**
     * @param ex what reading the stream threw.
     * @return {@code ex} itself if this filter refused nothing, else one whose message starts with
     * {@link #refusal()} (caused by {@code ex}).
     */
    public InvalidClassException explain(final InvalidClassException ex)
    {
        final String refusal = refusal();
        return refusal == null ? ex : (InvalidClassException)new InvalidClassException(refusal + " (" + ex.getMessage() + ")").initCause(ex);
    }

    @Override
    public String toString()
    {
        return jvmWide == null ? String.valueOf(own) : own + " under the JVM-wide " + jvmWide;
    }
}

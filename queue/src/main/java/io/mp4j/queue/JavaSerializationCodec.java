package io.mp4j.queue;

import org.agrona.DirectBuffer;
import org.agrona.io.DirectBufferInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamException;
import java.io.Serializable;

/**
 * The default {@link ObjectCodec}: Java serialization, with every received object graph checked by an
 * {@link ObjectInputFilter} before any of its classes is instantiated.
 *
 * <p>The default filter ({@link #DEFAULT_PATTERNS}) allows the JDK's value types
 * ({@code java.lang.*}, {@code java.util.*}, {@code java.time.*}, {@code java.math.*}), arrays of
 * primitives, {@code io.mp4j.**}, then the patterns of the system property {@value #ALLOW_PROPERTY}
 * (for example {@code -Dmp4j.serial.allow=com.example.**;org.acme.Order}) and rejects everything else.
 * The syntax is that of {@link ObjectInputFilter.Config#createFilter(String)}. A JVM-wide filter (set
 * with {@code jdk.serialFilter}, or by a library such as Ignite) still applies on top of this one: a class
 * either rejects is refused (see {@link StreamFilter}).
 *
 * <p>A refused class makes {@code get}/{@code recv} throw {@link MessageDecodingException} naming the
 * class; the message is consumed. An object that cannot be serialized makes {@code put}/{@code send}
 * throw {@link IllegalArgumentException} naming its class, before anything is written.
 *
 * <p>Example, allowing the application's own types for one queue:
 * <pre>{@code
 * ObjectCodec codec = new JavaSerializationCodec("com.example.orders.**");
 * Queue<Order> orders = Queue.create(dir, "orders", Queue.DEFAULT_CAPACITY, codec);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. One built from patterns is {@link Serializable} (as its
 * full pattern, so a queue passed to another process keeps its filter there); one built from an
 * {@link ObjectInputFilter} is not (a filter is code): serializing it throws
 * {@link NotSerializableException}.
 *
 * <p>Which patterns a deserialized codec keeps depends on where it came from, because the sender chose
 * them. Passed by mp4j itself from a parent to its own child (a {@code Process} argument, a pool's
 * initializer argument, task or result, each inside {@link #trustingSenders()}), it keeps them: a queue
 * made with {@code new JavaSerializationCodec("com.example.**")} and passed to a child decodes
 * {@code com.example} classes there. Received any other way (inside a queue, pipe or durable-queue
 * message, a manager value, a plain {@code ObjectInputStream}), it is <em>narrowed</em> to the
 * receiving JVM's default filter as well: it decodes only what both the sender's patterns and this
 * JVM's {@link #DEFAULT_PATTERNS} plus {@value #ALLOW_PROPERTY} allow, so a peer cannot widen what this
 * JVM accepts by sending {@code new JavaSerializationCodec("*")} (or a queue carrying it). To accept
 * such a queue's classes, allow them in the receiving JVM with {@value #ALLOW_PROPERTY}. A narrowed
 * codec stays narrowed when it travels on.
 */
public final class JavaSerializationCodec implements ObjectCodec, Serializable
{
    private static final long serialVersionUID = 1L;

    /** System property with extra allowed class patterns, ';'-separated, added before the final reject. */
    public static final String ALLOW_PROPERTY = "mp4j.serial.allow";

    /**
     * The classes allowed by default, before the {@value #ALLOW_PROPERTY} patterns and {@code !*}.
     *
     * <p>Why {@code maxdepth=20}: nesting depth is what makes a small message expensive (sets nested 20 deep
     * in about 1 KB already take a second to decode, as each level hashes the whole level below; 90 deep,
     * practically forever), while the graphs these classes build are shallow: a list of maps of lists of
     * integers is 5 deep, an exception with a chain of 5 causes and its stack trace 9. It is also the JDK's
     * own choice for the RMI registry. A deeper graph is refused with {@link MessageDecodingException}
     * naming the depth; raise the limit with a later {@code maxdepth=N} in {@value #ALLOW_PROPERTY} or in
     * the constructor's patterns (the last one given wins).
     *
     * <p>Besides these patterns, every message is held to limits of its own size, which no legitimate
     * message exceeds: at most as many references as it has bytes, no array of primitives longer than it
     * has bytes, no array of references longer than four times that;
     * so a forged array length is refused before anything is allocated.
     */
    public static final String DEFAULT_PATTERNS =
        "maxdepth=20;java.lang.*;java.util.*;java.time.*;java.math.*;java.net.URI;io.mp4j.**";

    /**
     * Array slots of a reference type a message may ask for per byte of its length. More than one because
     * a hash table is sized for its load factor, not its contents: a {@code HashSet} or {@code HashMap}
     * with load factor 0.25 checks a table of up to 8 slots per element, and a distinct element takes at
     * least 4 bytes (2 slots per byte); 4 leaves a margin and still bounds the allocation to 16 bytes of
     * heap per byte received. An array in the stream itself takes at least a byte per element.
     */
    static final int REFERENCE_ARRAY_SLOTS_PER_BYTE = 4;

    /** Whether codecs deserialized on this thread now come from mp4j's parent-to-child channels. */
    private static final ThreadLocal<Boolean> SENDERS_TRUSTED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final transient ObjectInputFilter filter;
    private final transient String description;
    /** The pattern the filter was made from (then this travels as it), or null for a filter given as code. */
    private final transient String patterns;
    /** The defaults of the JVMs that received this codec in a message, each of which must also allow a class. */
    private final transient String[] narrowedBy;

    /**
     * The default codec: {@link #DEFAULT_PATTERNS}, then {@value #ALLOW_PROPERTY}, then reject.
     */
    public JavaSerializationCodec()
    {
        this("");
    }

    /**
     * @param extraAllowPatterns patterns allowed besides the defaults and {@value #ALLOW_PROPERTY}, as
     *                           {@code "com.example.**;org.acme.Order"}; empty for none.
     */
    public JavaSerializationCodec(final String extraAllowPatterns)
    {
        this.patterns = fullPatterns(extraAllowPatterns);
        this.description = this.patterns;
        this.filter = ObjectInputFilter.Config.createFilter(description);
        this.narrowedBy = new String[0];
    }

    /**
     * @return {@link #DEFAULT_PATTERNS}, then {@value #ALLOW_PROPERTY}, then {@code extraAllowPatterns}, then
     * reject.
     */
    private static String fullPatterns(final String extraAllowPatterns)
    {
        final StringBuilder patterns = new StringBuilder(DEFAULT_PATTERNS);
        append(patterns, System.getProperty(ALLOW_PROPERTY, ""));
        append(patterns, extraAllowPatterns == null ? "" : extraAllowPatterns);
        return patterns.append(";!*").toString();
    }

    /**
     * @param filter the filter to check received classes with (null allows everything: do not do that
     *               with data from processes you do not trust).
     */
    public JavaSerializationCodec(final ObjectInputFilter filter)
    {
        this.filter = filter;
        this.description = String.valueOf(filter);
        this.patterns = null;
        this.narrowedBy = new String[0];
    }

    private JavaSerializationCodec(final String fullPatterns, final String[] narrowedBy)
    {
        final StringBuilder text = new StringBuilder(fullPatterns);
        final ObjectInputFilter[] all = new ObjectInputFilter[narrowedBy.length + 1];
        all[0] = ObjectInputFilter.Config.createFilter(fullPatterns);
        for (int i = 0; i < narrowedBy.length; i++)
        {
            all[i + 1] = ObjectInputFilter.Config.createFilter(narrowedBy[i]);
            text.append(" narrowed by ").append(narrowedBy[i]);
        }
        this.patterns = fullPatterns;
        this.narrowedBy = narrowedBy;
        this.description = text.toString();
        this.filter = all.length == 1 ? all[0] : new AllOf(all, description);
    }

    /**
     * Mark the deserialization this thread does until the returned scope is closed as coming from a sender
     * trusted as much as this process: codecs deserialized in it keep the sender's patterns rather than
     * being narrowed to this JVM's defaults. mp4j uses it for what a parent gives its own child (the child's
     * start, pool tasks and results); use it only for a channel equally private, never for bytes from a
     * socket or a queue that other processes can write to.
     *
     * <pre>{@code
     * try (JavaSerializationCodec.TrustedSenders trusted = JavaSerializationCodec.trustingSenders())
     * {
     *     return in.readObject();
     * }
     * }</pre>
     *
     * @return the scope to close (on the same thread) when the read is done.
     */
    public static TrustedSenders trustingSenders()
    {
        final TrustedSenders scope = new TrustedSenders(SENDERS_TRUSTED.get());
        SENDERS_TRUSTED.set(Boolean.TRUE);
        return scope;
    }

    /** The scope of {@link #trustingSenders()}: closing it restores what was in force before. */
    public static final class TrustedSenders implements AutoCloseable
    {
        private final Boolean before;

        private TrustedSenders(final Boolean before)
        {
            this.before = before;
        }

        @Override
        public void close()
        {
            SENDERS_TRUSTED.set(before);
        }
    }

    private Object writeReplace() throws ObjectStreamException
    {
        if (patterns == null)
        {
            throw new NotSerializableException("a " + JavaSerializationCodec.class.getName() + " built from an " +
                "ObjectInputFilter (" + description + ") cannot be passed to another process: a filter is code; " +
                "build it from patterns instead");
        }
        return new SerialForm(patterns, narrowedBy);
    }

    private void readObject(final ObjectInputStream in) throws InvalidObjectException
    {
        throw new InvalidObjectException("a JavaSerializationCodec travels as its patterns only");
    }

    /**
     * What a codec built from patterns travels as: the full pattern, so the filter is the same there, and
     * the defaults that narrowed it on the way, so that it stays narrowed.
     */
    private static final class SerialForm implements Serializable
    {
        private static final long serialVersionUID = 1L;
        private final String patterns;
        /** Absent (null) in the form of earlier versions: not narrowed. */
        private final String[] narrowedBy;

        SerialForm(final String patterns, final String[] narrowedBy)
        {
            this.patterns = patterns;
            this.narrowedBy = narrowedBy;
        }

        private Object readResolve() throws InvalidObjectException
        {
            if (patterns == null)
            {
                throw new InvalidObjectException("a JavaSerializationCodec with no patterns");
            }
            final String[] before = narrowedBy == null ? new String[0] : narrowedBy.clone();
            if (SENDERS_TRUSTED.get())
            {
                return new JavaSerializationCodec(patterns, before);
            }
            // the sender chose these patterns: this JVM's own default must allow a class too
            final String local = fullPatterns("");
            if (local.equals(patterns) || java.util.Arrays.asList(before).contains(local))
            {
                return new JavaSerializationCodec(patterns, before);
            }
            final String[] narrowed = java.util.Arrays.copyOf(before, before.length + 1);
            narrowed[before.length] = local;
            return new JavaSerializationCodec(patterns, narrowed);
        }
    }

    private static void append(final StringBuilder patterns, final String extra)
    {
        final String trimmed = extra.trim();
        if (!trimmed.isEmpty())
        {
            patterns.append(';').append(trimmed);
        }
    }

    /**
     * @return the filter pattern in force.
     */
    public String filterDescription()
    {
        return description;
    }

    @Override
    public byte[] encode(final Object value)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(value);
        }
        catch (final NotSerializableException ex)
        {
            throw new IllegalArgumentException("cannot send an object of class " + value.getClass().getName() +
                ": it is not serializable (" + ex.getMessage() + " is not java.io.Serializable); " +
                "make it Serializable or give the queue an ObjectCodec for it", ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot serialize an object of class " + value.getClass().getName() +
                ": " + ex, ex);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object decode(final DirectBuffer buffer, final int offset, final int length)
    {
        StreamFilter checked = null;
        final MessageBounds bounds = new MessageBounds(length, filter);
        final Boolean trusted = SENDERS_TRUSTED.get();
        try (ObjectInputStream in = new ObjectInputStream(new DirectBufferInputStream(buffer, offset, length)))
        {
            checked = StreamFilter.on(in, bounds);
            // a message comes from whoever can write to the queue, even inside a trusted read
            SENDERS_TRUSTED.set(Boolean.FALSE);
            return in.readObject();
        }
        catch (final InvalidClassException ex)
        {
            if (checked != null && checked.refusedByJvmWide())
            {
                throw new MessageDecodingException("refused to deserialize: " + checked.refusal() + " (" + ex.getMessage() + ")", ex);
            }
            if (bounds.exceeded != null)
            {
                throw new MessageDecodingException("refused to deserialize a message of " + length + " bytes: " +
                    bounds.exceeded + " (" + ex.getMessage() + ")", ex);
            }
            final String name = checked != null && checked.refusedClass() != null ? checked.refusedClass().getName() : ex.classname;
            throw new MessageDecodingException("refused to deserialize class " + name + " at depth " + bounds.refusedDepth +
                " (" + ex.getMessage() + "); allowed: " + description +
                (narrowedBy.length == 0 ? "; allow it with -D" + ALLOW_PROPERTY + "=<pattern> or a JavaSerializationCodec" :
                "; this codec was received in a message, so the receiving JVM's default filter applies as well: " +
                "allow the class there with -D" + ALLOW_PROPERTY + "=<pattern>"), ex);
        }
        catch (final ClassNotFoundException ex)
        {
            throw new MessageDecodingException("cannot deserialize: class " + ex.getMessage() +
                " is not on this JVM's class path", ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new MessageDecodingException("cannot deserialize a message of " + length + " bytes: " + ex, ex);
        }
        finally
        {
            SENDERS_TRUSTED.set(trusted);
        }
    }

    @Override
    public String toString()
    {
        return "JavaSerializationCodec{" + description + '}';
    }

    /** A filter that allows what each of its filters allows and rejects what any of them rejects. */
    private static final class AllOf implements ObjectInputFilter
    {
        private final ObjectInputFilter[] filters;
        private final String description;

        AllOf(final ObjectInputFilter[] filters, final String description)
        {
            this.filters = filters;
            this.description = description;
        }

        @Override
        public Status checkInput(final FilterInfo info)
        {
            boolean allAllowed = true;
            for (final ObjectInputFilter filter : filters)
            {
                final Status status = filter.checkInput(info);
                if (status == Status.REJECTED)
                {
                    return Status.REJECTED;
                }
                allAllowed &= status == Status.ALLOWED;
            }
            return allAllowed ? Status.ALLOWED : Status.UNDECIDED;
        }

        @Override
        public String toString()
        {
            return description;
        }
    }

    /**
     * The filter of one message's stream: limits derived from the message's length (checked before the
     * stream allocates an array or resolves a reference, so a forged length costs nothing), then the
     * codec's pattern filter.
     */
    private static final class MessageBounds implements ObjectInputFilter
    {
        private final int length;
        private final ObjectInputFilter patterns;
        /** What limit of the message's own was exceeded, or null. */
        String exceeded;
        /** The depth at which the pattern filter refused, for the message. */
        long refusedDepth;

        MessageBounds(final int length, final ObjectInputFilter patterns)
        {
            this.length = length;
            this.patterns = patterns;
        }

        @Override
        public Status checkInput(final FilterInfo info)
        {
            if (info.references() > length)
            {
                return exceeded(info.references() + " references, more than the message has bytes");
            }
            final long arrayLength = info.arrayLength();
            if (arrayLength >= 0 && info.serialClass() != null)
            {
                final boolean primitive = info.serialClass().getComponentType() != null &&
                    info.serialClass().getComponentType().isPrimitive();
                final long limit = primitive ? length : (long)length * REFERENCE_ARRAY_SLOTS_PER_BYTE;
                if (arrayLength > limit)
                {
                    return exceeded("an array " + info.serialClass().getTypeName() + " of length " + arrayLength +
                        ", more than " + limit + (primitive ? " (the message's length)" :
                        " (" + REFERENCE_ARRAY_SLOTS_PER_BYTE + " slots per byte of the message)"));
                }
            }
            final Status status = patterns == null ? Status.UNDECIDED : patterns.checkInput(info);
            if (status == Status.REJECTED)
            {
                refusedDepth = info.depth();
            }
            return status;
        }

        private Status exceeded(final String what)
        {
            if (exceeded == null)
            {
                exceeded = what;
            }
            return Status.REJECTED;
        }

        @Override
        public String toString()
        {
            return "the limits of a " + length + "-byte message, then " + patterns;
        }
    }
}

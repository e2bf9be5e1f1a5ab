package io.mp4j;

import io.mp4j.manager.AuthenticationException;
import io.mp4j.queue.StreamFilter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The manager's wire protocol, shared by the server and the proxies. Not for direct use.
 *
 * <p>Every message is a frame: a 4-byte big-endian body length, then the body. After the handshake (below)
 * the client sends one request frame and reads one response frame, strictly in turn, on a connection that
 * belongs to one client thread.
 * <pre>
 *   request  = CALL objectId (8) methodIndex (4; -1 = toString, -2 = drainTo) argc (1) value*
 *            | op argc (1) value*      for op = CREATE (typeid, args...) -> objectId (Long)
 *                                              REGISTER (typeid, factory, interface name) -> null
 *                                              BIND (name, objectId) -> null
 *                                              LOOKUP (name) -> "objectId interfaceName"
 *                                              RELEASE (objectId) -> null
 *                                              SHUTDOWN () -> null, then the server exits
 *                                              MAILBOX (path) -> null: on a Unix socket, the frames that
 *                                                follow go through that {@link ManagerMailbox}
 *   response = status (1 byte: 0 ok, 1 exception) value  (the result, or the Throwable)
 *   value    = tag (1 byte) then: NULL | STRING len (4) UTF-8 | INT (4) | LONG (8) | DOUBLE (8) | TRUE | FALSE
 *              | BYTES len (4) bytes | OBJECT len (4) Java serialization (read through an ObjectInputFilter)
 * </pre>
 *
 * <p>Handshake, HMAC-SHA256 both ways with the authentication key, which never travels: the server sends a
 * 32-byte random challenge; the client answers HMAC(key, "mp4j-client" + challenge); the server answers
 * one byte, 1 (welcome) or 0 (refused, then closes and logs the refusal). Then the client sends its own
 * challenge and the server answers HMAC(key, "mp4j-server" + challenge) followed by its pid (8 bytes). The
 * two labels keep a challenge reflected back at its sender from being answered by the sender itself.
 */
final class ManagerWire
{
    static final byte OP_CALL = 1;
    static final byte OP_CREATE = 2;
    static final byte OP_REGISTER = 3;
    static final byte OP_BIND = 4;
    static final byte OP_LOOKUP = 5;
    static final byte OP_SHUTDOWN = 6;
    static final byte OP_RELEASE = 7;
    /** Client to server, on a Unix socket: continue this connection over the shared-memory mailbox at this path. */
    static final byte OP_MAILBOX = 8;

    static final byte STATUS_OK = 0;
    static final byte STATUS_EXCEPTION = 1;

    static final int TO_STRING = -1;
    /** Method number of a queue's drainTo: the server drains into a list it sends back. */
    static final int DRAIN_TO = -2;

    static final byte TAG_NULL = 0;
    static final byte TAG_STRING = 1;
    static final byte TAG_INT = 2;
    static final byte TAG_LONG = 3;
    static final byte TAG_DOUBLE = 4;
    static final byte TAG_TRUE = 5;
    static final byte TAG_FALSE = 6;
    static final byte TAG_BYTES = 7;
    static final byte TAG_OBJECT = 8;

    /** System property: an {@link ObjectInputFilter} pattern applied to every serialized value received. */
    static final String SERIAL_FILTER_PROPERTY = "mp4j.manager.serialFilter";
    static final String DEFAULT_SERIAL_FILTER = "maxdepth=100;maxrefs=10000000;maxbytes=268435456;maxarray=268435456";

    static final int MAX_FRAME = 256 << 20;
    static final int CHALLENGE_LENGTH = 32;
    static final int HMAC_LENGTH = 32;
    private static final byte[] CLIENT_LABEL = "mp4j-client".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_LABEL = "mp4j-server".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
        System.getProperty(SERIAL_FILTER_PROPERTY, DEFAULT_SERIAL_FILTER));

    private ManagerWire()
    {
    }

    /**
     * One end of a connection: a blocking socket and reusable buffers; after {@link #useMailbox} the frames
     * go through shared memory and the socket only rings. Used by one thread at a time.
     */
    static final class Conn implements AutoCloseable
    {
        final SocketChannel channel;
        private ByteBuffer out = ByteBuffer.allocate(4096);
        private ByteBuffer in = ByteBuffer.allocate(4096);
        private ByteBuffer body = in.duplicate();
        private int filled;
        private int consumed;
        private final Bytes objectBytes = new Bytes();
        /** Set once a local connection continues over shared memory. */
        private ManagerMailbox mailbox;
        /** Its registration with the cleaner that closes the connections of threads that are gone, if any. */
        java.lang.ref.Cleaner.Cleanable closer;
        /**
         * Whether an interrupt ends this client's current wait (the call declares {@code InterruptedException}).
         * Such a wait reads the channel, which an interrupt closes (as every blocking {@code SocketChannel}), so
         * that the server stops the call and takes nothing for it. Any other wait reads the socket through
         * {@link #unclosableIn} and {@link #unclosableOut}, which an interrupt does not touch: it goes on, and
         * the server keeps the locks the thread holds through the connection.
         */
        boolean interruptible;
        /** The channel's socket as plain streams, whose reads and writes an interrupt neither ends nor closes. */
        private final FileInputStream unclosableIn;
        private final FileOutputStream unclosableOut;

        /** A server's connection, or a buffer pair outside any connection ({@code channel} null). */
        Conn(final SocketChannel channel)
        {
            this.channel = channel;
            unclosableIn = null;
            unclosableOut = null;
        }

        /** A client's connection: see {@link #interruptible}. */
        private Conn(final SocketChannel channel, final FileDescriptor fd)
        {
            this.channel = channel;
            unclosableIn = fd != null ? new FileInputStream(fd) : null;
            unclosableOut = fd != null ? new FileOutputStream(fd) : null;
        }

        /**
         * @param channel a connected client channel, blocking.
         * @return the client's connection over it.
         */
        static Conn client(final SocketChannel channel)
        {
            return new Conn(channel, socketDescriptor(channel));
        }

        /**
         * Start a new frame in the output buffer.
         *
         * @return this.
         */
        Conn begin()
        {
            out.clear();
            out.position(4);
            return this;
        }

        private void ensure(final int more)
        {
            if (out.remaining() < more)
            {
                final int needed = out.position() + more;
                if (needed > MAX_FRAME + 4)
                {
                    throw new IllegalArgumentException("message of " + needed + " bytes exceeds the manager's limit of " +
                        MAX_FRAME + " bytes");
                }
                final ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, out.capacity() * 2));
                out.flip();
                bigger.put(out);
                out = bigger;
            }
        }

        Conn putByte(final byte b)
        {
            ensure(1);
            out.put(b);
            return this;
        }

        Conn putInt(final int v)
        {
            ensure(4);
            out.putInt(v);
            return this;
        }

        Conn putLong(final long v)
        {
            ensure(8);
            out.putLong(v);
            return this;
        }

        Conn putBytes(final byte[] b)
        {
            ensure(b.length);
            out.put(b);
            return this;
        }

        Conn putValue(final Object value) throws IOException
        {
            if (value == null)
            {
                return putByte(TAG_NULL);
            }
            final Class<?> type = value.getClass();
            if (type == String.class)
            {
                final String s = (String)value;
                final int n = s.length();
                if (n < 256 && isAscii(s))
                {
                    ensure(5 + n);
                    out.put(TAG_STRING).putInt(n);
                    for (int i = 0; i < n; i++)
                    {
                        out.put((byte)s.charAt(i));
                    }
                    return this;
                }
                final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                return putByte(TAG_STRING).putInt(utf8.length).putBytes(utf8);
            }
            if (type == Integer.class)
            {
                ensure(5);
                out.put(TAG_INT).putInt((Integer)value);
                return this;
            }
            if (type == Long.class)
            {
                ensure(9);
                out.put(TAG_LONG).putLong((Long)value);
                return this;
            }
            if (type == Double.class)
            {
                ensure(9);
                out.put(TAG_DOUBLE).putDouble((Double)value);
                return this;
            }
            if (type == Boolean.class)
            {
                return putByte((Boolean)value ? TAG_TRUE : TAG_FALSE);
            }
            if (type == byte[].class)
            {
                final byte[] b = (byte[])value;
                return putByte(TAG_BYTES).putInt(b.length).putBytes(b);
            }
            objectBytes.reset();
            try (ObjectOutputStream oos = new ObjectOutputStream(objectBytes))
            {
                oos.writeObject(value);
            }
            ensure(5 + objectBytes.size());
            out.put(TAG_OBJECT).putInt(objectBytes.size());
            out.put(objectBytesArray(), 0, objectBytes.size());
            return this;
        }

        private byte[] objectBytesArray()
        {
            return objectBytes.array();
        }

        /**
         * Continue over a shared-memory mailbox: a round trip then costs no system call while the peer
         * answers within the spin phase.
         *
         * @param box this side's view of the connection's mailbox.
         */
        /**
         * @return a buffer over the body of the frame built since {@link #begin()}, for a call served
         * in-process.
         */
        ByteBuffer built()
        {
            return ByteBuffer.wrap(out.array(), 4, out.position() - 4);
        }

        void useMailbox(final ManagerMailbox box)
        {
            mailbox = box;
        }

        /**
         * Send the frame built since {@link #begin()}.
         *
         * @throws IOException if the peer is gone.
         */
        void send() throws IOException
        {
            if (mailbox != null)
            {
                mailbox.send(out.array(), 4, out.position() - 4);
                return;
            }
            out.putInt(0, out.position() - 4);
            out.flip();
            write(out);
        }

        /**
         * Read into {@code dst} (a heap buffer) at least one byte, blocking.
         *
         * @return the bytes read, -1 at the end of the stream.
         */
        int read(final ByteBuffer dst) throws IOException
        {
            if (interruptible || unclosableIn == null)
            {
                return channel.read(dst);
            }
            final int n = unclosableIn.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0)
            {
                dst.position(dst.position() + n);
            }
            return n;
        }

        /** Write all of {@code src} (a heap buffer), blocking. */
        void write(final ByteBuffer src) throws IOException
        {
            if (interruptible || unclosableOut == null)
            {
                while (src.hasRemaining())
                {
                    channel.write(src);
                }
                return;
            }
            unclosableOut.write(src.array(), src.arrayOffset() + src.position(), src.remaining());
            src.position(src.limit());
        }

        /**
         * Read the next frame.
         *
         * @return a buffer over its body, valid until the next receive.
         * @throws IOException  if the peer is gone ({@link EOFException} on an orderly close).
         */
        ByteBuffer receive() throws IOException
        {
            return receive(MAX_FRAME);
        }

        /**
         * Read the next frame, refusing one longer than {@code maxFrame} before reading or allocating for
         * it: the handshake reads with the length it expects, so that a peer that has not authenticated
         * cannot make this side allocate a full {@link #MAX_FRAME}.
         *
         * @param maxFrame the longest body accepted.
         * @return a buffer over its body, valid until the next receive.
         * @throws IOException  if the peer is gone ({@link EOFException} on an orderly close), or
         *                      {@link StreamCorruptedException} if the frame is longer than {@code maxFrame}.
         */
        ByteBuffer receive(final int maxFrame) throws IOException
        {
            if (mailbox != null)
            {
                return mailbox.receive(maxFrame);
            }
            if (consumed > 0)
            {
                in.limit(filled).position(consumed);
                in.compact();
                filled = in.position();
                consumed = 0;
            }
            fill(4);
            final int length = in.getInt(0);
            if (length < 0 || length > maxFrame)
            {
                throw new StreamCorruptedException("frame length " + length + " is out of range 0.." + maxFrame);
            }
            if (in.capacity() < 4 + length)
            {
                final ByteBuffer bigger = ByteBuffer.allocate(4 + length);
                in.limit(filled).position(0);
                bigger.put(in);
                in = bigger;
                body = in.duplicate();
            }
            fill(4 + length);
            consumed = 4 + length;
            body.limit(4 + length).position(4);
            return body;
        }

        /**
         * Whether the peer has closed the connection, looked at without blocking, on the server between two
         * slices of a blocking call (its client sends nothing while it waits for the answer). A byte where
         * none may come breaks the protocol: the connection is taken as gone too.
         *
         * @return true if the peer is gone (or the connection broken).
         */
        boolean peerGone()
        {
            if (channel == null)
            {
                return false;
            }
            try
            {
                channel.configureBlocking(false);
                try
                {
                    final ByteBuffer probe = ByteBuffer.allocate(1);
                    return channel.read(probe) != 0;
                }
                finally
                {
                    channel.configureBlocking(true);
                }
            }
            catch (final IOException ex)
            {
                return true;
            }
        }

        private void fill(final int atLeast) throws IOException
        {
            while (filled < atLeast)
            {
                in.limit(in.capacity()).position(filled);
                final int n = read(in);
                if (n < 0)
                {
                    throw new EOFException("connection closed by the peer");
                }
                filled += n;
            }
        }

        @Override
        public void close()
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing a broken connection tells nothing new
            }
            if (mailbox != null)
            {
                mailbox.close();
            }
        }
    }

    /** A byte array output stream whose buffer can be read without a copy. */
    private static final class Bytes extends ByteArrayOutputStream
    {
        Bytes()
        {
            super(256);
        }

        byte[] array()
        {
            return buf;
        }
    }

    private static boolean isAscii(final String s)
    {
        for (int i = 0, n = s.length(); i < n; i++)
        {
            if (s.charAt(i) >= 0x80)
            {
                return false;
            }
        }
        return true;
    }

    static Object getValue(final ByteBuffer b) throws IOException
    {
        final byte tag = b.get();
        switch (tag)
        {
            case TAG_NULL:
                return null;
            case TAG_STRING:
            {
                final int n = length(b, "TAG_STRING");
                final String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
                b.position(b.position() + n);
                return s;
            }
            case TAG_INT:
                return b.getInt();
            case TAG_LONG:
                return b.getLong();
            case TAG_DOUBLE:
                return b.getDouble();
            case TAG_TRUE:
                return Boolean.TRUE;
            case TAG_FALSE:
                return Boolean.FALSE;
            case TAG_BYTES:
            {
                final byte[] bytes = new byte[length(b, "TAG_BYTES")];
                b.get(bytes);
                return bytes;
            }
            case TAG_OBJECT:
            {
                final int n = length(b, "TAG_OBJECT");
                // a copy: the frame's buffer is reused, and a class's readObject may call a manager on this thread
                final ByteArrayInputStream bytes = new ByteArrayInputStream(java.util.Arrays.copyOfRange(b.array(),
                    b.arrayOffset() + b.position(), b.arrayOffset() + b.position() + n));
                b.position(b.position() + n);
                StreamFilter filter = null;
                try (ObjectInputStream in = new ObjectInputStream(bytes))
                {
                    filter = StreamFilter.on(in, FILTER);
                    return in.readObject();
                }
                catch (final ClassNotFoundException ex)
                {
                    throw new InvalidClassException("class not found on this side: " + ex.getMessage());
                }
                catch (final InvalidClassException ex)
                {
                    throw filter == null ? ex : filter.explain(ex);
                }
            }
            default:
                throw new StreamCorruptedException("unknown value tag " + tag);
        }
    }

    /**
     * Read a value's length and check it against what the frame holds, before anything is allocated for it:
     * the length comes from the peer, and a frame of a few bytes could otherwise claim 2 GB.
     *
     * @param tag the value's tag, for the message.
     * @return the length, between 0 and the bytes left in the frame.
     * @throws StreamCorruptedException naming the tag, the length and the bytes left.
     */
    private static int length(final ByteBuffer b, final String tag) throws StreamCorruptedException
    {
        if (b.remaining() < Integer.BYTES)
        {
            throw new StreamCorruptedException(tag + " value without its length: only " + b.remaining() + " bytes left in the frame");
        }
        final int n = b.getInt();
        if (n < 0 || n > b.remaining())
        {
            throw new StreamCorruptedException(tag + " value of length " + n + ", but only " + b.remaining() +
                " bytes left in the frame");
        }
        return n;
    }

    static String getString(final ByteBuffer b) throws IOException
    {
        return (String)getValue(b);
    }

    // ---- addresses

    /**
     * @param address a socket address.
     * @return its text form: {@code unix:/path} or {@code tcp:host:port}.
     */
    static String format(final SocketAddress address)
    {
        if (address instanceof UnixDomainSocketAddress)
        {
            return "unix:" + ((UnixDomainSocketAddress)address).getPath();
        }
        final InetSocketAddress inet = (InetSocketAddress)address;
        return "tcp:" + inet.getHostString() + ":" + inet.getPort();
    }

    /**
     * The identity of a manager's address: equal for two texts that reach the same listener, so that they
     * are compared, and keyed, as one manager. A Unix socket is its absolute path with {@code .} and
     * {@code ..} removed and its directory's symbolic links resolved (the socket file's own name is kept: it
     * may be gone while its proxies are still compared). A TCP address is its resolved IP address and port,
     * the wildcard address counting as the loopback address, which is where a connection to it lands. A
     * text that does not parse or resolve is its own identity: connecting to it fails anyway, saying so.
     * Compute it once per address held (it may read the file system or resolve a host name).
     *
     * @param address an address in its text form ({@link #format}).
     * @return its identity, in the same text form.
     */
    static String identity(final String address)
    {
        final SocketAddress parsed;
        try
        {
            parsed = parse(address);
        }
        catch (final RuntimeException ex)
        {
            return address;
        }
        if (parsed instanceof UnixDomainSocketAddress)
        {
            final Path path = ((UnixDomainSocketAddress)parsed).getPath().toAbsolutePath().normalize();
            final Path dir = path.getParent();
            if (dir == null)
            {
                return "unix:" + path;
            }
            try
            {
                return "unix:" + dir.toRealPath().resolve(path.getFileName());
            }
            catch (final IOException ex)
            {
                return "unix:" + path;
            }
        }
        final InetSocketAddress inet = (InetSocketAddress)parsed;
        if (inet.isUnresolved())
        {
            return address;
        }
        final InetAddress ip = inet.getAddress();
        final InetAddress reached = !ip.isAnyLocalAddress() ? ip : ip instanceof Inet6Address ? LOOPBACK6 : LOOPBACK4;
        return "tcp:" + reached.getHostAddress() + ":" + inet.getPort();
    }

    private static final InetAddress LOOPBACK4 = loopback(new byte[]{ 127, 0, 0, 1 });
    private static final InetAddress LOOPBACK6 = loopback(new byte[]{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 });

    private static InetAddress loopback(final byte[] ip)
    {
        try
        {
            return InetAddress.getByAddress(ip);
        }
        catch (final java.net.UnknownHostException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    static SocketAddress parse(final String text)
    {
        if (text.startsWith("unix:"))
        {
            return UnixDomainSocketAddress.of(text.substring(5));
        }
        if (text.startsWith("tcp:"))
        {
            final int colon = text.lastIndexOf(':');
            return new InetSocketAddress(text.substring(4, colon), Integer.parseInt(text.substring(colon + 1)));
        }
        throw new IllegalArgumentException("not a manager address: " + text);
    }

    /** {@code sun.nio.ch.SelChImpl.getFD()}, which every socket channel implements; null if not accessible. */
    private static final java.lang.reflect.Method GET_FD = socketDescriptorAccessor();

    private static java.lang.reflect.Method socketDescriptorAccessor()
    {
        try
        {
            return Class.forName("sun.nio.ch.SelChImpl").getMethod("getFD");
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * The file descriptor of a socket channel, through the JDK's internal {@code sun.nio.ch} (exported to mp4j
     * by the flags every mp4j JVM runs with, see {@code JvmFlags}).
     *
     * @return it, or null if this JVM does not give it (its connections then read only through the channel).
     */
    static FileDescriptor socketDescriptor(final SocketChannel channel)
    {
        if (GET_FD == null)
        {
            return null;
        }
        try
        {
            return (FileDescriptor)GET_FD.invoke(channel);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }

    static SocketChannel connect(final SocketAddress address) throws IOException
    {
        if (address instanceof UnixDomainSocketAddress)
        {
            final SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try
            {
                ch.connect(address);
            }
            catch (final IOException ex)
            {
                ch.close();
                throw ex;
            }
            return ch;
        }
        final SocketChannel ch = SocketChannel.open();
        try
        {
            ch.socket().connect(address, 10_000);
            tuneTcp(ch);
        }
        catch (final IOException ex)
        {
            ch.close();
            throw ex;
        }
        return ch;
    }

    /**
     * No Nagle delay, and keep-alive probes (after 10 s idle, every 5 s, 3 misses) where the platform
     * allows, so that a peer whose host died, which sends no end-of-file, is noticed within about 25 s
     * instead of hanging a call forever. (A peer process that dies on a live host is noticed at once: its
     * kernel closes the socket.)
     */
    static void tuneTcp(final SocketChannel ch) throws IOException
    {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        try
        {
            ch.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 10);
            ch.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
            ch.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        }
        catch (final UnsupportedOperationException | IOException ex)
        {
            // the platform's keep-alive defaults apply
        }
    }

    // ---- authentication

    static byte[] newKey()
    {
        final byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * Pay what a JVM's first manager connection, either end, pays once: the handshake's cryptography (the
     * JCA providers load at the first {@code Mac}: some 30 ms here), mapping its mailbox and Agrona's first
     * buffer use ({@link WarmUp}). For a JVM that is waiting for something else anyway.
     */
    static void warmUpConnection()
    {
        warmUpHandshake();
        WarmUp.mapping();
        WarmUp.ring();
    }

    private static void warmUpHandshake()
    {
        try
        {
            final byte[] challenge = new byte[CHALLENGE_LENGTH];
            RANDOM.nextBytes(challenge);
            MessageDigest.isEqual(hmac(newKey(), CLIENT_LABEL, challenge), challenge);
        }
        catch (final RuntimeException ex)
        {
            // warming up is an optimisation
        }
    }

    private static byte[] hmac(final byte[] key, final byte[] label, final byte[] challenge)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(label);
            return mac.doFinal(challenge);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }

    private static byte[] take(final ByteBuffer b, final int n) throws IOException
    {
        if (b.remaining() < n)
        {
            throw new StreamCorruptedException("handshake message of " + b.remaining() + " bytes, expected " + n);
        }
        final byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    /**
     * Client side of the handshake.
     *
     * @return the server's pid.
     */
    static long clientHandshake(final Conn conn, final byte[] key, final String address) throws IOException
    {
        final byte[] challenge = take(conn.receive(CHALLENGE_LENGTH), CHALLENGE_LENGTH);
        conn.begin().putBytes(hmac(key, CLIENT_LABEL, challenge)).send();
        if (take(conn.receive(1), 1)[0] != 1)
        {
            throw new AuthenticationException("the manager at " + address +
                " refused our authentication key (HMAC challenge failed): the key is not the manager's");
        }
        final byte[] mine = new byte[CHALLENGE_LENGTH];
        RANDOM.nextBytes(mine);
        conn.begin().putBytes(mine).send();
        final ByteBuffer answer = conn.receive(HMAC_LENGTH + 8);
        final byte[] digest = take(answer, HMAC_LENGTH);
        if (!MessageDigest.isEqual(digest, hmac(key, SERVER_LABEL, mine)))
        {
            throw new AuthenticationException("the server at " + address +
                " could not prove it holds the authentication key: not our manager");
        }
        return answer.getLong();
    }

    /**
     * Server side of the handshake. Every frame is read with the length the handshake expects, so a peer
     * that has not proved it holds the key costs this side no more than those few bytes; the caller bounds
     * how long it may take.
     *
     * @return whether the client proved it holds the key.
     */
    static boolean serverHandshake(final Conn conn, final byte[] key, final long pid) throws IOException
    {
        final byte[] challenge = new byte[CHALLENGE_LENGTH];
        RANDOM.nextBytes(challenge);
        conn.begin().putBytes(challenge).send();
        final byte[] answer = take(conn.receive(HMAC_LENGTH), HMAC_LENGTH);
        final boolean ok = MessageDigest.isEqual(answer, hmac(key, CLIENT_LABEL, challenge));
        conn.begin().putByte((byte)(ok ? 1 : 0)).send();
        if (!ok)
        {
            return false;
        }
        final byte[] theirs = take(conn.receive(CHALLENGE_LENGTH), CHALLENGE_LENGTH);
        conn.begin().putBytes(hmac(key, SERVER_LABEL, theirs)).putLong(pid).send();
        return true;
    }
}

package io.mp4j.tests.manager;

import io.mp4j.Manager;
import io.mp4j.manager.AuthenticationException;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each side of the manager's mutual challenge-response checks the other on its own: a client refuses a server
 * that cannot prove it holds the key (an impostor on the port), and a server refuses a client that cannot,
 * whatever that client does next. The peers here speak the wire protocol by hand: frames of a 4-byte
 * big-endian length and a body; a 32-byte challenge, answered by a 32-byte HMAC-SHA256.
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerHandshakeTest
{
    private static final int CHALLENGE_LENGTH = 32;
    private static final int HMAC_LENGTH = 32;

    @Test
    void aClientRefusesAServerThatCannotProveItHoldsTheKey() throws Exception
    {
        try (ServerSocketChannel impostor = ServerSocketChannel.open())
        {
            impostor.bind(new InetSocketAddress("127.0.0.1", 0));
            final CompletableFuture<Void> served = CompletableFuture.runAsync(() ->
            {
                try (SocketChannel client = impostor.accept())
                {
                    send(client, new byte[CHALLENGE_LENGTH]);                 // a challenge
                    receive(client, HMAC_LENGTH);                             // the client's proof, unchecked
                    send(client, new byte[]{ 1 });                            // "accepted"
                    receive(client, CHALLENGE_LENGTH);                        // the client's challenge
                    send(client, ByteBuffer.allocate(HMAC_LENGTH + 8).putLong(HMAC_LENGTH, 4242).array()); // no proof
                    receive(client, 1);                                       // the client hangs up: end of stream
                }
                catch (final IOException expected)
                {
                    // the client closed the connection
                }
            });
            final AuthenticationException ex = assertThrows(AuthenticationException.class,
                () -> Manager.connect(impostor.getLocalAddress(), "the key".getBytes(StandardCharsets.UTF_8)));
            assertTrue(ex.getMessage().contains("could not prove it holds the authentication key"), ex.getMessage());
            served.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerRefusesAClientThatCannotProveItHoldsTheKey() throws Exception
    {
        final byte[] key = "the key".getBytes(StandardCharsets.UTF_8);
        try (Manager manager = Manager.builder().address(new InetSocketAddress("127.0.0.1", 0)).authKey(key).start())
        {
            try (SocketChannel client = SocketChannel.open(manager.address()))
            {
                assertEquals(CHALLENGE_LENGTH, receive(client, CHALLENGE_LENGTH).length);
                send(client, new byte[HMAC_LENGTH]);                          // not the HMAC of the challenge
                assertEquals(0, receive(client, 1)[0], "the server's verdict on a wrong proof");
                assertTrue(hungUp(client), "the server hangs up instead of answering a refused client");
            }
            assertTrue(manager.dict().isEmpty(), "the manager still serves its clients");
        }
    }

    /** A client that carries on after a refusal finds the connection closed (an end of stream, or a reset). */
    private static boolean hungUp(final SocketChannel client)
    {
        try
        {
            send(client, new byte[CHALLENGE_LENGTH]);
            return client.read(ByteBuffer.allocate(1)) < 0;
        }
        catch (final IOException reset)
        {
            return true;
        }
    }

    private static void send(final SocketChannel channel, final byte[] body) throws IOException
    {
        final ByteBuffer frame = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
        while (frame.hasRemaining())
        {
            channel.write(frame);
        }
    }

    private static byte[] receive(final SocketChannel channel, final int expected) throws IOException
    {
        final ByteBuffer length = read(channel, 4);
        assertEquals(expected, length.getInt(0), "frame length");
        return read(channel, expected).array();
    }

    private static ByteBuffer read(final SocketChannel channel, final int n) throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining())
        {
            if (channel.read(b) < 0)
            {
                throw new java.io.EOFException("end of stream after " + b.position() + " of " + n + " bytes");
            }
        }
        return b;
    }
}

package io.mp4j;

import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A manager server flooded with connections that never authenticate: at most
 * {@link ManagerServer#MAX_HANDSHAKING} of them hold a thread, the others are closed at once, and a proper
 * client gets in once the silent ones are gone. The handshake timeout is set far beyond the test, so that
 * which connections the server holds depends on the cap only, not on timing. In the package of the server,
 * to read its cap.
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ManagerHandshakeCapTest
{
    private static final int READ_BOUND_MILLIS = 60_000;

    /** @return whether the server sent its challenge (it holds the connection), false if it closed it. */
    private static boolean challenged(final Socket socket) throws IOException
    {
        try
        {
            assertEquals(32, new DataInputStream(socket.getInputStream()).readInt(), "the challenge frame's length");
            return true;
        }
        catch (final EOFException | SocketException closed)
        {
            return false; // an end of stream, or a reset: closed without a word (a timeout is not a SocketException)
        }
    }

    @Test
    void silentConnectionsBeyondTheCapAreClosedAtOnceAndAProperClientGetsInAfterwards() throws Exception
    {
        final byte[] key = "handshake cap".getBytes(StandardCharsets.UTF_8);
        final int total = ManagerServer.MAX_HANDSHAKING + 36;
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-Dmp4j.manager.handshakeTimeoutMillis=600000"));
             Manager manager = Manager.builder().context(ctx).address(new InetSocketAddress("127.0.0.1", 0)).authKey(key).start())
        {
            final InetSocketAddress address = (InetSocketAddress)manager.address();
            final List<Socket> silent = new ArrayList<>();
            try
            {
                for (int i = 0; i < total; i++)
                {
                    final Socket socket = new Socket(address.getAddress(), address.getPort());
                    socket.setSoTimeout(READ_BOUND_MILLIS);
                    silent.add(socket);
                }
                int held = 0;
                for (final Socket socket : silent)
                {
                    held += challenged(socket) ? 1 : 0;
                }
                assertTrue(held >= 1 && held <= ManagerServer.MAX_HANDSHAKING,
                    held + " of " + total + " silent connections held, the cap is " + ManagerServer.MAX_HANDSHAKING);
            }
            finally
            {
                for (final Socket socket : silent)
                {
                    socket.close();
                }
            }

            // the server sees the silent ones close and frees their places: a proper client gets in within the bound
            final Manager client = Await.value("a proper client to get in once the silent connections are closed", () ->
            {
                try
                {
                    return Manager.connect(address, key);
                }
                catch (final RuntimeException refused)
                {
                    return null; // closed at once while the places were still taken: try again
                }
            });
            try (Manager connected = client)
            {
                final Map<String, Integer> dict = connected.dict();
                dict.put("still", 1);
                assertEquals(1, dict.get("still"), "the server still serves a proper client");
            }
            final Map<String, Integer> owner = manager.dict();
            owner.put("owner", 2);
            assertEquals(2, owner.get("owner"), "and its owner");
        }
    }
}

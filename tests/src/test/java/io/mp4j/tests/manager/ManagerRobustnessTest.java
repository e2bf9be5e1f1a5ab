package io.mp4j.tests.manager;

import io.mp4j.Context;
import io.mp4j.Manager;
import io.mp4j.StartMethod;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A manager server facing peers that misbehave: unauthenticated ones, dead ones, interrupted ones.
 */
@ExtendWith(NoLeaks.class)
class ManagerRobustnessTest
{
    /** The bound on any read from the server: far beyond what the server needs, so a hang fails the test. */
    private static final int READ_BOUND_MILLIS = 60_000;

    private static Socket readChallenge(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(READ_BOUND_MILLIS);
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        assertEquals(32, in.readInt(), "the challenge frame's length");
        in.readFully(new byte[32]);
        return socket;
    }

    /** @return whether the server closed the connection (a hang fails with SocketTimeoutException). */
    private static boolean closedByServer(final Socket socket) throws IOException
    {
        try
        {
            return socket.getInputStream().read() == -1;
        }
        catch (final SocketException reset)
        {
            return true; // closed with bytes unread: a reset, still a close (a timeout is not a SocketException)
        }
    }

    @Test
    void anUnauthenticatedPeerCannotMakeTheServerAllocateAFrameNorHoldAThread() throws Exception
    {
        final byte[] key = "handshake limits".getBytes(StandardCharsets.UTF_8);
        try (Context ctx = Context.create(StartMethod.SPAWN, List.of("-Dmp4j.manager.handshakeTimeoutMillis=300"));
             Manager manager = Manager.builder().context(ctx).address(new InetSocketAddress("127.0.0.1", 0)).authKey(key).start())
        {
            final InetSocketAddress address = (InetSocketAddress)manager.address();
            for (int i = 0; i < 4; i++)
            {
                try (Socket greedy = readChallenge(address))
                {
                    // a 256 MiB frame announced as the answer to the challenge: refused before any allocation
                    new DataOutputStream(greedy.getOutputStream()).writeInt(256 << 20);
                    assertEquals(true, closedByServer(greedy), "the server closes a connection announcing a huge handshake frame");
                }
            }
            try (Socket silent = readChallenge(address))
            {
                // says nothing: dropped after the 300 ms handshake timeout, long before the read bound
                assertEquals(true, closedByServer(silent), "the server drops a peer that does not authenticate in time");
            }
            try (Manager client = Manager.connect(address, key))
            {
                final Map<String, Integer> dict = client.dict();
                dict.put("still", 1);
                assertEquals(1, dict.get("still"), "the server still serves a proper client");
            }
        }
    }
}

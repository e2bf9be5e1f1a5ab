package io.mp4j.queue;

import io.mp4j.shm.Await;
import io.mp4j.shm.CrashPoints;
import org.example.Forbidden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipes across real JVMs: ping-pong, end of stream after the peer closed or was killed, the
 * deserialization filter.
 */
class PipeCrossJvmTest extends CrossJvmTestBase
{
    @Test
    void pingPongWithAChildHoldingTheOtherEnd() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p");
        final Connection parentEnd = pipe.first();
        final Connection childEnd = pipe.second();
        final ChildJvm child = start("pipe-echo", ChildJvm.serialize(childEnd));
        childEnd.close(); // Python's idiom: the child holds that end now
        assertTimeoutPreemptively(WAIT, () ->
        {
            for (int i = 0; i < 2000; i++)
            {
                parentEnd.send(i);
                assertEquals(i, parentEnd.recv());
            }
            parentEnd.send("text");
            assertEquals("text", parentEnd.recv());
        });
        parentEnd.close();
        assertEquals("eof 2001", child.awaitLine("eof", WAIT), "the child sees end of stream when the parent closes");
        child.assertExitsCleanly(WAIT);
    }

    @Test
    void endOfStreamAfterThePeerProcessClosedItsEnd() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection parentEnd = pipe.first(); Connection unused = pipe.second())
        {
            final ChildJvm child = start("pipe-send-close", pipe.first().path().toString(), "1", "3");
            child.awaitLine("closed", WAIT);
            child.assertExitsCleanly(WAIT);
            assertTimeoutPreemptively(WAIT, () ->
            {
                assertEquals("m0", parentEnd.recv());
                assertEquals("m1", parentEnd.recv());
                assertEquals("m2", parentEnd.recv());
                assertThrows(EndOfStreamException.class, parentEnd::recv);
            });
        }
    }

    @Test
    void aPeerThatSendsAndClosesWhileTheReceiverChecksForEndOfStreamLosesNothing(@TempDir final Path pauses) throws Exception
    {
        final String point = "pipe.endOfStreamCheck";
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection unused = pipe.second())
        {
            final Connection parentEnd = pipe.first();
            // the receiver pauses in its first end-of-stream check, after it found this end open
            final ChildJvm child = start(List.of("-D" + CrashPoints.PAUSE_PROPERTY + "=" + point,
                "-D" + CrashPoints.PAUSE_DIR_PROPERTY + "=" + pauses), "pipe-recv-all", pipe.first().path().toString(), "1");
            child.awaitLine("receiving", WAIT);
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!Files.exists(pauses.resolve(point + ".reached")))
            {
                assertTrue(System.nanoTime() - deadline < 0, "the receiver never checked for end of stream");
                Thread.yield();
            }
            parentEnd.send("last");
            parentEnd.close();
            Files.createFile(pauses.resolve(point + ".go"));
            // before end of stream: the message committed before the close (else the child says eof first)
            assertEquals("got last", child.awaitLine("got", WAIT));
            assertEquals("eof", child.awaitLine("eof", WAIT));
            child.assertExitsCleanly(WAIT);
        }
    }

    @Test
    void endOfStreamAfterThePeerProcessWasKilled() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection parentEnd = pipe.first(); Connection unused = pipe.second())
        {
            final ChildJvm child = start("pipe-hold", pipe.first().path().toString(), "1");
            child.awaitLine("holding", WAIT);
            assertEquals("hello", parentEnd.recv(WAIT));
            child.kill();
            assertTimeoutPreemptively(WAIT, () ->
            {
                final EndOfStreamException eof = assertThrows(EndOfStreamException.class, parentEnd::recv);
                assertTrue(eof.getMessage().contains("died"), eof.getMessage());
                assertThrows(EndOfStreamException.class, () -> parentEnd.send("to the dead"));
            });
        }
    }

    @Test
    void endOfStreamAfterThePeerWasKilledBetweenFragmentsOfALargeMessage() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p", false, 64 * 1024, null);
        try (Connection receiveEnd = pipe.first(); Connection unused = pipe.second())
        {
            // 8 MiB through a 64 KiB ring nobody reads: the child blocks mid-message
            final ChildJvm child = start("pipe-send-large", pipe.first().path().toString(), "1", Integer.toString(8 << 20));
            assertEquals("hello", receiveEnd.recv(WAIT));
            Await.until("the child's first fragment", WAIT, receiveEnd::poll);
            child.kill();
            assertTimeoutPreemptively(WAIT, () ->
            {
                final EndOfStreamException eof = assertThrows(EndOfStreamException.class, () -> receiveEnd.recv(WAIT));
                assertTrue(eof.getMessage().contains("died"), eof.getMessage());
                assertTrue(receiveEnd.poll(), "recv would not wait");
                assertThrows(EndOfStreamException.class, receiveEnd::recv);
            });
        }
    }

    @Test
    void endOfStreamAfterThePeerWasKilledBetweenClaimingAndCommittingARecord() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p", false);
        try (Connection receiveEnd = pipe.first(); Connection unused = pipe.second())
        {
            final ChildJvm child = start("pipe-claim-hold", pipe.first().path().toString(), "1");
            child.awaitLine("claimed", WAIT);
            assertEquals("hello", receiveEnd.recv(WAIT));
            child.kill();
            assertTimeoutPreemptively(WAIT, () ->
            {
                assertTrue(receiveEnd.poll(WAIT), "recv would not wait");
                final EndOfStreamException eof = assertThrows(EndOfStreamException.class, () -> receiveEnd.recv(WAIT));
                assertTrue(eof.getMessage().contains("died"), eof.getMessage());
                assertThrows(EndOfStreamException.class, receiveEnd::recv);
            });
        }
    }

    @Test
    void aClassOutsideTheAllowListIsRefusedOnRecv() throws Exception
    {
        final Pipe pipe = Pipe.create(dir, "p");
        try (Connection parentEnd = pipe.first(); Connection unused = pipe.second())
        {
            final ChildJvm child = start("pipe-send-object", pipe.first().path().toString(), "1");
            child.awaitLine("sent", WAIT);
            final MessageDecodingException refused = assertThrows(MessageDecodingException.class, () -> parentEnd.recv(WAIT));
            assertTrue(refused.getMessage().contains(Forbidden.class.getName()), refused.getMessage());
            assertEquals("after", parentEnd.recv(WAIT));
            parentEnd.send("bye");
            child.assertExitsCleanly(WAIT);
        }
    }
}

package io.mp4j.queue;

import org.example.Forbidden;
import org.junit.jupiter.api.Test;


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

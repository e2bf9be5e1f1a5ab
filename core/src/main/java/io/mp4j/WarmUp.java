package io.mp4j;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * First-use costs of the JDK and Agrona that a JVM can pay while it waits for something else: a spare JVM
 * before its task, a manager server once it listens, a program while its manager server starts. Each fails
 * quietly (warming up is an optimisation) and costs microseconds once the JVM is warm.
 */
final class WarmUp
{
    private WarmUp()
    {
    }

    /**
     * A JVM's first {@code FileChannel.map} makes its {@code MappedByteBuffer} through a reflective
     * constructor call; since Java 18 core reflection runs on method handles, whose first use spins some
     * thirty classes: 70-100 ms on Java 25 here (30-40 ms on 17), between a pool worker receiving its task and
     * attaching to its ring, or in a manager's first connection. A read-write mapping of no bytes of
     * {@code /dev/null} takes the same path without mapping anything.
     */
    static void mapping()
    {
        try (FileChannel devNull = FileChannel.open(Paths.get("/dev/null"), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            devNull.map(FileChannel.MapMode.READ_WRITE, 0, 0);
        }
        catch (final IOException | RuntimeException ex)
        {
            // warming up is an optimisation
        }
    }

    /**
     * Agrona's {@code UnsafeApi} links each of its methods at the method's first call, an invokedynamic
     * bootstrap each, and the first {@code UnsafeBuffer} initialises {@code BufferUtil}: 30-40 ms of method
     * handles spun on Java 25 here when a pool worker first touches its ring. Send one message through a
     * ring of the same kind, off the heap, both ways a worker does (write, claim and commit, read), and
     * touch the words the way a manager connection's mailbox does.
     */
    static void ring()
    {
        try
        {
            ringOnce();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // warming up is an optimisation
        }
    }

    private static void ringOnce()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH);
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(memory));
        final ExpandableArrayBuffer message = new ExpandableArrayBuffer(64);
        message.putLong(0, 1L);
        message.putInt(8, 2);
        message.putBytes(12, new byte[16]);
        ring.write(1, message, 0, 28);
        final int claimed = ring.tryClaim(1, 16);
        if (claimed > 0)
        {
            ring.buffer().putLong(claimed, 3L);
            ring.buffer().putBytes(claimed + 8, message, 0, 8);
            ring.commit(claimed);
        }
        final byte[] into = new byte[32];
        ring.read((type, buffer, index, length) ->
        {
            buffer.getLong(index);
            buffer.getBytes(index, into, 0, Math.min(length, into.length));
        }, 2);
        // and what a manager connection's mailbox does on its words
        final AtomicBuffer words = ring.buffer();
        words.putIntVolatile(0, 1);
        words.compareAndSetInt(0, 1, 0);
        words.getIntVolatile(0);
        words.putLongRelease(64, 1L);
        words.getLongVolatile(64);
        IoUtil.unmap(memory);
    }
}

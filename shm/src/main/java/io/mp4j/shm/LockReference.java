package io.mp4j.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where a {@link Value}, an {@link Array} or a {@link Condition} records the lock that guards it: the
 * kind and the absolute path of the lock's region file, so that whoever attaches the object attaches
 * the same lock.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Lock kind: 0 none (raw), 1 Lock, 2 RLock               |
 *  +---------------------------------------------------------------+
 *  |                  Path length in bytes                         |
 *  +---------------------------------------------------------------+
 *  |        Absolute path of the lock region, UTF-8 (up to 440)   ...
 * ...                                                              |
 *  +---------------------------------------------------------------+ 448
 * </pre>
 */
final class LockReference
{
    static final int KIND_OFFSET = 0;
    static final int PATH_LENGTH_OFFSET = 4;
    static final int PATH_OFFSET = 8;
    static final int LENGTH = 448;
    static final int MAX_PATH_LENGTH = LENGTH - PATH_OFFSET;

    static final int KIND_NONE = 0;
    static final int KIND_LOCK = 1;
    static final int KIND_RLOCK = 2;

    private LockReference()
    {
    }

    static void write(final AtomicBuffer buffer, final int offset, final SharedLock lock)
    {
        if (lock == null)
        {
            buffer.putInt(offset + KIND_OFFSET, KIND_NONE);
            return;
        }
        if (!(lock instanceof SharedObject))
        {
            throw new IllegalArgumentException("a memory-mapped object needs a memory-mapped lock, not " + lock);
        }
        final Path lockPath = ((SharedObject)lock).path();
        final byte[] path = lockPath.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
        if (path.length > MAX_PATH_LENGTH)
        {
            throw new IllegalArgumentException("lock path is " + path.length + " bytes, at most " + MAX_PATH_LENGTH +
                " fit: " + lockPath);
        }
        final int kind;
        if (lock instanceof MappedLock)
        {
            kind = KIND_LOCK;
        }
        else if (lock instanceof MappedRLock)
        {
            kind = KIND_RLOCK;
        }
        else
        {
            throw new IllegalArgumentException("not an mp4j Lock or RLock: " + lock.getClass().getName());
        }
        buffer.putInt(offset + KIND_OFFSET, kind);
        buffer.putInt(offset + PATH_LENGTH_OFFSET, path.length);
        buffer.putBytes(offset + PATH_OFFSET, path);
    }

    static SharedLock read(final AtomicBuffer buffer, final int offset, final Path file)
    {
        final int kind = buffer.getInt(offset + KIND_OFFSET);
        if (kind == KIND_NONE)
        {
            return null;
        }
        final int length = buffer.getInt(offset + PATH_LENGTH_OFFSET);
        if ((kind != KIND_LOCK && kind != KIND_RLOCK) || length <= 0 || length > MAX_PATH_LENGTH)
        {
            throw new InvalidRegionException(file, "corrupt lock reference: kind=" + kind + ", pathLength=" + length);
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + PATH_OFFSET, bytes);
        final Path lockFile = Paths.get(new String(bytes, StandardCharsets.UTF_8));
        return (SharedLock)SharedObjects.attach(kind == KIND_LOCK ? MappedLock.class.getName() : MappedRLock.class.getName(), lockFile);
    }
}

package io.mp4j;

import io.mp4j.queue.Queue;
import io.mp4j.shm.Lock;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Await;
import io.mp4j.tests.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A manager call that takes at once (the element or permit is there) for a client that cannot receive the
 * answer puts it back. In the package of the manager's wire, as a client that speaks it by hand: no public
 * API can order "the server took it" before "the answer cannot be delivered". The client authenticates,
 * takes a manager lock, shuts down its input (on a Unix socket the server's answer then fails with a
 * broken pipe, deterministically), and asks; the server's thread for it then ends, which releases the
 * lock: that is how this test knows the call has been served, with no timing.
 */
@ExtendWith(NoLeaks.class)
class ManagerUndeliveredAnswerTest
{
    private static void send(final ManagerWire.Conn conn, final long id, final int method, final Object... args) throws Exception
    {
        conn.begin().putByte(ManagerWire.OP_CALL).putLong(id).putInt(method).putByte((byte)args.length);
        for (final Object arg : args)
        {
            conn.putValue(arg);
        }
        conn.send();
    }

    /** Ask for {@code method} of object {@code id} over a connection that cannot receive the answer. */
    private static void askWithoutReceiving(final Manager manager, final Lock lock, final long id, final int method,
        final Object... args) throws Throwable
    {
        final String address = ManagerWire.format(manager.address());
        assertTrue(address.startsWith("unix:"), address);
        final ManagerWire.Conn conn = new ManagerWire.Conn(ManagerWire.connect(ManagerWire.parse(address)));
        try
        {
            ManagerWire.clientHandshake(conn, manager.authKey(), address);
            final ManagerHosted.LockWire lockWire = (ManagerHosted.LockWire)((ManagerAdapter<?>)lock).remote();
            send(conn, ManagerProxy.handlerOf(lockWire).objectId,
                ManagerMethods.of(ManagerHosted.LockWire.class).indexOf("acquire", long.class, long.class),
                ProcessHandle.current().pid(), -1L);
            assertEquals(Boolean.TRUE, ManagerProxy.result(conn.receive(), null, address, 0), "the raw client holds the lock");
            conn.channel.shutdownInput();
            send(conn, id, method, args);
            Await.until("the server to end the connection it could not answer (releasing its lock)", () ->
            {
                if (lock.tryLock())
                {
                    lock.unlock();
                    return true;
                }
                return false;
            });
        }
        finally
        {
            conn.close();
        }
    }

    @Test
    void anElementOrPermitTakenAtOnceForAClientThatCannotReceiveTheAnswerIsPutBack() throws Throwable
    {
        try (Manager manager = Manager.start())
        {
            final Lock lock = manager.lock();

            final Queue<String> queue = manager.queue();
            queue.put("x");
            final long queueId = ManagerProxy.handlerOf(((ManagerAdapter<?>)queue).remote()).objectId;
            final ManagerMethods queueMethods = ManagerMethods.of(BlockingQueue.class);
            askWithoutReceiving(manager, lock, queueId, queueMethods.indexOf("take"));
            assertEquals("x", queue.get(Duration.ofSeconds(30)), "take: the element is back");
            queue.put("y");
            askWithoutReceiving(manager, lock, queueId, queueMethods.indexOf("poll", long.class, java.util.concurrent.TimeUnit.class),
                30L, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("y", queue.get(Duration.ofSeconds(30)), "poll(timeout): the element is back");
            queue.put("z");
            askWithoutReceiving(manager, lock, queueId, queueMethods.indexOf("poll"));
            assertEquals("z", queue.get(Duration.ofSeconds(30)), "poll(): the element is back");

            final Semaphore semaphore = manager.semaphore(1);
            final Object semaphoreWire = ((ManagerAdapter<?>)semaphore).remote();
            askWithoutReceiving(manager, lock, ManagerProxy.handlerOf(semaphoreWire).objectId,
                ManagerMethods.of(ManagerHosted.SemaphoreWire.class).indexOf("acquire", long.class), -1L);
            assertTrue(semaphore.tryAcquire(), "the permit is back");
        }
    }
}

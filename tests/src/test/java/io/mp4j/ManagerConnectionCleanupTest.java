package io.mp4j;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A thread's connection to a manager that was closed can be collected while the thread lives: its
 * registration with the cleaner (which closes the connections of threads that are gone) goes with it.
 */
class ManagerConnectionCleanupTest
{
    @Test
    @SuppressWarnings("unchecked")
    void aClosedManagersConnectionIsNotKeptByTheCleaner() throws Exception
    {
        final Field field = ManagerProxy.class.getDeclaredField("CONNECTIONS");
        field.setAccessible(true);
        final ThreadLocal<HashMap<String, ManagerWire.Conn>> connections = (ThreadLocal<HashMap<String, ManagerWire.Conn>>)field.get(null);
        final WeakReference<ManagerWire.Conn> conn;
        try (Manager manager = Manager.start())
        {
            final Map<Integer, Integer> dict = manager.dict();
            dict.put(1, 2);
            assertEquals(1, connections.get().size());
            conn = new WeakReference<>(connections.get().values().iterator().next());
        }
        assertEquals(0, connections.get().size());
        for (int i = 0; i < 100 && conn.get() != null; i++)
        {
            System.gc();
            Thread.onSpinWait();
        }
        assertNull(conn.get(), "the closed connection is still reachable (from the cleaner's registration)");
    }
}

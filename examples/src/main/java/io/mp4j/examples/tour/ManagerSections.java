package io.mp4j.examples.tour;

import io.mp4j.Manager;
import io.mp4j.Process;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The seed's "Manager for Complex Shared Objects": four child JVMs fill a dict and a list held by a
 * manager's server JVM, through proxies passed to them as arguments.
 */
public final class ManagerSections
{
    private ManagerSections()
    {
    }

    /**
     * The seed's {@code worker(shared_dict, shared_list, worker_id)}.
     *
     * @param sharedDict a proxy of the manager's dict.
     * @param sharedList a proxy of the manager's list.
     * @param workerId   the worker number.
     */
    static void worker(final Map<Integer, Integer> sharedDict, final List<Integer> sharedList, final int workerId)
    {
        sharedDict.put(workerId, workerId * 10);
        sharedList.add(workerId);
    }

    /**
     * @param map a map.
     * @return it as Python prints a dict: {@code {0: 0, 1: 10}}.
     */
    static String pythonDict(final Map<?, ?> map)
    {
        final StringJoiner out = new StringJoiner(", ", "{", "}");
        map.forEach((k, v) -> out.add(k + ": " + v));
        return out.toString();
    }

    /** Manager for Complex Shared Objects. */
    public static final class SharedObjects implements Section
    {
        @Override
        public String id()
        {
            return "manager";
        }

        @Override
        public String title()
        {
            return "Manager for Complex Shared Objects";
        }

        @Override
        public String lesson()
        {
            return "a manager JVM held the dict and list; four child JVMs filled them through proxies passed as arguments.";
        }

        @Override
        public void run() throws Exception
        {
            try (Manager manager = Manager.start())
            {
                final Map<Integer, Integer> sharedDict = manager.dict();
                final List<Integer> sharedList = manager.list();

                final List<Process> processes = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                {
                    final Process p = Process.of(ManagerSections::worker, sharedDict, sharedList, i);
                    processes.add(p);
                    p.start();
                }
                for (final Process p : processes)
                {
                    p.join();
                }

                System.out.println("Dict: " + pythonDict(sharedDict));
                System.out.println("List: " + new ArrayList<>(sharedList));
            }
        }
    }
}

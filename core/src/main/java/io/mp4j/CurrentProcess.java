package io.mp4j;

import io.mp4j.shm.ProcessIds;

/**
 * Who this JVM is: set once in a child by {@link ChildMain}, else the main process.
 */
final class CurrentProcess
{
    private static volatile ProcessInfo self =
        new ProcessInfo("MainProcess", ProcessIds.currentPid(), ProcessIds.currentStartTime(), false, false);
    private static volatile ProcessInfo parent;
    private static volatile String identity = "";

    private CurrentProcess()
    {
    }

    static void initChild(
        final String name, final String childIdentity, final boolean daemon, final long parentPid, final long parentStartTime,
        final String parentName)
    {
        self = new ProcessInfo(name, ProcessIds.currentPid(), ProcessIds.currentStartTime(), daemon, true);
        // the parent's start time comes from the parent itself: read here, it could be a reused pid's
        parent = new ProcessInfo(parentName, parentPid, parentStartTime, false,
            parentPid != 0 && !"MainProcess".equals(parentName));
        identity = childIdentity;
    }

    static ProcessInfo self()
    {
        return self;
    }

    static ProcessInfo parent()
    {
        return parent;
    }

    /**
     * @return the identity prefix for children's default names: "" in the main process, "1:" in Process-1.
     */
    static String identity()
    {
        return identity;
    }
}

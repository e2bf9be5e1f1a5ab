package io.mp4j;

/**
 * Who this JVM is: set once in a child by {@link ChildMain}, else the main process.
 */
final class CurrentProcess
{
    private static volatile ProcessInfo self =
        new ProcessInfo("MainProcess", ProcessHandle.current().pid(), false, false);
    private static volatile ProcessInfo parent;
    private static volatile String identity = "";

    private CurrentProcess()
    {
    }

    static void initChild(
        final String name, final String childIdentity, final boolean daemon, final long parentPid, final String parentName)
    {
        self = new ProcessInfo(name, ProcessHandle.current().pid(), daemon, true);
        parent = new ProcessInfo(parentName, parentPid, false, parentPid != 0 && !"MainProcess".equals(parentName));
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

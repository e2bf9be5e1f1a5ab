package io.mp4j;

import io.mp4j.shm.ProcessIds;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProcessInfo#isAlive()} judges a process by pid and start time. In the package of
 * {@code ProcessInfo}, whose constructor is internal: no public API can make the kernel hand a dead
 * process's pid to a new one on demand, so a reused pid is shown as it looks to the check, a live pid
 * with another start time. {@code ProcessTest.childKnowsItsNameDaemonFlagAndParent} checks the real
 * parent and child across JVMs.
 */
class ProcessInfoTest
{
    @Test
    void aPidReusedByAnotherProcessIsNotTheProcessThatHadIt()
    {
        final long pid = ProcessIds.currentPid();
        final long earlier = ProcessIds.currentStartTime() - 1;
        assertNotEquals(ProcessIds.NO_PROCESS, earlier);
        final ProcessInfo exited = new ProcessInfo("Process-1", pid, earlier, false, true);
        assertFalse(exited.isAlive(), "a process that started at another time with the same pid is another process");
    }

    @Test
    void theSameProcessIsAlive()
    {
        assertTrue(new ProcessInfo("MainProcess", ProcessIds.currentPid(), ProcessIds.currentStartTime(), false, false).isAlive());
        assertTrue(Process.currentProcess().isAlive());
    }

    @Test
    void anUnknownStartTimeOrPidIsNotAlive()
    {
        assertFalse(new ProcessInfo("MainProcess", ProcessIds.currentPid(), ProcessIds.NO_PROCESS, false, false).isAlive());
        assertFalse(new ProcessInfo("", 0, ProcessIds.NO_PROCESS, false, false).isAlive());
    }
}

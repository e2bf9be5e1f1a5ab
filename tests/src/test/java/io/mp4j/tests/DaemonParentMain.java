package io.mp4j.tests;

import io.mp4j.Process;

import java.util.concurrent.CountDownLatch;

/**
 * A parent JVM for tests: starts a daemon child that runs until stopped, reports its pid, and waits to
 * be killed.
 */
public final class DaemonParentMain
{
    private DaemonParentMain()
    {
    }

    static void runForever() throws InterruptedException
    {
        new CountDownLatch(1).await(); // never counted down: runs until the test stops this process by pid
    }

    /**
     * @param args unused.
     * @throws Exception never expected.
     */
    public static void main(final String[] args) throws Exception
    {
        final Process child = Process.of(DaemonParentMain::runForever).daemon(true);
        child.start();
        System.out.println("daemon-child-pid=" + child.pid());
        System.out.flush();
        new CountDownLatch(1).await(); // never counted down: runs until the test stops this process by pid
    }
}

package io.mp4j.tests;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test that leaves a child JVM (or any other descendant process) running, after killing every
 * one of them by pid, so the next test starts clean whatever happened.
 */
public final class NoLeaks implements AfterEachCallback
{
    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        final List<ProcessHandle> left = ProcessHandle.current().descendants()
            .filter(ProcessHandle::isAlive).collect(Collectors.toList());
        if (left.isEmpty())
        {
            return;
        }
        for (final ProcessHandle handle : left)
        {
            handle.destroyForcibly();
        }
        for (final ProcessHandle handle : left)
        {
            handle.onExit().get(10, TimeUnit.SECONDS);
        }
        if (context.getExecutionException().isEmpty())
        {
            fail("test left " + left.size() + " process(es) running: " +
                left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).collect(Collectors.joining("; ")));
        }
    }
}

package io.mp4j.queue;

import io.mp4j.shm.RuntimeDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What every cross-JVM test of this module shares: a runtime directory of its own, child JVMs running
 * {@link QueueChild} that are stopped by pid after each test, and a check that nothing is left on disk.
 */
abstract class CrossJvmTestBase
{
    static final Duration WAIT = Duration.ofSeconds(60);

    RuntimeDirectory dir;
    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeEach
    void createDirectory()
    {
        dir = RuntimeDirectory.create();
    }

    @AfterEach
    void stopChildrenAndRemoveDirectory() throws Exception
    {
        for (final ChildJvm child : children)
        {
            child.close();
        }
        dir.close();
        assertFalse(Files.exists(dir.path()));
    }

    ChildJvm start(final String... args)
    {
        return start(List.of(), args);
    }

    ChildJvm start(final List<String> jvmArgs, final String... args)
    {
        final ChildJvm child = ChildJvm.start(QueueChild.class, jvmArgs, args);
        children.add(child);
        return child;
    }
}

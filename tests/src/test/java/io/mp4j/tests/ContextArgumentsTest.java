package io.mp4j.tests;

import io.mp4j.Backend;
import io.mp4j.Context;
import io.mp4j.Process;
import io.mp4j.StartMethod;
import io.mp4j.shm.Await;
import io.mp4j.shm.RuntimeDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a context does with arguments it cannot use, and with a close of the global context.
 */
@ExtendWith(NoLeaks.class)
class ContextArgumentsTest
{
    static void noop()
    {
    }

    @Test
    void closingTheGlobalContextDoesNothingSoLaterProcessesStillStart() throws Exception
    {
        try (Context global = Context.global())
        {
            assertSame(global, Context.global());
        }
        final Process p = Process.of(ContextArgumentsTest::noop);
        p.start();
        assertTrue(p.join(Await.DEFAULT), "the child did not end");
        assertEquals(0, p.exitCode().getAsInt(), String.join("\n", p.stderrTail()));
    }

    /** This JVM's runtime directories now: their names carry its pid. */
    static Set<Path> ownDirectories() throws IOException
    {
        final String mark = ".p" + ProcessHandle.current().pid() + ".";
        try (Stream<Path> entries = Files.list(RuntimeDirectory.defaultBase()))
        {
            return entries.filter(p -> p.getFileName().toString().contains(mark)).collect(Collectors.toSet());
        }
    }

    @Test
    void nullArgumentsAreRefusedByNameBeforeAnythingIsMade() throws Exception
    {
        final Set<Path> before = ownDirectories();
        assertEquals("startMethod", assertThrows(NullPointerException.class, () -> Context.create(null, List.of())).getMessage());
        assertEquals("jvmOptions",
            assertThrows(NullPointerException.class, () -> Context.create(StartMethod.SPAWN, null)).getMessage());
        assertEquals("backend", assertThrows(NullPointerException.class, () -> Context.create((Backend)null)).getMessage());
        assertEquals(before, ownDirectories(), "a refused context left a runtime directory behind");
    }
}

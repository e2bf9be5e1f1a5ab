package io.mp4j.tests;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Swaps {@code System.out} for a buffer while open: child output copied by mp4j lands here.
 */
public final class CapturedOutput implements AutoCloseable
{
    private final PrintStream original = System.out;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    /**
     * Start capturing.
     */
    public CapturedOutput()
    {
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    /**
     * @return what was printed so far.
     */
    public synchronized String text()
    {
        System.out.flush();
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close()
    {
        System.setOut(original);
    }
}

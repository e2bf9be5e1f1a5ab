package io.mp4j.examples.tour;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Watches {@code System.out} for a line with a given prefix, hiding that line and keeping its value,
 * and passes every other line through: how the tour reads a value a child prints for it.
 */
final class OutputWatch implements AutoCloseable
{
    private final PrintStream original = System.out;
    private final String prefix;
    private volatile String value;

    OutputWatch(final String prefix)
    {
        this.prefix = prefix;
        System.setOut(new PrintStream(new OutputStream()
        {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(final int b)
            {
                if (b == '\n')
                {
                    final String text = line.toString();
                    line.setLength(0);
                    if (text.startsWith(OutputWatch.this.prefix))
                    {
                        value = text.substring(OutputWatch.this.prefix.length());
                    }
                    else
                    {
                        original.println(text);
                    }
                }
                else
                {
                    line.append((char)b);
                }
            }
        }, true, StandardCharsets.ISO_8859_1));
    }

    String value()
    {
        System.out.flush();
        if (value == null)
        {
            throw new IllegalStateException("no line starting with '" + prefix + "' was printed");
        }
        return value;
    }

    @Override
    public void close()
    {
        System.setOut(original);
    }
}

package io.mp4j.examples.tour;

/**
 * One section of the seed tutorial, done in Java across real JVMs.
 */
public interface Section
{
    /**
     * @return the short name used on the command line, e.g. {@code creating}.
     */
    String id();

    /**
     * @return the seed's heading, e.g. {@code Creating Processes}.
     */
    String title();

    /**
     * @return one line saying what the section showed.
     */
    String lesson();

    /**
     * Run the example, printing what the seed's example prints.
     *
     * @throws Exception if the example fails.
     */
    void run() throws Exception;
}

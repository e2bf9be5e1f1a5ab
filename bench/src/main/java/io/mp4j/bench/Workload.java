package io.mp4j.bench;

import java.util.Map;

/**
 * One workload of the cross-process harness, named as in the CPython baseline's {@code mp_bench.py}.
 */
public interface Workload
{
    /**
     * @return the name, the same as the baseline's workload name.
     */
    String name();

    /**
     * Run the workload.
     *
     * @param summary one headline figure per line, added to by the workload ({@code name.figure -> value}).
     * @return all figures, for the JSON's {@code results}.
     * @throws Exception if the workload fails; the harness records the error and goes on.
     */
    Map<String, Object> run(Map<String, Object> summary) throws Exception;
}

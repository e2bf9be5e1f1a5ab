package io.mp4j;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task with no arguments and a result that can be sent to another JVM. It is {@link Serializable}, so a
 * lambda or method reference typed as this interface is compiled as a serializable lambda. The other
 * JVM must have the lambda's declaring class on its class path (mp4j starts children with the
 * parent's class path). Captured values must be serializable too.
 *
 * <p>It is a {@link Callable}, so where a method takes both (as {@link ProcessPoolExecutor#submit}
 * does), Java picks this overload for a lambda and compiles it serializable, with no cast.
 *
 * @param <R> the result type.
 */
@FunctionalInterface
public interface SerializableCallable<R> extends Callable<R>, Serializable
{
    /**
     * Run the task.
     *
     * @return the result.
     * @throws Exception whatever the task throws; in a child process it ends the process with exit code 1.
     */
    R call() throws Exception;
}

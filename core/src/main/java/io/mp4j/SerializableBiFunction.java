package io.mp4j;

import java.io.Serializable;

/**
 * A task with two arguments and a result that can be sent to another JVM. It is {@link Serializable}, so a
 * lambda or method reference typed as this interface is compiled as a serializable lambda. The other
 * JVM must have the lambda's declaring class on its class path (mp4j starts children with the
 * parent's class path). Captured values must be serializable too.
 *
 * @param <A> the first argument type.
 * @param <B> the second argument type.
 * @param <R> the result type.
 */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R> extends Serializable
{
    /**
     * Run the task.
     *
     * @param a an argument.
     * @param b an argument.
     * @return the result.
     * @throws Exception whatever the task throws; in a child process it ends the process with exit code 1.
     */
    R apply(A a, B b) throws Exception;
}

package io.mp4j;

import java.io.Serializable;

/**
 * A task with one argument and no result that can be sent to another JVM. It is {@link Serializable}, so a
 * lambda or method reference typed as this interface is compiled as a serializable lambda. The other
 * JVM must have the lambda's declaring class on its class path (mp4j starts children with the
 * parent's class path). Captured values must be serializable too.
 *
 * @param <A> the argument type.
 */
@FunctionalInterface
public interface SerializableConsumer<A> extends Serializable
{
    /**
     * Run the task.
     *
     * @param a an argument.
     * @throws Exception whatever the task throws; in a child process it ends the process with exit code 1.
     */
    void accept(A a) throws Exception;
}

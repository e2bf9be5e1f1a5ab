package io.mp4j;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A {@link Supplier} that can be sent to another JVM: a lambda or method reference typed as this interface
 * is compiled as a serializable lambda (its declaring class must be on the other JVM's class path, which
 * mp4j's children share). {@link Manager#register} takes one as the factory of a user type.
 *
 * @param <T> the type supplied.
 */
@FunctionalInterface
public interface SerializableSupplier<T> extends Supplier<T>, Serializable
{
}

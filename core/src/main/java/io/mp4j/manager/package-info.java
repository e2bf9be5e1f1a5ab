/**
 * The interfaces of objects hosted by an {@link io.mp4j.Manager} that have no {@code java.util} equivalent
 * ({@link io.mp4j.manager.Namespace}, {@link io.mp4j.manager.ManagedValue}, {@link io.mp4j.manager.ManagedEvent},
 * {@link io.mp4j.manager.ManagedSemaphore}, {@link io.mp4j.manager.ManagedCondition},
 * {@link io.mp4j.manager.ManagedBarrier}), and the exceptions a proxy throws.
 */
package io.mp4j.manager;

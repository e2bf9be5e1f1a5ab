/**
 * The {@link io.mp4j.manager.Namespace} interface of a manager's namespaces, and the exceptions a manager
 * proxy throws. The manager's locks, semaphores, events, conditions, barriers, values, arrays and queues have
 * the interfaces of {@code io.mp4j.shm} and {@code io.mp4j.queue}; see {@link io.mp4j.Manager}.
 */
package io.mp4j.manager;

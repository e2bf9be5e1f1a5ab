/**
 * mp4j: Python's {@code multiprocessing} for the JVM. Start here: {@link io.mp4j.Process} runs a
 * serializable lambda in a new JVM, {@link io.mp4j.Context} holds the runtime directory and the start
 * method. Shared values, locks and queues come from {@code io.mp4j.shm} and {@code io.mp4j.queue}.
 */
package io.mp4j;

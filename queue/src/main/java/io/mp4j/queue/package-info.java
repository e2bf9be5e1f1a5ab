/**
 * Messaging between JVMs on one host, after Python's {@code multiprocessing}: {@link io.mp4j.queue.Queue},
 * {@link io.mp4j.queue.SimpleQueue} and {@link io.mp4j.queue.JoinableQueue} (many producers, many
 * consumers, bounded, on an Agrona many-to-one ring buffer in a mapped file with a robust consumer lock),
 * {@link io.mp4j.queue.Pipe} and {@link io.mp4j.queue.Connection} (two single-producer rings, end of
 * stream when the peer closes or dies), and {@link io.mp4j.queue.DurableQueue} (Chronicle Queue: survives
 * every process, work-queue and broadcast reading, replay from an index).
 *
 * <p>Values: {@code Integer}, {@code Long}, {@code Double}, {@code String}, {@code byte[]} and
 * {@code ByteBuffer} in binary; other objects through an {@link io.mp4j.queue.ObjectCodec}, by default
 * {@link io.mp4j.queue.JavaSerializationCodec} with an {@link java.io.ObjectInputFilter} allow-list.
 *
 * <p>Every type is created in an {@link io.mp4j.shm.RuntimeDirectory} (or the JVM's global one), attached
 * by file from any JVM, and passed to a child process as a plain serializable argument. Blocking calls
 * wait with the idle strategy named by the {@code mp4j.idle} property (back-off by default).
 */
package io.mp4j.queue;

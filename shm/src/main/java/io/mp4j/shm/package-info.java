/**
 * Shared memory for mp4j: the private runtime directory ({@link io.mp4j.shm.RuntimeDirectory}), the
 * mapped region with its self-describing header ({@link io.mp4j.shm.MappedRegion}), process identity
 * that survives pid reuse ({@link io.mp4j.shm.ProcessIds}), and the primitives laid out in regions.
 *
 * <p>This module is usable alone: two programs that each open the same named runtime directory attach
 * to the same regions, with no parent and child relation between them.
 */
package io.mp4j.shm;

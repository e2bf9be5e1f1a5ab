package io.mp4j.shm;

import java.io.Serializable;

import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A flag that threads of any number of JVMs can wait for: Python's {@code multiprocessing.Event}.
 * {@link #set()} wakes every waiter, {@link #clear()} resets it, {@link #await(Duration)} returns
 * false on timeout. ({@code wait} is taken by {@link Object}; the Java name is {@code await}.)
 *
 * <p>As in Python, a waiter that was waiting when {@link #set()} was called returns true even if the
 * flag was cleared again before it woke: each {@code set} of a clear flag also advances a set counter
 * kept in the same 64-bit word as the flag (so both change in one CAS), and a waiter returns true if
 * the flag is set or the counter moved since it started waiting.
 *
 * <p>No process owns an event, so a dead process cannot leave it stuck; a waiter whose setter died waits
 * until its timeout, as in Python.
 *
 * <p>Memory consistency effects: actions before {@code set()} happen-before actions after an
 * {@code await} that returned true because of it, in any process, for data in shared memory.
 *
 * <pre>{@code
 * Event ready = Event.create(dir, "ready");
 * // child:  prepare(); ready.set();
 * // parent:
 * if (!ready.await(Duration.ofSeconds(10))) { throw new TimeoutException("child not ready"); }
 * }</pre>
 */
public interface Event extends AutoCloseable, Serializable
{
    /**
     * Release this holder's handle. The creator and every handle deserialized in this JVM share one
     * object, counted per holder (see {@link SharedObjects#attach}): the view is unmapped when the last
     * holder closes it, and using the object after that throws {@link IllegalStateException}. The shared
     * object and its state stay for the other processes. A holder closes once: closing again gives back
     * another holder's count; once unmapped, further calls do nothing.
     */
    @Override
    void close();

    /**
     * A new, clear event in a runtime directory.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the event.
     */
    static Event create(RuntimeDirectory directory, String name)
    {
        return MappedEvent.create(directory, name);
    }

    /**
     * Python's {@code Event()} in this JVM's default runtime directory.
     *
     * @return the event.
     */
    static Event create()
    {
        return MappedEvent.create();
    }

    /**
     * Attach to an existing Event by name in a runtime directory, as another program that opened the same
     * named directory does.
     *
     * @param directory where.
     * @param name      its file name.
     * @return the event.
     * @throws InvalidRegionException if there is no valid region of that name.
     */
    static Event attach(RuntimeDirectory directory, String name)
    {
        return MappedEvent.attach(directory, name);
    }

    /**
     * Attach to an existing event.
     *
     * @param file its region file.
     * @return the event.
     * @throws InvalidRegionException if the file is not a valid event region.
     */
    static Event attach(Path file)
    {
        return MappedEvent.attach(file);
    }

    /**
     * Use this idle strategy when waiting on this event (in this JVM).
     *
     * @param supplier fresh strategy per wait, or null for the directory's or JVM default.
     * @return this.
     */
    Event withIdleStrategy(Supplier<IdleStrategy> supplier);

    /**
     * @return whether the flag is set (Python's {@code is_set()}).
     */
    boolean isSet();

    /**
     * Set the flag and wake every waiter.
     */
    void set();

    /**
     * Clear the flag.
     */
    void clear();

    /**
     * Wait until the flag is set.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    void await() throws InterruptedException;

    /**
     * Python's {@code wait(timeout)}.
     *
     * @param timeout at most this long (null: forever).
     * @return true if the flag was set, false on timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * As {@link #await(Duration)}.
     *
     * @param timeout at most this long.
     * @param unit    its unit.
     * @return true if the flag was set, false on timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;
}

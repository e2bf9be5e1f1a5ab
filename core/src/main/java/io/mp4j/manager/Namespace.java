package io.mp4j.manager;

import java.util.Map;

/**
 * Named attributes held by a manager: Python's {@code manager.Namespace()}, where {@code ns.x = 1} is
 * {@code ns.set("x", 1)} and {@code ns.x} is {@code ns.get("x")}. Each call is atomic.
 */
public interface Namespace
{
    /**
     * @param name an attribute.
     * @param <T>  the type the caller expects.
     * @return its value.
     * @throws java.util.NoSuchElementException if there is no such attribute (Python's AttributeError).
     */
    <T> T get(String name);

    /**
     * @param name  an attribute.
     * @param value its new value.
     */
    void set(String name, Object value);

    /**
     * @param name an attribute.
     * @return whether it is set.
     */
    boolean contains(String name);

    /**
     * @param name an attribute.
     * @return its value before removal, or null.
     */
    Object remove(String name);

    /**
     * @return a copy of all attributes, in the order they were first set.
     */
    Map<String, Object> asMap();
}

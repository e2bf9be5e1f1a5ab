package io.mp4j;

/**
 * A client-side object of a {@link Manager} that implements a public interface over a proxy of an internal
 * one: {@link Manager#bind} and {@link Manager#release} reach the server object through it.
 */
interface ManagerAdapter
{
    /**
     * @return the manager proxy this object calls.
     */
    Object remote();
}

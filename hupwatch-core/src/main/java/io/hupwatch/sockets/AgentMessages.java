package io.hupwatch.sockets;

/**
 * The lines hupwatch's Java agent sends on a handoff connection that are about sockets rather than
 * readiness: {@code CLAIMED ADDRESS} and {@code ADOPT FD ADDRESS}. They need the sender's pid (from
 * the connection's credentials), which the other lines do not.
 */
interface AgentMessages {
    /** @return whether the line was one of these (and is handled) */
    boolean handle(int generation, long pid, String line);

    /** Generation {@code generation} is about to start. */
    default void starting(int generation) {
    }

    /** Generation {@code generation} has exited, or failed to start. */
    default void exited(int generation) {
    }

    AgentMessages NONE = (generation, pid, line) -> false;
}

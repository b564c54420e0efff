package io.hupwatch.internal;

import io.hupwatch.supervisor.SpawnException;
import java.io.IOException;

/**
 * How a generation receives the listening sockets ({@code --pass}): each mode prepares the
 * {@link ProcessBuilder} and starts it, and may hold per-generation resources until it exits.
 */
interface SocketPassing extends AutoCloseable {

    Process start(ProcessBuilder builder, int generation) throws IOException, SpawnException;

    /** Generation {@code generation} has exited: release what was held for it. */
    default void exited(int generation) {
    }

    @Override
    default void close() {
    }

    /** No {@code --bind}: nothing to pass. */
    SocketPassing NONE = (builder, generation) -> builder.start();
}

package io.hupwatch.sockets;

import io.hupwatch.spawn.Launch;
import io.hupwatch.supervisor.SpawnException;
import java.io.IOException;
import java.util.function.IntConsumer;

/**
 * How a generation receives the listening sockets ({@code --pass}): each mode adds to the
 * {@link Launch} what the child needs (fds, environment, a command wrapper), and may hold
 * per-generation resources until it exits.
 */
public interface SocketPassing extends AutoCloseable {

    /** Prepares the start of {@code generation}; the returned hook is told its pid once it runs. */
    IntConsumer prepare(Launch launch, int generation) throws IOException, SpawnException;

    /** The start prepared for {@code generation} failed. */
    default void startFailed(int generation) {
    }

    /** Generation {@code generation} has exited: release what was held for it. */
    default void exited(int generation) {
    }

    /**
     * Sends {@code line} to hupwatch's Java agent in generation {@code generation}.
     *
     * @return whether it was sent (false: no agent link in that generation)
     */
    default boolean tellAgent(int generation, String line) {
        return false;
    }

    @Override
    default void close() {
    }

    /** No {@code --bind}: nothing to pass. */
    SocketPassing NONE = (launch, generation) -> pid -> { };
}

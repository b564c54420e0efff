package io.hupwatch.supervisor;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to run and swap the server.
 *
 * @param command      the server command and its arguments
 * @param warmup       how long a new generation must stay alive before it counts as ready
 * @param drainTimeout how long a generation may drain after the stop signal before SIGKILL
 * @param stopSignal   the signal that asks a generation to drain
 */
public record SupervisorConfig(List<String> command, Duration warmup, Duration drainTimeout, PosixSignal stopSignal) {

    public SupervisorConfig {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to supervise");
        }
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(stopSignal, "stopSignal");
        if (warmup.isNegative() || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }
}

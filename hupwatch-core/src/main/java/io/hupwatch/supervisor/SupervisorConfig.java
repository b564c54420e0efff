package io.hupwatch.supervisor;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to run and swap the server.
 *
 * @param command      the server command and its arguments
 * @param warmup       for {@code --ready delay}: how long a new generation must stay alive to count as ready
 * @param drainTimeout how long a generation may drain after the stop signal before SIGKILL
 * @param stopSignal   the signal that asks a generation to drain
 * @param binds        the listening sockets hupwatch holds for every generation
 * @param pass         how each generation receives them
 * @param ready        when a new generation counts as ready
 * @param readyTimeout for modes other than delay: a generation not ready this long after its start is stopped
 * @param probation    how long the old generation stays warm, not accepting, after a swap; null: the default
 *                     ({@link Probation#DEFAULT} when the old generation can be paused, else none)
 */
public record SupervisorConfig(List<String> command, Duration warmup, Duration drainTimeout, PosixSignal stopSignal,
        List<BindAddress> binds, PassMode pass, Readiness ready, Duration readyTimeout, Duration probation) {

    /** With the default probation. */
    public SupervisorConfig(List<String> command, Duration warmup, Duration drainTimeout, PosixSignal stopSignal,
            List<BindAddress> binds, PassMode pass, Readiness ready, Duration readyTimeout) {
        this(command, warmup, drainTimeout, stopSignal, binds, pass, ready, readyTimeout, null);
    }

    /** No sockets held by hupwatch, readiness by warm-up. */
    public SupervisorConfig(List<String> command, Duration warmup, Duration drainTimeout, PosixSignal stopSignal) {
        this(command, warmup, drainTimeout, stopSignal, List.of(), PassMode.HANDOFF, new Readiness.Delay(),
                Duration.ofSeconds(60));
    }

    public SupervisorConfig {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to supervise");
        }
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(stopSignal, "stopSignal");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        if (warmup.isNegative() || drainTimeout.isNegative() || readyTimeout.isNegative()
                || (probation != null && probation.isNegative())) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        binds = List.copyOf(binds);
        Objects.requireNonNull(pass, "pass");
        BindAddress.checkDistinct(binds);
        if (pass == PassMode.STDIN && binds.size() != 1) {
            throw new IllegalArgumentException("--pass stdin gives the child exactly one socket as its fd 0, but "
                    + binds.size() + " --bind were given: use one --bind, or --pass handoff for several");
        }
    }

    /** The same, with {@code --probation} set ({@code null}: the default). */
    public SupervisorConfig withProbation(Duration probation) {
        return new SupervisorConfig(command, warmup, drainTimeout, stopSignal, binds, pass, ready, readyTimeout, probation);
    }

    /** Parses a {@code --ready} value. */
    public static Readiness parseReadiness(String text) {
        return Readiness.parse(text);
    }
}

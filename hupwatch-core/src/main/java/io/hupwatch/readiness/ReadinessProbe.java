package io.hupwatch.readiness;

import io.hupwatch.spawn.Launch;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.Readiness;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What tells hupwatch that one generation is ready, per {@code --ready} mode: it prepares the
 * start (a notify socket, output pipes), learns the pid, and is closed when the generation exits.
 */
public interface ReadinessProbe extends AutoCloseable {

    default void started(int pid) {
    }

    /**
     * Runs the check once more (a generation on probation), off the caller's thread; a failure is posted
     * as {@link io.hupwatch.supervisor.Event.ProbeFailed}. Modes whose check cannot be repeated do nothing.
     */
    default void checkAgain() {
    }

    @Override
    default void close() {
    }

    ReadinessProbe NONE = new ReadinessProbe() {
    };

    static ReadinessProbe prepare(Readiness mode, Launch launch, int generation, Path runtimeDir, EventSink sink)
            throws IOException {
        if (mode instanceof Readiness.Notify) {
            return NotifyProbe.prepare(launch, generation, runtimeDir, sink);
        }
        if (mode instanceof Readiness.LogLine l) {
            return OutputProbe.prepare(launch, generation, l.pattern(), sink);
        }
        if (mode instanceof Readiness.Exec e) {
            return new ExecProbe(e.command(), generation, launch, sink);
        }
        return NONE;
    }
}

package io.hupwatch.supervisor;

import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping everything, and the status hupwatch exits with: the serving generation's (or, if none
 * served yet, the starting one's), 1 when generation 1 never became ready in time, or the status of
 * the generation whose exit ended hupwatch. Part of the {@link Supervisor}, on its thread.
 */
final class Shutdown {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final SupervisorConfig config;
    private final Generations gens;
    private final Drains drains;
    private final Lifecycle lifecycle;
    private final Reloads reloads;

    private boolean underway;
    /** The generation whose exit status hupwatch exits with, once everything has stopped. */
    private Generation statusSource;
    private int exitStatus;
    private OptionalInt finished = OptionalInt.empty();

    Shutdown(SupervisorConfig config, Generations gens, Drains drains, Lifecycle lifecycle, Reloads reloads) {
        this.config = config;
        this.gens = gens;
        this.drains = drains;
        this.lifecycle = lifecycle;
        this.reloads = reloads;
    }

    boolean underway() {
        return underway;
    }

    /** The status hupwatch must exit with, once it has finished; empty while it runs. */
    OptionalInt finished() {
        return finished;
    }

    /** TERM or INT: the first drains every generation, a second kills what is still draining. */
    void requested(PosixSignal signal) {
        if (underway) {
            drains.killAll("second " + signal.displayName());
            return;
        }
        log.info("{} received: shutting down, {} may drain for up to {}", signal.displayName(),
                gens.describe(), Durations.format(config.drainTimeout()));
        statusSource = gens.serving != null ? gens.serving : gens.starting;
        begin();
    }

    /** The serving generation exited on its own: everything stops, and hupwatch exits with its status. */
    void servingExited(Generation g, int status) {
        log.warn("{} exited on its own with {}; stopping everything and exiting with that status", g,
                ExitStatus.describe(status));
        exitStatus = status;
        begin();
    }

    /** Generation 1 was not ready in time: it is stopped, and hupwatch exits with 1 once it is gone. */
    void firstNeverReady(Generation g, String reason) {
        log.error("{}; stopping it, and hupwatch exits", reason);
        underway = true;
        exitStatus = 1;
        drains.stop(g);
    }

    /** A stopping generation exited. */
    void stoppedExited(Generation g, int status) {
        if (g != null && g == statusSource) {
            exitStatus = status;
        }
    }

    /** Ends hupwatch once a shutdown is under way and no generation is left. */
    void finishIfAllStopped() {
        if (underway && finished.isEmpty() && gens.noneLeft()) {
            log.info("all generations have exited; hupwatch exits with {}", ExitStatus.describe(exitStatus));
            finish(exitStatus);
        }
    }

    /** Ends hupwatch at once (nothing to stop). */
    void finish(int status) {
        finished = OptionalInt.of(status);
    }

    private void begin() {
        underway = true;
        lifecycle.stopping();
        reloads.cancelAll("hupwatch is shutting down");
        if (gens.serving != null) {
            Generation g = gens.serving;
            gens.serving = null;
            drains.stop(g);
        }
        if (gens.starting != null) {
            Generation g = gens.starting;
            gens.starting = null;
            drains.stop(g);
        }
    }
}

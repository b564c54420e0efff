package io.hupwatch.supervisor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a probation ended, told to everyone who waits for it: the reload's waiters and systemd (through the
 * {@link Lifecycle}), the reload history, and the host, which releases the ports only the losing generation
 * opened; after a rollback, the failed generation drains. Part of the {@link Probation}, on the supervisor's
 * thread.
 */
final class ProbationOutcomes {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final Host host;
    private final Drains drains;
    private final Reloads reloads;
    private final Lifecycle lifecycle;
    private final ReloadHistory history;

    ProbationOutcomes(Host host, Drains drains, Reloads reloads, Lifecycle lifecycle, ReloadHistory history) {
        this.host = host;
        this.drains = drains;
        this.reloads = reloads;
        this.lifecycle = lifecycle;
        this.history = history;
    }

    /** {@code g}, the generation on probation, stays: its reload succeeded. */
    void confirmed(Generation g) {
        history.confirmed(g.number);
        host.serving(g.number);
        lifecycle.reloaded(true, "generation " + g.number + " serving");
        reloads.succeeded(true, new ReloadOutcome(true, g.number, g.child.pid(), null));
    }

    /**
     * {@code old} serves again in place of {@code failed} ({@code why}), which drains: the reload failed.
     *
     * @return the answer to a {@code hupwatch rollback} client
     */
    ReloadOutcome rolledBack(Generation old, Generation failed, String why) {
        String reason = "rolled back to generation " + old.number + ": " + why;
        log.warn("{}", reason);
        history.rolledBack(failed.number, why);
        if (failed.child.isAlive()) {
            drains.stop(failed);
        }
        host.servingAgain(old.number);
        lifecycle.reloaded(false, reason);
        reloads.failed(reason, new ReloadOutcome(false, old.number, old.child.pid(), reason));
        return new ReloadOutcome(true, old.number, old.child.pid(), null);
    }
}

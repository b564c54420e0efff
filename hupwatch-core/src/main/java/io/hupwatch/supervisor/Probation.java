package io.hupwatch.supervisor;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --probation}: after a swap, the previous generation is kept running, warm, while the new one
 * proves itself. With hupwatch's Java agent the old JVM is paused (it stops accepting; RESUME makes it
 * accept again at once); a generation that cannot be paused keeps accepting alongside the new one. If
 * the new generation exits in that window, the readiness check fails when run again, or
 * {@code hupwatch rollback} is asked for, the old one serves again and the new one is stopped;
 * otherwise the old one drains once the window is over, or at once on the next reload or shutdown.
 * The reload's waiters and systemd's {@code READY=1} learn the outcome when the probation ends.
 * Part of the {@link Supervisor}, on its thread.
 */
final class Probation {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** The probation when {@code --probation} is not given and the old generation can be paused. */
    static final Duration DEFAULT = Duration.ofSeconds(10);
    /** How often the readiness check ({@code --ready exec:}) runs again during a probation. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    private final SupervisorConfig config;
    private final Host host;
    private final Generations gens;
    private final Drains drains;
    private final Reloads reloads;
    private final Lifecycle lifecycle;
    private final ReloadHistory history;

    /** The generation on probation (the serving one), or null when none is. */
    private Generation candidate;
    private boolean paused;
    private Host.Timer timer;
    private Host.Timer probeTimer;
    private int rolledBack;
    private String lastRollback;

    Probation(SupervisorConfig config, Host host, Generations gens, Drains drains, Reloads reloads, Lifecycle lifecycle,
            ReloadHistory history) {
        this.history = history;
        this.config = config;
        this.host = host;
        this.gens = gens;
        this.drains = drains;
        this.reloads = reloads;
        this.lifecycle = lifecycle;
    }

    boolean active() {
        return candidate != null;
    }

    /** Whether generation {@code number} is the one on probation. */
    boolean isCandidate(int number) {
        return candidate != null && candidate.number == number;
    }

    /** Whether generation {@code number} is the one kept warm. */
    boolean isStandby(int number) {
        return gens.standby != null && gens.standby.number == number;
    }

    int rolledBackCount() {
        return rolledBack;
    }

    /** "rolled back to generation N: why" of the last rollback, or null. */
    String lastRollback() {
        return lastRollback;
    }

    /** The events of a probation: its end, a rollback request, the readiness check run again. */
    void handle(Event event) {
        if (event instanceof Event.ProbationOver e && isCandidate(e.generation())) {
            confirm("it served for " + Durations.format(config.probation() == null ? DEFAULT : config.probation()));
        } else if (event instanceof Event.RollbackRequested e) {
            if (!active()) {
                e.reply().accept(new ReloadOutcome(false, 0, 0, "nothing to roll back to: no probation is under way"
                        + " (after a swap, the previous generation is kept only during --probation)"));
                return;
            }
            Generation old = gens.standby;
            rollBack("asked for on the control socket");
            e.reply().accept(new ReloadOutcome(true, old.number, old.child.pid(), null));
        } else if (event instanceof Event.ProbeDue e) {
            probeDue(e.generation());
        } else if (event instanceof Event.ChildStopping e && isCandidate(e.generation())) {
            // it stopped accepting: the old generation must not wait for its exit to take over
            rollBack(candidate + " began to stop during its probation (STOPPING=1)");
        } else if (event instanceof Event.ProbeFailed e && isCandidate(e.generation())) {
            rollBack("its readiness check failed when run again (" + e.why() + ")");
        }
    }

    /**
     * {@code next} is ready and now serves in place of {@code previous}: starts a probation, unless there is
     * none to have (--probation 0, or by default a generation that cannot be paused).
     *
     * @return whether a probation started (the caller then leaves {@code previous} running)
     */
    boolean begin(Generation previous, Generation next) {
        Duration length = config.probation() == null ? DEFAULT : config.probation();
        if (length.isZero()) {
            return false;
        }
        boolean canPause = host.pause(previous.number);
        if (!canPause && config.probation() == null) {
            log.debug("{} cannot be paused (no agent link): no probation by default", previous);
            return false;
        }
        candidate = next;
        paused = canPause;
        previous.state = Generation.State.STANDBY;
        gens.standby = previous;
        timer = host.schedule(length, new Event.ProbationOver(next.number));
        log.info("{} on probation for {}: {} {}", next, Durations.format(length), previous,
                paused ? "paused (warm, not accepting)" : "keeps accepting alongside (it cannot be paused)");
        if (config.ready() instanceof Readiness.Exec) {
            probeTimer = host.schedule(PROBE_EVERY, new Event.ProbeDue(next.number));
        }
        return true;
    }

    /** The readiness check is due again: runs it (its failure comes back as {@link Event.ProbeFailed}). */
    void probeDue(int number) {
        if (isCandidate(number)) {
            host.probeAgain(number);
            probeTimer = host.schedule(PROBE_EVERY, new Event.ProbeDue(number));
        }
    }

    /** The candidate passed: the kept generation drains now ({@code why}: "after 10s", "a reload was asked for"). */
    void confirm(String why) {
        Generation g = candidate;
        Generation old = end();
        log.info("{} confirmed ({}); {} drains", g, why, old);
        drains.stop(old);
        settle(g);
    }

    /**
     * Back to the kept generation: it accepts again at once, the candidate is stopped (unless it has
     * exited), and the reload's waiters learn that it failed.
     */
    void rollBack(String why) {
        Generation failed = candidate;
        boolean wasPaused = paused;
        Generation old = end();
        if (wasPaused) {
            host.resume(old.number);
        }
        old.state = Generation.State.SERVING;
        gens.serving = old;
        String reason = "rolled back to generation " + old.number + ": " + why;
        log.warn("{}", reason);
        lastRollback = reason;
        rolledBack++;
        history.rolledBack(failed.number, why);
        if (failed.child.isAlive()) {
            drains.stop(failed);
        }
        lifecycle.reloaded(false, reason);
        reloads.failed(reason, new ReloadOutcome(false, old.number, old.child.pid(), reason));
    }

    /** The kept generation exited on its own: nothing is left to go back to, so the candidate is confirmed. */
    void standbyExited(int status) {
        Generation g = candidate;
        Generation old = end();
        log.warn("{}, kept warm for the probation, exited with {}; nothing is left to roll back to: {} is confirmed",
                old, ExitStatus.describe(status), g);
        settle(g);
    }

    /** hupwatch shuts down: the kept generation drains with the rest. */
    void shutdown() {
        if (active()) {
            Generation old = end();
            drains.stop(old);
        }
    }

    private void settle(Generation g) {
        history.confirmed(g.number);
        host.serving(g.number);
        lifecycle.reloaded(true, "generation " + g.number + " serving");
        reloads.succeeded(true, new ReloadOutcome(true, g.number, g.child.pid(), null));
    }

    /** Ends the probation; returns the kept generation, no longer standby. */
    private Generation end() {
        Generation old = gens.standby;
        gens.standby = null;
        candidate = null;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (probeTimer != null) {
            probeTimer.cancel();
            probeTimer = null;
        }
        return old;
    }
}

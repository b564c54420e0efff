package io.hupwatch.supervisor;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --probation}: after a swap, the previous generation is kept running, warm, while the new one
 * proves itself. With hupwatch's Java agent the old JVM is paused (it stops accepting; RESUME makes it
 * accept again at once); a generation that cannot be paused keeps accepting alongside the new one. If
 * the new generation exits in that window, the readiness check fails when run again, or
 * {@code hupwatch rollback} is asked for, the old one serves again and the new one is stopped (see
 * {@link Rollback}, which never goes back to a dead one); otherwise the old one drains once the window is
 * over, or at once on the next reload or shutdown. A kept generation whose agents are gone (its JVM died,
 * however long its process tree lingers) ends the probation at once: the new one is confirmed.
 * The reload's waiters and systemd's {@code READY=1} learn the outcome when the probation ends
 * ({@link ProbationOutcomes}). Part of the {@link Supervisor}, on its thread.
 */
final class Probation {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** The probation when {@code --probation} is not given and the old generation can be paused. */
    static final Duration DEFAULT = Duration.ofSeconds(10);
    /** The pause between two runs of the readiness check ({@code --ready exec:}) during a probation. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    private final SupervisorConfig config;
    private final Host host;
    private final Generations gens;
    private final Drains drains;
    private final ProbationOutcomes outcomes;
    private final Rollback rollback;

    /** The generation on probation (the serving one), or null when none is. */
    private Generation candidate;
    private boolean paused;
    private Host.Timer timer;
    private Host.Timer probeTimer;
    /** Why the last probation ended with no rollback possible (the kept generation died...), or null. */
    private String endedWithoutRollback;

    Probation(SupervisorConfig config, Host host, Generations gens, Drains drains, Reloads reloads, Lifecycle lifecycle,
            ReloadHistory history) {
        this.config = config;
        this.host = host;
        this.gens = gens;
        this.drains = drains;
        this.outcomes = new ProbationOutcomes(host, drains, reloads, lifecycle, history);
        this.rollback = new Rollback(this, host, gens, drains, outcomes);
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

    /** The generation on probation, or null. */
    Generation candidate() {
        return candidate;
    }

    /** Whether the kept generation was paused (else it accepts alongside the candidate). */
    boolean paused() {
        return paused;
    }

    /** The events of a probation: its end, a rollback request, the readiness check run again, the agents' answers. */
    void handle(Event event) {
        boolean waiting = rollback.underWay();
        if (event instanceof Event.ProbationOver e && isCandidate(e.generation()) && !waiting) {
            confirm("it served for " + Durations.format(config.probation() == null ? DEFAULT : config.probation()));
        } else if (event instanceof Event.RollbackRequested e) {
            if (!active()) {
                e.reply().accept(new ReloadOutcome(false, 0, 0, "nothing to roll back to: " + (endedWithoutRollback != null
                        ? endedWithoutRollback : "no probation is under way (after a swap, the previous generation is"
                        + " kept only during --probation)")));
                return;
            }
            rollback.request("asked for on the control socket", e.reply());
        } else if (event instanceof Event.ProbeDue e) {
            probeDue(e.generation());
        } else if (event instanceof Event.ProbePassed e && isCandidate(e.generation()) && !waiting) {
            probeTimer = host.schedule(PROBE_EVERY, new Event.ProbeDue(e.generation()));
        } else if (event instanceof Event.ChildStopping e && isCandidate(e.generation())) {
            // it stopped accepting: the old generation must not wait for its exit to take over
            rollback.request(candidate + " began to stop during its probation (STOPPING=1)", null);
        } else if (event instanceof Event.ProbeFailed e && isCandidate(e.generation())) {
            rollback.request("its readiness check failed when run again (" + e.why() + ")", null);
        } else if (event instanceof Event.AgentResumed e && waiting && isStandby(e.generation())) {
            rollback.resumed();
        } else if (event instanceof Event.ResumeTimedOut e && waiting && isStandby(e.generation())) {
            rollback.timedOut();
        } else if (event instanceof Event.AgentsGone e && isStandby(e.generation()) && paused) {
            standbyLost("lost its JVM (the agent link of each JVM of it that served the sockets closed)");
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
        endedWithoutRollback = null;
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

    /**
     * The readiness check is due again: runs it. Its result comes back as {@link Event.ProbePassed}, which
     * schedules the next run, or {@link Event.ProbeFailed}: one run at a time, however long each takes.
     */
    void probeDue(int number) {
        if (isCandidate(number) && !rollback.underWay()) {
            probeTimer = null;
            host.probeAgain(number);
        }
    }

    /** The candidate passed: the kept generation drains now ({@code why}: "after 10s", "a reload was asked for"). */
    void confirm(String why) {
        Generation g = candidate;
        rollback.abandon("not rolled back: " + why);
        Generation old = end();
        log.info("{} confirmed ({}); {} drains", g, why, old);
        drains.stop(old);
        outcomes.confirmed(g);
    }

    /** The candidate exited: see {@link Rollback#candidateExited}. */
    boolean candidateExited(String why) {
        return rollback.candidateExited(why);
    }

    /** The kept generation exited on its own: nothing is left to go back to, so the candidate is confirmed. */
    void standbyExited(int status) {
        standbyLost("exited with " + ExitStatus.describe(status));
    }

    /** The kept generation died ({@code what}); what may linger of its tree drains, and the candidate is confirmed. */
    private void standbyLost(String what) {
        Generation g = candidate;
        Generation old = gens.standby;
        String text = old + ", kept warm for the probation, " + what + "; nothing is left to roll back to: " + g
                + " is confirmed";
        log.warn("{}", text);
        rollback.abandon("not rolled back: " + text);
        endWithoutRollback(text);
        if (old.child.isAlive()) {
            drains.stop(old);
        }
        outcomes.confirmed(g);
    }

    /** hupwatch shuts down: the kept generation drains with the rest. */
    void shutdown() {
        if (active()) {
            rollback.abandon("not rolled back: hupwatch is shutting down");
            Generation old = end();
            drains.stop(old);
        }
    }

    /** Ends the probation; returns the kept generation, no longer standby. */
    Generation end() {
        Generation old = gens.standby;
        gens.standby = null;
        candidate = null;
        cancelTimers();
        return old;
    }

    /** Ends the probation with no rollback possible ({@code why}, which a later {@code hupwatch rollback} is told). */
    void endWithoutRollback(String why) {
        end();
        endedWithoutRollback = why;
    }

    /** Stops the probation's timers: its end, and the next readiness check. */
    void cancelTimers() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (probeTimer != null) {
            probeTimer.cancel();
            probeTimer = null;
        }
    }
}

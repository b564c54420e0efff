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
 * A rollback never stops the new generation for a dead old one: a paused generation must answer RESUME
 * within {@link #RESUME_ACK} (the new one serves meanwhile), and one whose agents are gone (its JVM died,
 * however long its process tree lingers) ends the probation at once; in both cases the new one is confirmed.
 * The reload's waiters and systemd's {@code READY=1} learn the outcome when the probation ends.
 * Part of the {@link Supervisor}, on its thread.
 */
final class Probation {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** The probation when {@code --probation} is not given and the old generation can be paused. */
    static final Duration DEFAULT = Duration.ofSeconds(10);
    /** The pause between two runs of the readiness check ({@code --ready exec:}) during a probation. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /** How long the kept generation's agents have to answer RESUME before a rollback is given up. */
    static final Duration RESUME_ACK = Duration.ofSeconds(3);

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
    /** RESUME sent, its answer awaited; null when no rollback is under way. */
    private PendingRollback pending;
    /** Why the last probation ended with no rollback possible (the kept generation died...), or null. */
    private String endedWithoutRollback;

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

    /** The events of a probation: its end, a rollback request, the readiness check run again, the agents' answers. */
    void handle(Event event) {
        if (event instanceof Event.ProbationOver e && isCandidate(e.generation()) && pending == null) {
            confirm("it served for " + Durations.format(config.probation() == null ? DEFAULT : config.probation()));
        } else if (event instanceof Event.RollbackRequested e) {
            if (!active()) {
                e.reply().accept(new ReloadOutcome(false, 0, 0, "nothing to roll back to: " + (endedWithoutRollback != null
                        ? endedWithoutRollback : "no probation is under way (after a swap, the previous generation is"
                        + " kept only during --probation)")));
                return;
            }
            rollBack("asked for on the control socket", e.reply());
        } else if (event instanceof Event.ProbeDue e) {
            probeDue(e.generation());
        } else if (event instanceof Event.ProbePassed e && isCandidate(e.generation()) && pending == null) {
            probeTimer = host.schedule(PROBE_EVERY, new Event.ProbeDue(e.generation()));
        } else if (event instanceof Event.ChildStopping e && isCandidate(e.generation())) {
            // it stopped accepting: the old generation must not wait for its exit to take over
            rollBack(candidate + " began to stop during its probation (STOPPING=1)", null);
        } else if (event instanceof Event.ProbeFailed e && isCandidate(e.generation())) {
            rollBack("its readiness check failed when run again (" + e.why() + ")", null);
        } else if (event instanceof Event.AgentResumed e && pending != null && isStandby(e.generation())) {
            finishRollback(pending.why);
        } else if (event instanceof Event.ResumeTimedOut e && pending != null && isStandby(e.generation())) {
            refuse(pending.why, "its agent did not answer RESUME within " + Durations.format(RESUME_ACK), null);
        } else if (event instanceof Event.AgentsGone e && isStandby(e.generation()) && paused) {
            standbyLost("lost its JVM (every agent link of it closed)");
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
        if (isCandidate(number) && pending == null) {
            probeTimer = null;
            host.probeAgain(number);
        }
    }

    /** The candidate passed: the kept generation drains now ({@code why}: "after 10s", "a reload was asked for"). */
    void confirm(String why) {
        Generation g = candidate;
        answerPending("not rolled back: " + why);
        Generation old = end();
        log.info("{} confirmed ({}); {} drains", g, why, old);
        drains.stop(old);
        settle(g);
    }

    /**
     * Back to the kept generation ({@code waiter}: a {@code hupwatch rollback} client, or null). One that was
     * paused is told RESUME, and nothing is stopped before its agents answer; one that is not running, or
     * cannot be told, is not rolled back to: the candidate is confirmed instead.
     */
    private void rollBack(String why, java.util.function.Consumer<ReloadOutcome> waiter) {
        if (pending != null) {
            pending.add(waiter);
            return;
        }
        Generation old = gens.standby;
        if (!old.child.isAlive()) {
            refuse(why, "it is no longer running", waiter);
        } else if (!paused) {
            finishRollback(why, waiter); // it never stopped accepting: nothing to resume
        } else if (!host.resume(old.number)) {
            refuse(why, "its agent cannot be reached to resume accepting", waiter);
        } else {
            cancelTimers();
            pending = new PendingRollback(why, waiter, host.schedule(RESUME_ACK, new Event.ResumeTimedOut(old.number)));
            log.info("rolling back to {} ({}): RESUME sent; {} serves until it answers", old, why, candidate);
        }
    }

    /**
     * The candidate exited: the kept generation is all that is left, so it serves again without waiting for
     * its answer to RESUME.
     *
     * @return false when it is not running either (the probation is over; the caller handles the exit as the
     *         serving generation's)
     */
    boolean candidateExited(String why) {
        Generation old = gens.standby;
        if (!old.child.isAlive()) {
            answerPending("not rolled back: " + old + " is no longer running");
            end();
            return false;
        }
        if (pending == null && paused && !host.resume(old.number)) {
            log.warn("{}: cannot reach its agent to resume accepting, and it is all that is left", old);
        }
        finishRollback(why);
        return true;
    }

    private void finishRollback(String why) {
        finishRollback(why, null);
    }

    /** The kept generation accepts again: it serves, the candidate is stopped, the reload's waiters learn it failed. */
    private void finishRollback(String why, java.util.function.Consumer<ReloadOutcome> waiter) {
        Generation failed = candidate;
        PendingRollback answered = pending;
        pending = null;
        Generation old = end();
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
        host.servingAgain(old.number);
        lifecycle.reloaded(false, reason);
        reloads.failed(reason, new ReloadOutcome(false, old.number, old.child.pid(), reason));
        ReloadOutcome ok = new ReloadOutcome(true, old.number, old.child.pid(), null);
        if (answered != null) {
            answered.answer(ok);
        }
        if (waiter != null) {
            waiter.accept(ok);
        }
    }

    /** A rollback to the kept generation cannot be made ({@code reason}): the candidate is confirmed instead. */
    private void refuse(String why, String reason, java.util.function.Consumer<ReloadOutcome> waiter) {
        Generation g = candidate;
        Generation old = gens.standby;
        String text = "not rolled back to " + old + " (" + why + "): " + reason + "; " + g + " is confirmed";
        log.warn("{}", text);
        answerPending(text);
        end();
        endedWithoutRollback = text;
        drains.stop(old);
        settle(g);
        if (waiter != null) {
            waiter.accept(new ReloadOutcome(false, g.number, g.child.pid(), text));
        }
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
        answerPending("not rolled back: " + text);
        end();
        endedWithoutRollback = text;
        if (old.child.isAlive()) {
            drains.stop(old);
        }
        settle(g);
    }

    /** hupwatch shuts down: the kept generation drains with the rest. */
    void shutdown() {
        if (active()) {
            answerPending("not rolled back: hupwatch is shutting down");
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

    /** A rollback under way that will not happen: its clients learn {@code reason}. */
    private void answerPending(String reason) {
        if (pending != null) {
            PendingRollback p = pending;
            pending = null;
            p.answer(new ReloadOutcome(false, candidate.number, candidate.child.pid(), reason));
        }
    }

    /** Ends the probation; returns the kept generation, no longer standby. */
    private Generation end() {
        Generation old = gens.standby;
        gens.standby = null;
        candidate = null;
        cancelTimers();
        return old;
    }

    private void cancelTimers() {
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

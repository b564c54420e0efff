package io.hupwatch.supervisor;

import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way back from a probation to the generation kept warm. A rollback never stops the new generation for
 * a dead old one: one that was paused is told RESUME, and nothing is stopped before its agents answer
 * ({@code RESUMED}, within {@link #RESUME_ACK}; the new one serves meanwhile); one that is not running, cannot
 * be told, or does not answer in time is not rolled back to: the candidate is confirmed instead. Part of the
 * {@link Probation}, on the supervisor's thread.
 */
final class Rollback {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** How long the kept generation's agents have to answer RESUME before a rollback is given up. */
    static final Duration RESUME_ACK = Duration.ofSeconds(3);

    private final Probation probation;
    private final Host host;
    private final Generations gens;
    private final Drains drains;
    private final ProbationOutcomes outcomes;
    /** RESUME sent, its answer awaited; null when no rollback is under way. */
    private PendingRollback pending;

    Rollback(Probation probation, Host host, Generations gens, Drains drains, ProbationOutcomes outcomes) {
        this.probation = probation;
        this.host = host;
        this.gens = gens;
        this.drains = drains;
        this.outcomes = outcomes;
    }

    /** Whether RESUME was sent and its answer is awaited. */
    boolean underWay() {
        return pending != null;
    }

    /** Back to the kept generation ({@code waiter}: a {@code hupwatch rollback} client, or null). */
    void request(String why, Consumer<ReloadOutcome> waiter) {
        if (pending != null) {
            pending.add(waiter);
            return;
        }
        Generation old = gens.standby;
        if (!old.child.isAlive()) {
            refuse(why, "it is no longer running", waiter);
        } else if (!probation.paused()) {
            finish(why, waiter); // it never stopped accepting: nothing to resume
        } else if (!host.resume(old.number)) {
            refuse(why, "its agent cannot be reached to resume accepting", waiter);
        } else {
            probation.cancelTimers();
            pending = new PendingRollback(why, waiter, host.schedule(RESUME_ACK, new Event.ResumeTimedOut(old.number)));
            log.info("rolling back to {} ({}): RESUME sent; {} serves until it answers", old, why, probation.candidate());
        }
    }

    /** The kept generation's agents answered RESUME: the rollback under way is made. */
    void resumed() {
        finish(pending.why, null);
    }

    /** The kept generation's agents did not answer RESUME in time: the candidate is confirmed instead. */
    void timedOut() {
        refuse(pending.why, "its agent did not answer RESUME within " + Durations.format(RESUME_ACK), null);
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
            abandon("not rolled back: " + old + " is no longer running");
            probation.end();
            return false;
        }
        if (pending == null && probation.paused() && !host.resume(old.number)) {
            log.warn("{}: cannot reach its agent to resume accepting, and it is all that is left", old);
        }
        finish(why, null);
        return true;
    }

    /** A rollback under way that will not happen: its clients learn {@code reason}. */
    void abandon(String reason) {
        if (pending != null) {
            PendingRollback p = pending;
            pending = null;
            Generation g = probation.candidate();
            p.answer(new ReloadOutcome(false, g.number, g.child.pid(), reason));
        }
    }

    /** The kept generation accepts again: it serves, the candidate is stopped, the reload's waiters learn it failed. */
    private void finish(String why, Consumer<ReloadOutcome> waiter) {
        Generation failed = probation.candidate();
        PendingRollback answered = pending;
        pending = null;
        Generation old = probation.end();
        old.state = Generation.State.SERVING;
        gens.serving = old;
        ReloadOutcome ok = outcomes.rolledBack(old, failed, why);
        if (answered != null) {
            answered.answer(ok);
        }
        if (waiter != null) {
            waiter.accept(ok);
        }
    }

    /** A rollback to the kept generation cannot be made ({@code reason}): the candidate is confirmed instead. */
    private void refuse(String why, String reason, Consumer<ReloadOutcome> waiter) {
        Generation g = probation.candidate();
        Generation old = gens.standby;
        String text = "not rolled back to " + old + " (" + why + "): " + reason + "; " + g + " is confirmed";
        log.warn("{}", text);
        abandon(text);
        probation.endWithoutRollback(text);
        drains.stop(old);
        outcomes.confirmed(g);
        if (waiter != null) {
            waiter.accept(new ReloadOutcome(false, g.number, g.child.pid(), text));
        }
    }
}

package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.FakeHost.FakeChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rollback never stops the healthy generation for a dead one (issue 25): the kept generation must be
 * running and answer RESUME in time, one that dies ends the probation, and the re-checks of a probation
 * run one at a time.
 */
class RollbackSafetyTest extends ProbationHarness {
    private final List<ReloadOutcome> rollback = new ArrayList<>();

    private void askRollback() {
        sup.handle(new Event.RollbackRequested(rollback::add));
    }

    /** The candidate serves on, confirmed; the kept one drains; the reload that started it succeeded. */
    private void assertConfirmedInstead(FakeChild g1, FakeChild g2) {
        assertEquals(List.of("TERM"), host.signalsTo(g1), "the kept one drains");
        assertEquals(List.of(), host.signalsTo(g2), "the new one keeps serving");
        assertEquals(List.of("1 draining", "2 serving"), states());
        assertEquals(List.of(new ReloadOutcome(true, 2, g2.pid, null)), replies);
        assertEquals(List.of(2), host.serving.subList(1, host.serving.size()));
        assertEquals(0, host.liveTimers() - (int) states().stream().filter(s -> s.endsWith("draining")).count(),
                "no probation timer left, only the drain's");
    }

    @Test
    void aKeptGenerationThatDoesNotAnswerResumeIsNotRolledBackTo() {
        host.pausable = true;
        supervise(Duration.ofSeconds(120));
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        askRollback();
        assertEquals(List.of("PAUSE 1", "RESUME 1"), host.told);
        tick(2_999); // Rollback.RESUME_ACK is 3s
        assertEquals(List.of(), rollback, "still waiting for its answer");
        assertEquals(List.of(), host.signalsTo(g2), "the new one serves while the answer is awaited");
        tick(1);
        assertEquals(1, rollback.size());
        assertFalse(rollback.get(0).ok());
        assertTrue(rollback.get(0).reason().startsWith("not rolled back to generation 1 (pid " + g1.pid
                + ") (asked for on the control socket): its agent did not answer RESUME within 3s; generation 2"),
                rollback.get(0).reason());
        assertConfirmedInstead(g1, g2);
        sup.handle(new Event.AgentResumed(1));
        assertEquals(List.of("1 draining", "2 serving"), states(), "a late answer changes nothing");
    }

    @Test
    void aKeptGenerationWhoseAgentCannotBeReachedIsNotRolledBackTo() {
        host.pausable = true;
        host.resumable = false;
        supervise(null, new Readiness.Exec("check"));
        FakeChild g1 = host.generation(1);
        sup.handle(new Event.ReloadRequested(replies::add));
        sup.handle(new Event.ChildReady(2, "'check' succeeded"));
        tick(1000);
        FakeChild g2 = host.generation(2);
        sup.handle(new Event.ProbeFailed(2, "exit status 1"));
        assertConfirmedInstead(g1, g2);
        askRollback();
        assertTrue(rollback.get(0).reason().startsWith("nothing to roll back to: not rolled back to generation 1"
                + " (pid " + g1.pid + ") (its readiness check failed when run again (exit status 1)): its agent cannot"
                + " be reached"), rollback.get(0).reason());
    }

    @Test
    void aKeptGenerationWhoseAgentsAreGoneEndsTheProbation() {
        host.pausable = true;
        supervise(Duration.ofSeconds(120));
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        sup.handle(new Event.AgentsGone(1));
        assertTrue(g1.alive, "its process tree lingers");
        assertConfirmedInstead(g1, g2);
        askRollback();
        assertFalse(rollback.get(0).ok());
        assertEquals("nothing to roll back to: generation 1 (pid " + g1.pid + "), kept warm for the probation, lost"
                + " its JVM (the agent link of each JVM of it that served the sockets closed); nothing is left to roll back to: generation 2 (pid " + g2.pid
                + ") is confirmed", rollback.get(0).reason());
        assertEquals(List.of("PAUSE 1"), host.told, "never resumed");
    }

    @Test
    void aKeptGenerationDyingWhileItsAnswerIsAwaitedIsNotRolledBackTo() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        askRollback();
        askRollback();
        sup.handle(new Event.AgentsGone(1));
        assertEquals(2, rollback.size(), "both clients learn it");
        assertTrue(rollback.stream().noneMatch(ReloadOutcome::ok));
        assertTrue(rollback.get(0).reason().contains("lost its JVM"), rollback.get(0).reason());
        assertConfirmedInstead(g1, g2);
    }

    @Test
    void theNewGenerationExitingWhileTheAnswerIsAwaitedLeavesTheKeptOneServing() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        askRollback();
        g2.exit(1, sup);
        assertEquals(List.of(new ReloadOutcome(true, 1, g1.pid, null)), rollback);
        assertEquals(List.of("1 serving"), states());
        assertEquals(List.of("PAUSE 1", "RESUME 1"), host.told, "told once");
        assertEquals(0, host.liveTimers());
    }

    @Test
    void theNewGenerationExitingAfterTheKeptOneIsGoneStopsHupwatchAsAnyServingExit() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        g1.alive = false; // exited, its exit not handled yet
        g2.exit(3, sup);
        assertEquals(List.of("PAUSE 1"), host.told, "a dead generation is not resumed");
        sup.handle(new Event.ChildExited(1, 137));
        assertEquals(3, sup.finished().getAsInt());
    }

    @Test
    void aRollbackReleasesThePortsOnlyTheNewGenerationOpened() {
        host.pausable = true;
        supervise(null);
        reloaded();
        askRollback();
        sup.handle(new Event.AgentResumed(1));
        assertEquals(List.of(1), host.servingAgain, "generation 1 serves again");
    }

    @Test
    void aFailedStartReleasesThePortsOnlyItOpened() {
        supervise(Duration.ZERO);
        sup.handle(new Event.ReloadRequested(replies::add));
        host.generation(2).exit(1, sup);
        assertFalse(replies.get(0).ok());
        assertEquals(List.of(1), host.serving, "generation 2 never served");
        assertEquals(List.of(1), host.servingAgain, "generation 1 serves on");
    }

    @Test
    void probationReChecksNeverOverlap() {
        host.pausable = true;
        supervise(Duration.ofSeconds(120), new Readiness.Exec("check"));
        sup.handle(new Event.ReloadRequested(replies::add));
        sup.handle(new Event.ChildReady(2, "'check' succeeded"));
        tick(1000);
        assertEquals(List.of("PAUSE 1", "PROBE 2"), host.told);
        tick(10_000);
        assertEquals(List.of("PAUSE 1", "PROBE 2"), host.told, "no second run while the first is under way");
        sup.handle(new Event.ProbePassed(2));
        tick(999);
        assertEquals(1, host.told.stream().filter(t -> t.equals("PROBE 2")).count());
        tick(1);
        assertEquals(List.of("PAUSE 1", "PROBE 2", "PROBE 2"), host.told, "the next run, a second after the last ended");
    }
}

package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.FakeHost.FakeChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbationTest extends ProbationHarness {
    @Test
    void byDefaultAPausableGenerationIsPausedTenSecondsThenDrains() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        assertEquals(List.of("PAUSE 1"), host.told);
        assertEquals(List.of(), host.signalsTo(g1), "kept warm, not stopped");
        assertEquals(List.of("1 standby", "2 serving"), states());
        assertTrue(replies.isEmpty(), "the reload's outcome is known when the probation ends");
        assertTrue(announced.isEmpty(), "systemd's READY=1 covers the probation");
        tick(9_999);
        assertEquals(List.of(), host.signalsTo(g1));
        tick(1);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        assertEquals(List.of(new ReloadOutcome(true, 2, g2.pid, null)), replies);
        assertEquals(List.of("ok generation 2 serving"), announced);
        assertEquals(List.of(2), host.serving.subList(1, host.serving.size()));
        g1.exit(143, sup);
        assertEquals(List.of("2 serving"), states());
        assertTrue(sup.finished().isEmpty());
    }

    @Test
    void byDefaultAGenerationThatCannotBePausedIsStoppedAtOnce() {
        supervise(null);
        reloaded();
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(1)));
        assertTrue(replies.get(0).ok());
    }

    @Test
    void probationZeroIsTodaysSwapEvenWhenThePreviousCouldBePaused() {
        host.pausable = true;
        supervise(Duration.ZERO);
        reloaded();
        assertEquals(List.of(), host.told);
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(1)));
        assertTrue(replies.get(0).ok());
    }

    @Test
    void newGenerationExitingDuringProbationResumesTheOldOne() {
        host.pausable = true;
        supervise(Duration.ofSeconds(30));
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        tick(2000);
        g2.exit(1, sup);
        assertEquals(List.of("PAUSE 1", "RESUME 1"), host.told);
        assertEquals(List.of(), host.signalsTo(g1));
        assertEquals(List.of("1 serving"), states(), "the new one is gone");
        assertEquals(1, replies.size());
        assertFalse(replies.get(0).ok());
        assertEquals(1, replies.get(0).generation());
        assertTrue(replies.get(0).reason().startsWith("rolled back to generation 1: generation 2"), replies.get(0).reason());
        assertTrue(status().lastFailure().startsWith("rolled back to generation 1"));
        assertEquals(1, status().reloadsFailed());
        assertTrue(announced.get(0).startsWith("failed rolled back"));
        assertEquals(0, host.liveTimers(), "the probation's timer is gone");
        assertTrue(sup.finished().isEmpty(), "hupwatch keeps running");
        // the next good release swaps normally
        FakeChild g3 = nextReload(3);
        tick(30_000);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        assertEquals(List.of(), host.signalsTo(g3));
    }

    @Test
    void rollbackRequestStopsTheNewOneAndResumesTheOldOne() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        List<ReloadOutcome> rollback = new ArrayList<>();
        sup.handle(new Event.RollbackRequested(rollback::add));
        assertEquals(List.of(), host.signalsTo(g2), "nothing is stopped before the old one answers RESUME");
        assertEquals(List.of(), rollback);
        sup.handle(new Event.AgentResumed(1));
        assertEquals(List.of(new ReloadOutcome(true, 1, g1.pid, null)), rollback);
        assertEquals(List.of("PAUSE 1", "RESUME 1"), host.told);
        assertEquals(List.of("TERM"), host.signalsTo(g2));
        assertEquals(List.of(), host.signalsTo(g1));
        assertEquals(List.of("1 serving", "2 draining"), states());
        assertFalse(replies.get(0).ok());
        assertTrue(replies.get(0).reason().contains("asked for on the control socket"));
        g2.exit(143, sup);
        tick(60_000);
        assertEquals(List.of(), host.signalsTo(g1), "the old one is serving again for good");
    }

    @Test
    void rollbackWithNothingToRollBackToChangesNothing() {
        host.pausable = true;
        supervise(null);
        List<ReloadOutcome> rollback = new ArrayList<>();
        sup.handle(new Event.RollbackRequested(rollback::add));
        assertFalse(rollback.get(0).ok());
        assertTrue(rollback.get(0).reason().startsWith("nothing to roll back to"));
        assertEquals(List.of("1 serving"), states());
        // after a confirmed swap too
        reloaded();
        tick(10_000);
        sup.handle(new Event.RollbackRequested(rollback::add));
        assertFalse(rollback.get(1).ok());
        assertEquals(List.of(), host.told.subList(1, host.told.size()), "no RESUME");
    }

    @Test
    void hupDuringProbationConfirmsTheNewOneAndSwapsFromIt() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        tick(3000);
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        assertEquals(List.of("TERM"), host.signalsTo(g1), "the old one drains now");
        assertTrue(replies.get(0).ok(), "the first reload succeeded");
        assertEquals(3, host.spawned.size());
        tick(1000);
        assertEquals(List.of("PAUSE 1", "PAUSE 2"), host.told, "the next probation keeps generation 2");
        assertEquals(List.of(), host.signalsTo(g2));
        host.generation(3).exit(1, sup);
        assertEquals(List.of("PAUSE 1", "PAUSE 2", "RESUME 2"), host.told);
        assertTrue(states().contains("2 serving"));
    }

    @Test
    void shutdownDuringProbationStopsBothAndExitsWithTheNewOnesStatus() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        sup.handle(new Event.SignalReceived(PosixSignal.TERM));
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        assertEquals(List.of("TERM"), host.signalsTo(g2));
        assertFalse(replies.get(0).ok());
        g1.exit(143, sup);
        assertTrue(sup.finished().isEmpty());
        g2.exit(0, sup);
        assertEquals(0, sup.finished().getAsInt());
    }

    @Test
    void aGenerationThatCannotBePausedKeepsAcceptingAlongsideDuringAnExplicitProbation() {
        supervise(Duration.ofSeconds(5));
        FakeChild g1 = host.generation(1);
        FakeChild g2 = reloaded();
        assertEquals(List.of(), host.told);
        assertEquals(List.of(), host.signalsTo(g1));
        g2.exit(2, sup);
        assertEquals(List.of(), host.told, "nothing to resume: it never stopped accepting");
        assertEquals(List.of("1 serving"), states());
        assertFalse(replies.get(0).ok());
    }

    @Test
    void theOldOneExitingDuringProbationConfirmsTheNewOne() {
        host.pausable = true;
        supervise(null);
        FakeChild g1 = host.generation(1);
        reloaded();
        g1.exit(137, sup);
        assertEquals(List.of("2 serving"), states());
        assertTrue(replies.get(0).ok());
        assertEquals(0, host.liveTimers());
    }

    @Test
    void aNewGenerationThatBeginsToStopDuringProbationIsRolledBackBeforeItExits() {
        host.pausable = true;
        supervise(null);
        FakeChild g2 = reloaded();
        sup.handle(new Event.ChildStopping(2));
        assertEquals(List.of("PAUSE 1", "RESUME 1"), host.told, "the old one accepts again before the new one exits");
        sup.handle(new Event.AgentResumed(1));
        assertEquals(List.of("1 serving", "2 draining"), states());
        assertTrue(replies.get(0).reason().contains("began to stop"), replies.get(0).reason());
        g2.exit(143, sup);
        assertEquals(List.of("1 serving"), states());
        sup.handle(new Event.ChildStopping(1));
        assertEquals(List.of("1 serving"), states(), "outside a probation it changes nothing");
    }

    @Test
    void aFailingExecCheckDuringProbationRollsBack() {
        host.pausable = true;
        supervise(null, new Readiness.Exec("check"));
        sup.handle(new Event.ReloadRequested(replies::add));
        sup.handle(new Event.ChildReady(2, "'check' succeeded"));
        tick(1000);
        assertEquals(List.of("PAUSE 1", "PROBE 2"), host.told);
        sup.handle(new Event.ProbeFailed(2, "exit status 1"));
        assertEquals(List.of("PAUSE 1", "PROBE 2", "RESUME 1"), host.told);
        sup.handle(new Event.AgentResumed(1));
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(2)));
        ReloadOutcome r = replies.get(0);
        assertNotNull(r.reason());
        assertTrue(r.reason().contains("readiness check failed"), r.reason());
    }
}

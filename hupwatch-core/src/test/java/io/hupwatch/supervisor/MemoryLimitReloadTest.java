package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.FakeHost.FakeChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reload judged against the memory limit before its generation is started ({@link MemoryRoom}). */
class MemoryLimitReloadTest {
    private static final long MIB = 1024 * 1024;

    private final FakeHost host = new FakeHost();
    private final List<ReloadOutcome> replies = new ArrayList<>();
    private Supervisor sup;
    private FakeChild g1;

    private void supervise(long limitMib, long usedMib, long footprintMib) {
        host.pausable = true;
        SupervisorConfig config = new SupervisorConfig(List.of("server"), Duration.ofSeconds(1), Duration.ofSeconds(30),
                PosixSignal.TERM).withProbation(Duration.ofSeconds(10));
        sup = new Supervisor(config, host, 42);
        sup.start();
        host.advance(Duration.ofSeconds(1), sup);
        g1 = host.generation(1);
        g1.privateMemory = footprintMib * MIB;
        host.memoryUse = new MemoryUse(limitMib * MIB, usedMib * MIB, "/sys/fs/cgroup/memory/app");
        sup.handle(new Event.ReloadRequested(replies::add));
        host.advance(Duration.ofSeconds(1), sup);
    }

    private StatusReport status() {
        List<StatusReport> r = new ArrayList<>();
        sup.handle(new Event.StatusRequested(r::add));
        return r.get(0);
    }

    @Test
    void aReloadThatCannotFitFailsAtOnceAndTheServingOneIsUntouched() {
        supervise(1000, 600, 400);
        assertEquals(1, host.spawned.size(), "no second generation was started");
        assertEquals(1, replies.size());
        ReloadOutcome failed = replies.get(0);
        assertFalse(failed.ok());
        assertEquals(1, failed.generation(), "generation 1 keeps serving");
        assertTrue(failed.reason().startsWith("cannot start generation 2: not enough memory for a new generation beside"
                + " generation 1 (pid " + g1.pid + ")"), failed.reason());
        assertEquals(List.of(), host.signalsTo(g1));
        StatusReport s = status();
        assertEquals(1, s.reloadsFailed());
        assertEquals(failed.reason(), s.lastFailure());
        ReloadRecord last = s.history().get(s.history().size() - 1);
        assertEquals(ReloadRecord.FAILED, last.outcome());
        assertTrue(last.reason().contains("not enough memory"), last.reason());
    }

    @Test
    void roomForTheSwapOnlyDrainsTheOldOneAtOnce() {
        supervise(1000, 450, 400);
        assertEquals(List.of(), host.told, "not paused: no probation");
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        assertEquals(List.of(new ReloadOutcome(true, 2, host.generation(2).pid, null)), replies);
    }

    @Test
    void roomForBothKeepsTheProbation() {
        supervise(1000, 250, 400);
        assertEquals(List.of("PAUSE 1"), host.told);
        assertEquals(List.of(), host.signalsTo(g1));
    }

    @Test
    void withoutALimitNothingChanges() {
        supervise(-1, 900, 400);
        assertEquals(List.of("PAUSE 1"), host.told);
    }
}

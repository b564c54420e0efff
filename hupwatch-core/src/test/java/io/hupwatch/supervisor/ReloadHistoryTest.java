package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.FakeHost.FakeChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReloadHistoryTest {
    private FakeHost host;
    private Supervisor sup;
    /** What the listener was told, as "reload OUTCOME READY_MS" and "exit CAUSE DRAIN_MS". */
    private final List<String> told = new ArrayList<>();

    @BeforeEach
    void setUp() {
        host = new FakeHost();
        sup = new Supervisor(new SupervisorConfig(List.of("server"), Duration.ofSeconds(1), Duration.ofSeconds(30),
                PosixSignal.TERM), host, 42);
        sup.history().listen(new ReloadListener() {
            @Override
            public void reloadEnded(String outcome, long readyNanos) {
                told.add("reload " + outcome + " " + (readyNanos < 0 ? -1 : readyNanos / 1_000_000));
            }

            @Override
            public void generationExited(String cause, long drainNanos) {
                told.add("exit " + cause + " " + (drainNanos < 0 ? -1 : drainNanos / 1_000_000));
            }
        });
        sup.start();
        tick(1000);
    }

    private void tick(long millis) {
        host.advance(Duration.ofMillis(millis), sup);
    }

    private void hup() {
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
    }

    private StatusReport status() {
        List<StatusReport> r = new ArrayList<>();
        sup.handle(new Event.StatusRequested(r::add));
        return r.get(0);
    }

    private List<ReloadRecord> history() {
        return status().history();
    }

    @Test
    void generationOneIsNotAReload() {
        assertEquals(List.of(), history());
        assertEquals(List.of(), told);
    }

    @Test
    void aGoodReloadRecordsTimeToReadyTheOldGenerationsDrainAndItsExit() {
        long before = System.currentTimeMillis();
        hup();
        ReloadRecord r = history().get(0);
        assertEquals(ReloadRecord.STARTING, r.outcome());
        assertEquals(2, r.generation());
        assertTrue(r.askedAtMillis() >= before && r.askedAtMillis() <= System.currentTimeMillis());
        tick(1000);
        r = history().get(0);
        assertEquals(ReloadRecord.SWAPPED, r.outcome());
        assertEquals(1000, r.readyMillis());
        assertEquals(1, r.oldGeneration());
        assertEquals(-1, r.drainMillis(), "generation 1 is still draining");
        assertTrue(ReloadText.line(r).contains("generation 1 draining"), ReloadText.line(r));
        tick(250);
        sup.handle(new Event.DrainLeft(1, 3));
        host.generation(1).exit(0, sup);
        r = history().get(0);
        assertEquals(250, r.drainMillis());
        assertEquals(3, r.connectionsLeft());
        assertEquals(0, r.oldExitStatus());
        assertNull(r.reason());
        assertEquals(List.of("reload swapped 1000", "exit stopped 250"), told);
        assertTrue(ReloadText.line(r).endsWith("generation 2  swapped, ready after 1s; generation 1 drained for 250ms,"
                + " 3 connection(s) left, exited with status 0"), ReloadText.line(r));
    }

    @Test
    void aFailedReloadRecordsWhyAndTheOldGenerationKeepsItsEntryEmpty() {
        hup();
        tick(300);
        host.generation(2).exit(1, sup);
        ReloadRecord r = history().get(0);
        assertEquals(ReloadRecord.FAILED, r.outcome());
        assertEquals(2, r.generation());
        assertTrue(r.reason().contains("exited with status 1 before it was ready"), r.reason());
        assertEquals(-1, r.readyMillis());
        assertEquals(0, r.oldGeneration());
        assertEquals(List.of("exit failed_start -1", "reload failed -1"), told);
        assertTrue(status().toJson().contains("\"history\":[{\"generation\":2,"), status().toJson());
        assertTrue(status().toJson().contains("\"outcome\":\"failed\",\"reason\":\"generation 2 (pid 101) exited"
                + " with status 1 before it was ready\",\"ready_ms\":null,\"old_generation\":null"), status().toJson());
    }

    @Test
    void hupsDuringAStartAreOneFollowUpAndOneMergedEntry() {
        hup();
        hup(); // becomes the follow-up reload
        hup();
        hup();
        List<ReloadRecord> h = history();
        assertEquals(List.of(ReloadRecord.STARTING, ReloadRecord.PENDING, ReloadRecord.MERGED),
                h.stream().map(ReloadRecord::outcome).toList());
        assertEquals(2, h.get(2).requests());
        assertEquals(0, h.get(2).generation(), "the follow-up has no generation yet");
        tick(1000); // generation 2 ready, 3 starts
        tick(1000); // generation 3 ready
        h = history();
        assertEquals(List.of(ReloadRecord.SWAPPED, ReloadRecord.SWAPPED, ReloadRecord.MERGED),
                h.stream().map(ReloadRecord::outcome).toList());
        assertEquals(List.of(2, 3, 3), h.stream().map(ReloadRecord::generation).toList());
        assertEquals(2, h.get(1).oldGeneration());
        assertTrue(ReloadText.line(h.get(2)).endsWith("generation 3  2 requests merged into the follow-up reload"));
        assertEquals(List.of("reload merged -1", "reload merged -1", "reload swapped 1000", "reload swapped 1000"),
                told);
    }

    @Test
    void anOldGenerationKilledAtTheDrainTimeoutIsCountedKilled() {
        hup();
        tick(1000);
        tick(30_000);
        FakeChild g1 = host.generation(1);
        assertEquals(List.of("TERM", "KILL"), host.signalsTo(g1));
        g1.exit(128 + 9, sup);
        ReloadRecord r = history().get(0);
        assertEquals(30_000, r.drainMillis());
        assertEquals(137, r.oldExitStatus());
        assertEquals(-1, r.connectionsLeft(), "no agent reported");
        assertEquals("exit killed 30000", told.get(told.size() - 1));
    }

    @Test
    void aShutdownDuringAStartCancelsItsReload() {
        hup();
        hup();
        sup.handle(new Event.SignalReceived(PosixSignal.TERM));
        host.generation(2).exit(143, sup);
        assertEquals(List.of(ReloadRecord.CANCELLED, ReloadRecord.CANCELLED),
                history().stream().map(ReloadRecord::outcome).toList());
        assertTrue(told.contains("reload cancelled -1"), told.toString());
    }

    /** A supervisor whose old generations can be paused: swaps go through the default probation. */
    private void superviseWithProbation() {
        told.clear();
        host = new FakeHost();
        host.pausable = true;
        sup = new Supervisor(new SupervisorConfig(List.of("server"), Duration.ofSeconds(1), Duration.ofSeconds(30),
                PosixSignal.TERM, List.of(), PassMode.HANDOFF, new Readiness.Delay(), Duration.ofSeconds(60), null),
                host, 42, Lifecycle.NONE, List.of());
        sup.history().listen(new ReloadListener() {
            @Override
            public void reloadEnded(String outcome, long readyNanos) {
                told.add("reload " + outcome + " " + (readyNanos < 0 ? -1 : readyNanos / 1_000_000));
            }

            @Override
            public void generationExited(String cause, long drainNanos) {
            }
        });
        sup.start();
        tick(1000);
    }

    @Test
    void aSwapOnProbationEndsWhenItIsConfirmed() {
        superviseWithProbation();
        hup();
        tick(1000);
        assertEquals(ReloadRecord.ON_PROBATION, history().get(0).outcome());
        assertEquals(List.of(), told, "not counted before the probation ends");
        tick(10_000);
        assertEquals(ReloadRecord.SWAPPED, history().get(0).outcome());
        assertEquals(List.of("reload swapped 1000"), told);
    }

    @Test
    void aRollbackChangesTheOutcomeOfThatReload() {
        superviseWithProbation();
        hup();
        tick(1000);
        host.generation(2).exit(1, sup);
        ReloadRecord r = history().get(0);
        assertEquals(ReloadRecord.ROLLED_BACK, r.outcome());
        assertTrue(r.reason().contains("exited with status 1"), r.reason());
        assertEquals(List.of("reload rolled back -1"), told, "counted once, as rolled back");
    }

    @Test
    void onlyTheLastTwentyAreKept() {
        for (int i = 0; i < 25; i++) {
            hup();
            tick(1000);
        }
        List<ReloadRecord> h = history();
        assertEquals(ReloadHistory.KEPT, h.size());
        assertEquals(7, h.get(0).generation());
        assertEquals(26, h.get(19).generation());
        assertTrue(status().toText().contains("last reloads, oldest first:\n"), status().toText());
    }
}

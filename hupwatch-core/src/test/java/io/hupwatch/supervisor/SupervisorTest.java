package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.FakeHost.FakeChild;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SupervisorTest {
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private FakeHost host;
    private Supervisor sup;

    @BeforeEach
    void setUp() {
        host = new FakeHost();
        sup = new Supervisor(new SupervisorConfig(List.of("server", "--port", "8080"), WARMUP, DRAIN, PosixSignal.TERM),
                host, 42);
    }

    private void signal(PosixSignal s) {
        sup.handle(new Event.SignalReceived(s));
    }

    private void tick(long millis) {
        host.advance(Duration.ofMillis(millis), sup);
    }

    /** Generation 1 started and past its warm-up. */
    private FakeChild serving1() {
        sup.start();
        tick(1000);
        return host.generation(1);
    }

    @Test
    void firstGenerationGetsItsNumberAndTheWrapperPid() {
        sup.start();
        SpawnRequest r = host.requests.get(0);
        assertEquals(List.of("server", "--port", "8080"), r.command());
        assertEquals("1", r.environment().get("HUPWATCH_GENERATION"));
        assertEquals("42", r.environment().get("HUPWATCH_PID"));
    }

    @Test
    void reloadStopsTheOldGenerationOnlyAfterTheNewOneIsReady() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        FakeChild g2 = host.generation(2);
        assertEquals("2", host.requests.get(1).environment().get("HUPWATCH_GENERATION"));
        tick(999);
        assertEquals(List.of(), host.signalsTo(g1), "no stop signal during the warm-up");
        tick(1);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        assertEquals(List.of(), host.signalsTo(g2));
        g1.exit(0, sup);
        assertTrue(sup.finished().isEmpty(), "hupwatch keeps running with generation 2");
    }

    @Test
    void hupsDuringAStartMergeIntoOneFollowUpReload() {
        serving1();
        signal(PosixSignal.HUP);
        for (int i = 0; i < 100; i++) {
            signal(PosixSignal.HUP);
            assertEquals(2, host.spawned.size(), "at most one generation starting");
        }
        tick(1000); // generation 2 ready: the one follow-up reload starts generation 3
        assertEquals(3, host.spawned.size());
        tick(1000);
        assertEquals(3, host.spawned.size(), "the merged HUPs made exactly one more generation");
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(2)));
    }

    @Test
    void atMostOneGenerationIsStartingUnderAnyInterleaving() {
        serving1();
        for (int step = 0; step < 50; step++) {
            signal(PosixSignal.HUP);
            tick(step % 7 * 150);
            long starting = host.spawned.stream().filter(c -> c.alive).count();
            // alive = serving + at most one starting + draining ones (which this host never lets exit)
            long draining = host.spawned.stream().filter(c -> c.alive && !host.signalsTo(c).isEmpty()).count();
            assertTrue(starting - draining <= 2, "serving plus at most one starting");
        }
    }

    @Test
    void aGenerationThatDiesDuringWarmupLeavesTheServingOneUntouched() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        FakeChild g2 = host.generation(2);
        tick(300);
        g2.exit(3, sup);
        tick(5000);
        assertEquals(List.of(), host.signalsTo(g1));
        assertTrue(sup.finished().isEmpty());
        signal(PosixSignal.HUP); // the next deploy works
        tick(1000);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
    }

    @Test
    void aFailedStartStillRunsTheReloadThatWasMergedIntoIt() {
        serving1();
        signal(PosixSignal.HUP);
        signal(PosixSignal.HUP);
        host.generation(2).exit(1, sup);
        assertEquals(3, host.spawned.size(), "the follow-up reload starts right away");
    }

    @Test
    void aReloadThatCannotSpawnKeepsTheServingGeneration() {
        FakeChild g1 = serving1();
        host.nextSpawnFailure = new SpawnException("command not found: server", SpawnException.NOT_FOUND);
        signal(PosixSignal.HUP);
        assertTrue(sup.finished().isEmpty());
        assertEquals(List.of(), host.signalsTo(g1));
        signal(PosixSignal.HUP);
        assertEquals(2, host.spawned.size(), "a later reload is not blocked");
    }

    @Test
    void aFirstGenerationThatCannotSpawnEndsWithItsExitCode() {
        host.nextSpawnFailure = new SpawnException("cannot execute server", SpawnException.NOT_EXECUTABLE);
        sup.start();
        assertEquals(OptionalInt.of(126), sup.finished());
    }

    @Test
    void aFirstGenerationThatExitsBeforeReadyEndsWithItsStatus() {
        sup.start();
        tick(200);
        host.generation(1).exit(2, sup);
        assertEquals(OptionalInt.of(2), sup.finished());
    }

    @Test
    void drainTimeoutKillsAGenerationThatIgnoresTheStopSignal() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        tick(1000);
        tick(29_999);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        tick(1);
        assertEquals(List.of("TERM", "KILL"), host.signalsTo(g1));
        g1.exit(137, sup);
        assertTrue(sup.finished().isEmpty());
    }

    @Test
    void aGenerationThatDrainsInTimeIsNotKilled() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        tick(1000);
        tick(500);
        g1.exit(0, sup);
        tick(60_000);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        assertEquals(0, host.liveTimers());
    }

    @Test
    void termStopsEveryGenerationAndExitsWithTheServingStatus() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        FakeChild g2 = host.generation(2);
        signal(PosixSignal.TERM);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        assertEquals(List.of("TERM"), host.signalsTo(g2), "the starting generation is stopped too");
        g2.exit(0, sup);
        assertTrue(sup.finished().isEmpty(), "waits for every generation");
        g1.exit(143, sup);
        assertEquals(OptionalInt.of(143), sup.finished());
    }

    @Test
    void termWhileTheFirstGenerationStartsExitsWithItsStatus() {
        sup.start();
        tick(100);
        signal(PosixSignal.INT);
        FakeChild g1 = host.generation(1);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        tick(2000);
        assertEquals(1, host.spawned.size(), "the ready check of a stopped generation does nothing");
        g1.exit(0, sup);
        assertEquals(OptionalInt.of(0), sup.finished());
    }

    @Test
    void shutdownKillsAfterTheDrainTimeout() {
        FakeChild g1 = serving1();
        signal(PosixSignal.TERM);
        tick(30_000);
        assertEquals(List.of("TERM", "KILL"), host.signalsTo(g1));
        g1.exit(137, sup);
        assertEquals(OptionalInt.of(137), sup.finished());
    }

    @Test
    void aSecondTermSkipsTheDrain() {
        FakeChild g1 = serving1();
        signal(PosixSignal.TERM);
        tick(100);
        signal(PosixSignal.TERM);
        assertEquals(List.of("TERM", "KILL"), host.signalsTo(g1));
        g1.exit(137, sup);
        assertEquals(OptionalInt.of(137), sup.finished());
    }

    @Test
    void hupDuringShutdownStartsNothing() {
        serving1();
        signal(PosixSignal.TERM);
        signal(PosixSignal.HUP);
        assertEquals(1, host.spawned.size());
    }

    @Test
    void pendingReloadIsDroppedByShutdown() {
        serving1();
        signal(PosixSignal.HUP);
        signal(PosixSignal.HUP);
        signal(PosixSignal.TERM);
        host.generation(2).exit(143, sup);
        assertEquals(2, host.spawned.size(), "no follow-up reload once shutting down");
    }

    @Test
    void servingGenerationExitingOnItsOwnStopsTheRestAndPassesItsStatusUp() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        FakeChild g2 = host.generation(2);
        g1.exit(3, sup);
        assertEquals(List.of("TERM"), host.signalsTo(g2));
        assertTrue(sup.finished().isEmpty());
        g2.exit(143, sup);
        assertEquals(OptionalInt.of(3), sup.finished(), "the serving generation's status, not the starting one's");
    }

    @Test
    void exitStatusOfADrainingGenerationDoesNotDecideTheExit() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        tick(1000);
        FakeChild g2 = host.generation(2);
        signal(PosixSignal.TERM);
        g2.exit(0, sup);
        g1.exit(137, sup);
        assertEquals(OptionalInt.of(0), sup.finished());
    }

    @ParameterizedTest
    @EnumSource(value = PosixSignal.class, names = {"USR1", "USR2", "WINCH", "TTIN", "TTOU"})
    void operatorSignalsGoToTheServingGenerationOnly(PosixSignal s) {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        tick(1000);
        FakeChild g2 = host.generation(2);
        signal(s);
        assertEquals(List.of(s.name()), host.signalsTo(g2));
        assertEquals(List.of("TERM"), host.signalsTo(g1), "not to the draining one");
    }

    @Test
    void operatorSignalsReachTheFirstGenerationWhileItStarts() {
        sup.start();
        signal(PosixSignal.USR1);
        assertEquals(List.of("USR1"), host.signalsTo(host.generation(1)));
    }

    @Test
    void operatorSignalsGoToTheFirstProcessTheStopSignalAndKillToTheWholeGeneration() {
        FakeChild g1 = serving1();
        signal(PosixSignal.USR1);
        signal(PosixSignal.HUP);
        tick(1000);
        tick(DRAIN.toMillis());
        assertEquals(List.of("USR1", "TERM", "KILL"), host.signalsTo(g1));
        assertEquals(List.of(g1.pid + ":USR1"), host.forwarded, "only USR1 was forwarded; TERM and KILL reach the tree");
    }

    @Test
    void operatorSignalsAreNotForwardedDuringShutdown() {
        FakeChild g1 = serving1();
        signal(PosixSignal.TERM);
        signal(PosixSignal.USR1);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
    }

    @Test
    void theConfiguredStopSignalIsUsed() {
        sup = new Supervisor(new SupervisorConfig(List.of("x"), WARMUP, DRAIN, PosixSignal.QUIT), host, 1);
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        tick(1000);
        assertEquals(List.of("QUIT"), host.signalsTo(g1));
    }

    @Test
    void aDeadChildWhoseExitIsStillQueuedIsNotPromoted() {
        FakeChild g1 = serving1();
        signal(PosixSignal.HUP);
        FakeChild g2 = host.generation(2);
        g2.alive = false; // died; its exit event has not been handled yet
        tick(1000);
        assertEquals(List.of(), host.signalsTo(g1));
        g2.exit(1, sup);
        assertEquals(List.of(), host.signalsTo(g1));
        assertFalse(sup.finished().isPresent());
    }

    @Test
    void eventsAfterTheEndAreIgnored() {
        FakeChild g1 = serving1();
        g1.exit(0, sup);
        assertEquals(OptionalInt.of(0), sup.finished());
        signal(PosixSignal.HUP);
        assertEquals(1, host.spawned.size());
    }
}

package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --ready auto}: only the Java agent's report that the server accepts promotes a generation. */
class AutoReadinessTest {
    private FakeHost host;
    private Supervisor sup;

    @BeforeEach
    void setUp() {
        host = new FakeHost();
        SupervisorConfig config = new SupervisorConfig(List.of("java", "-jar", "app.jar"), Duration.ofSeconds(1),
                Duration.ofSeconds(30), PosixSignal.TERM, List.of(), PassMode.HANDOFF, new Readiness.Auto(),
                Duration.ofSeconds(60));
        sup = new Supervisor(config, host, 42);
    }

    private void accepting(int generation) {
        sup.handle(new Event.ChildReady(generation, Readiness.Auto.HOW));
    }

    @Test
    void noWarmUpGuessAGenerationIsReadyWhenItAccepts() {
        sup.start();
        host.advance(Duration.ofSeconds(20), sup);
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        host.advance(Duration.ofSeconds(20), sup);
        assertTrue(host.signalsTo(host.generation(1)).isEmpty());
        assertEquals(1, host.spawned.size(), "no reload starts before generation 1 accepts");
        accepting(1);
        assertEquals(2, host.spawned.size(), "the merged reload starts once generation 1 is ready");
        host.advance(Duration.ofSeconds(30), sup);
        assertEquals(List.of(), host.signalsTo(host.generation(1)), "a slow new generation is not called ready");
        accepting(2);
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(1)), "the old one drains once the new one accepts");
    }

    @Test
    void aReadyOneFromTheServerItselfDoesNotCount() {
        sup.start();
        sup.handle(new Event.ChildReady(1, "READY=1"));
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        assertEquals(1, host.spawned.size(), "READY=1 is not the agent's report: generation 1 is still starting");
    }

    @Test
    void notAcceptingWithinTheReadyTimeoutFailsTheReload() {
        sup.start();
        accepting(1);
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        host.advance(Duration.ofSeconds(60), sup);
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(2)), "the new one is stopped");
        assertFalse(host.signalsTo(host.generation(1)).contains("TERM"), "the old one keeps serving");
    }

    @Test
    void aPortTheNewGenerationNeverBindsIsDroppedAtTheReadyTimeoutNotAFailedReload() {
        sup.start();
        accepting(1);
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        host.advance(Duration.ofSeconds(59), sup);
        assertEquals(List.of(1), host.serving, "not ready while it lacks a port the serving generation serves");
        host.droppedPorts.put(2, "tcp:0.0.0.0:8081");
        host.advance(Duration.ofSeconds(1), sup);
        assertEquals(List.of(1, 2), host.serving, "at the timeout it accepts on the others: the swap goes on");
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(1)));
        assertTrue(host.signalsTo(host.generation(2)).isEmpty(), "the new one is not stopped");
    }

    @Test
    void withoutAutoReadinessNoPortIsDropped() {
        host = new FakeHost();
        sup = new Supervisor(new SupervisorConfig(List.of("java", "-jar", "app.jar"), Duration.ofSeconds(1),
                Duration.ofSeconds(30), PosixSignal.TERM, List.of(), PassMode.HANDOFF, new Readiness.Notify(),
                Duration.ofSeconds(60)), host, 42);
        sup.start();
        sup.handle(new Event.ChildReady(1, "READY=1"));
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        host.droppedPorts.put(2, "tcp:0.0.0.0:8081");
        host.advance(Duration.ofSeconds(60), sup);
        // the failed reload says generation 1 serves again (ports only generation 2 opened are released)
        assertEquals(List.of(1), host.serving, "READY=1 never came: the reload fails");
    }

    @Test
    void whileNothingIsHeldTheWarmUpAlsoMakesAGenerationReady() {
        host.holdsSockets = false; // no --bind, and nothing adopted yet: maybe a JVM that opens no socket
        sup.start();
        host.advance(Duration.ofMillis(999), sup);
        assertEquals(List.of(), host.serving);
        host.advance(Duration.ofMillis(1), sup);
        assertEquals(List.of(1), host.serving, "generation 1 is ready after the warm-up");
        host.holdsSockets = true; // it opened a socket, which hupwatch adopted
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        host.advance(Duration.ofSeconds(5), sup);
        assertEquals(List.of(1), host.serving, "generation 2 started while a socket was held: it must accept first");
        accepting(2);
        assertEquals(List.of(1, 2), host.serving);
    }

    @Test
    void aGenerationThatOpenedASocketDuringTheWarmUpIsReadyWhenItAccepts() {
        host.holdsSockets = false;
        sup.start();
        host.holdsSockets = true; // generation 1 listened, and hupwatch adopted its socket
        host.advance(Duration.ofSeconds(1), sup);
        assertEquals(List.of(), host.serving, "not ready by the warm-up: it has a socket to accept on");
        accepting(1);
        assertEquals(List.of(1), host.serving);
    }

    @Test
    void theHostLearnsEachNewServingGeneration() {
        sup.start();
        accepting(1);
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        accepting(2);
        assertEquals(List.of(1, 2), host.serving, "so it can release adopted sockets the new one does not serve");
    }

    @Test
    void parsesAndDescribes() {
        assertEquals(new Readiness.Auto(), Readiness.parse("auto"));
        assertTrue(Readiness.parse("auto").describe().contains("accepting"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Readiness.parse("eventually"));
        assertTrue(e.getMessage().contains("auto, delay"), e.getMessage());
    }
}

package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.FakeHost.FakeChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** --ready modes other than delay, the ready timeout, control requests and lifecycle announcements. */
class ReadinessAndControlTest {
    private FakeHost host;
    private Supervisor sup;
    private final List<String> announced = new ArrayList<>();

    @BeforeEach
    void setUp() {
        host = new FakeHost();
        Lifecycle recorder = new Lifecycle() {
            @Override
            public void started(int generation, long pid) {
                announced.add("started " + generation);
            }

            @Override
            public void reloading() {
                announced.add("reloading");
            }

            @Override
            public void reloaded(boolean ok, String summary) {
                announced.add("reloaded " + ok);
            }

            @Override
            public void status(String text) {
                announced.add("status " + text);
            }

            @Override
            public void stopping() {
                announced.add("stopping");
            }
        };
        SupervisorConfig config = new SupervisorConfig(List.of("srv"), Duration.ofSeconds(1), Duration.ofSeconds(30),
                PosixSignal.TERM, List.of(), PassMode.HANDOFF, new Readiness.Notify(), Duration.ofSeconds(60));
        sup = new Supervisor(config, host, 42, recorder, List.of("web tcp:127.0.0.1:8080"));
    }

    private void handle(Event e) {
        sup.handle(e);
    }

    private void tick(long millis) {
        host.advance(Duration.ofMillis(millis), sup);
    }

    private FakeChild serving1() {
        sup.start();
        handle(new Event.ChildReady(1, "READY=1"));
        return host.generation(1);
    }

    @Test
    void readyWhenTheGenerationSaysSoNotAfterAWarmup() {
        sup.start();
        tick(10_000);
        assertFalse(announced.contains("started 1"), "no warm-up in notify mode");
        handle(new Event.ChildReady(1, "READY=1"));
        assertEquals(List.of("started 1"), announced);
        signalHup();
        tick(30_000);
        assertEquals(List.of(), host.signalsTo(host.generation(1)), "the old one serves until the new one is ready");
        handle(new Event.ChildReady(2, "READY=1"));
        assertEquals(List.of("TERM"), host.signalsTo(host.generation(1)));
    }

    private void signalHup() {
        handle(new Event.SignalReceived(PosixSignal.HUP));
    }

    @Test
    void aGenerationNotReadyInTimeIsStoppedAndTheServingOneKeepsServing() {
        FakeChild g1 = serving1();
        List<ReloadOutcome> replies = new ArrayList<>();
        handle(new Event.ReloadRequested(replies::add));
        FakeChild g2 = host.generation(2);
        tick(59_999);
        assertTrue(replies.isEmpty());
        tick(1);
        assertEquals(List.of("TERM"), host.signalsTo(g2), "stopped: stop signal first");
        assertEquals(List.of(), host.signalsTo(g1));
        assertEquals(1, replies.size());
        assertFalse(replies.get(0).ok());
        assertTrue(replies.get(0).reason().contains("not ready within 1m"), replies.get(0).reason());
        assertEquals(1, replies.get(0).generation(), "generation 1 still serves");
        tick(30_000);
        assertEquals(List.of("TERM", "KILL"), host.signalsTo(g2), "then SIGKILL after the drain timeout");
        g2.exit(137, sup);
        assertTrue(sup.finished().isEmpty());
        handle(new Event.ChildReady(2, "READY=1"));
        assertEquals(List.of(), host.signalsTo(g1), "a late READY=1 of a stopped generation changes nothing");
    }

    @Test
    void aFirstGenerationNeverReadyIsStoppedAndHupwatchExits1() {
        sup.start();
        tick(60_000);
        FakeChild g1 = host.generation(1);
        assertEquals(List.of("TERM"), host.signalsTo(g1));
        g1.exit(143, sup);
        assertEquals(OptionalInt.of(1), sup.finished());
    }

    @Test
    void aReloadRequestIsAnsweredWhenTheNewGenerationServes() {
        serving1();
        List<ReloadOutcome> replies = new ArrayList<>();
        handle(new Event.ReloadRequested(replies::add));
        assertTrue(replies.isEmpty(), "answered only when the outcome is known");
        handle(new Event.ChildReady(2, "READY=1"));
        assertEquals(List.of(new ReloadOutcome(true, 2, host.generation(2).pid, null)), replies);
        assertEquals(List.of("started 1", "reloading", "reloaded true"), announced);
    }

    @Test
    void aRequestDuringAReloadJoinsTheFollowUpReload() {
        serving1();
        List<ReloadOutcome> first = new ArrayList<>();
        List<ReloadOutcome> second = new ArrayList<>();
        handle(new Event.ReloadRequested(first::add));
        handle(new Event.ReloadRequested(second::add));
        handle(new Event.SignalReceived(PosixSignal.HUP));
        assertEquals(2, host.spawned.size(), "one generation starting");
        handle(new Event.ChildReady(2, "READY=1"));
        assertEquals(1, first.size());
        assertTrue(second.isEmpty(), "the second request waits for the follow-up");
        assertEquals(3, host.spawned.size());
        host.generation(3).exit(1, sup);
        assertEquals(1, second.size());
        assertFalse(second.get(0).ok());
        assertTrue(second.get(0).reason().contains("exited with status 1 before it was ready"), second.get(0).reason());
    }

    @Test
    void aSpawnFailureAnswersTheRequest() {
        serving1();
        host.nextSpawnFailure = new SpawnException("cannot read --env-file /x: No such file", SpawnException.OTHER);
        List<ReloadOutcome> replies = new ArrayList<>();
        handle(new Event.ReloadRequested(replies::add));
        assertFalse(replies.get(0).ok());
        assertTrue(replies.get(0).reason().contains("env-file"));
    }

    @Test
    void shutdownAnswersEveryWaitingRequest() {
        serving1();
        List<ReloadOutcome> replies = new ArrayList<>();
        handle(new Event.ReloadRequested(replies::add));
        handle(new Event.ReloadRequested(replies::add));
        handle(new Event.SignalReceived(PosixSignal.TERM));
        assertEquals(2, replies.size());
        assertTrue(replies.stream().noneMatch(ReloadOutcome::ok));
        handle(new Event.ReloadRequested(replies::add));
        assertEquals(3, replies.size(), "a request during shutdown is refused at once");
        assertTrue(announced.contains("stopping"));
    }

    @Test
    void statusReportsGenerationsCountersAndTheLastFailure() {
        serving1();
        handle(new Event.ChildStatus(1, "warm"));
        handle(new Event.SignalReceived(PosixSignal.HUP));
        host.generation(2).exit(3, sup);
        handle(new Event.SignalReceived(PosixSignal.HUP));
        tick(1500);
        List<StatusReport> reports = new ArrayList<>();
        handle(new Event.StatusRequested(reports::add));
        StatusReport r = reports.get(0);
        assertEquals(42, r.wrapperPid());
        assertEquals(2, r.generations().size());
        assertEquals("serving", r.generations().get(0).state());
        assertEquals("warm", r.generations().get(0).status());
        assertEquals("starting", r.generations().get(1).state());
        assertEquals(1500, r.generations().get(1).ageMillis());
        assertEquals(0, r.reloadsOk());
        assertEquals(1, r.reloadsFailed());
        assertTrue(r.lastFailure().contains("generation 2"), r.lastFailure());
        assertEquals(List.of("web tcp:127.0.0.1:8080"), r.sockets());
        String json = r.toJson();
        assertTrue(json.contains("\"state\":\"starting\"") && json.contains("\"failed\":1"), json);
        assertTrue(announced.contains("status warm"));
    }

    @Test
    void readyReportsAreIgnoredInDelayMode() {
        sup = new Supervisor(new SupervisorConfig(List.of("srv"), Duration.ofSeconds(1), Duration.ofSeconds(30),
                PosixSignal.TERM), host, 1);
        sup.start();
        handle(new Event.ChildReady(1, "READY=1"));
        List<StatusReport> reports = new ArrayList<>();
        handle(new Event.StatusRequested(reports::add));
        assertEquals("starting", reports.get(0).generations().get(0).state());
        assertNull(reports.get(0).lastFailure());
    }
}

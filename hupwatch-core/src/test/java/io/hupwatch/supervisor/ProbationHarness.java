package io.hupwatch.supervisor;

import io.hupwatch.supervisor.FakeHost.FakeChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A supervisor on the fake host with generation 1 serving, and the steps of a probation, for its tests. */
abstract class ProbationHarness {
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static final Duration DRAIN = Duration.ofSeconds(30);

    final FakeHost host = new FakeHost();
    final List<ReloadOutcome> replies = new ArrayList<>();
    final List<String> announced = new ArrayList<>();
    Supervisor sup;

    /** {@code probation} null: the default. */
    void supervise(Duration probation, Readiness ready) {
        SupervisorConfig config = new SupervisorConfig(List.of("server"), WARMUP, DRAIN, PosixSignal.TERM, List.of(),
                PassMode.HANDOFF, ready, Duration.ofSeconds(60), probation);
        Lifecycle lifecycle = new Lifecycle() {
            @Override
            public void reloaded(boolean ok, String summary) {
                announced.add((ok ? "ok " : "failed ") + summary);
            }
        };
        sup = new Supervisor(config, host, 42, lifecycle, List.of());
        sup.start();
        sup.handle(new Event.ChildReady(1, "'check' succeeded"));
        tick(1000);
    }

    void supervise(Duration probation) {
        supervise(probation, new Readiness.Delay());
    }

    void tick(long millis) {
        host.advance(Duration.ofMillis(millis), sup);
    }

    /** A reload asked for on the control socket, its new generation past its warm-up. */
    FakeChild reloaded() {
        sup.handle(new Event.ReloadRequested(replies::add));
        tick(1000);
        return host.generation(2);
    }

    StatusReport status() {
        List<StatusReport> r = new ArrayList<>();
        sup.handle(new Event.StatusRequested(r::add));
        return r.get(0);
    }

    List<String> states() {
        return status().generations().stream().map(g -> g.generation() + " " + g.state()).toList();
    }

    FakeChild nextReload(int number) {
        sup.handle(new Event.SignalReceived(PosixSignal.HUP));
        tick(1000);
        return host.generation(number);
    }
}

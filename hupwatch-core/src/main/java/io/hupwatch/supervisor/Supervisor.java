package io.hupwatch.supervisor;

import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swap state machine. See the package documentation for its invariants; every method here runs
 * on the event loop thread and nowhere else.
 *
 * <p>Generations move STARTING → SERVING → STOPPING → gone. A STARTING generation that fails (exits,
 * cannot be spawned, is not ready in time) goes to STOPPING or is gone, and the SERVING one is never
 * touched by that. {@link Starts} takes a generation from its spawn to serving or failed, {@link Probation},
 * {@link Drains} and {@link Shutdown} do the rest; this class routes each event to them.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final SupervisorConfig config;
    private final Host host;
    private final long wrapperPid;
    private final Lifecycle lifecycle;
    private final List<String> socketNames;

    private final Generations gens = new Generations();
    private final Drains drains;
    private final Reloads reloads = new Reloads();
    private final ReloadHistory history = new ReloadHistory(System::currentTimeMillis);
    private final Shutdown shutdown;
    private final Probation probation;
    private final Starts starts;

    public Supervisor(SupervisorConfig config, Host host, long wrapperPid) {
        this(config, host, wrapperPid, Lifecycle.NONE, List.of());
    }

    /**
     * @param socketNames the sockets hupwatch holds, as {@code NAME ADDRESS}, for the status report (a live
     *                    view: sockets adopted from generations join it)
     */
    public Supervisor(SupervisorConfig config, Host host, long wrapperPid, Lifecycle lifecycle, List<String> socketNames) {
        this.config = config;
        this.host = host;
        this.wrapperPid = wrapperPid;
        this.lifecycle = lifecycle;
        this.socketNames = java.util.Collections.unmodifiableList(socketNames);
        this.drains = new Drains(config, host, gens);
        this.shutdown = new Shutdown(config, gens, drains, lifecycle, reloads);
        this.probation = new Probation(config, host, gens, drains, reloads, lifecycle, history);
        this.starts = new Starts(config, host, wrapperPid, gens, drains, reloads, history, shutdown, probation, lifecycle);
    }

    /** Starts generation 1. */
    public void start() {
        starts.startGeneration();
    }

    /** The last reloads; its listener may be set before the event loop runs. */
    public ReloadHistory history() {
        return history;
    }

    /** The status hupwatch must exit with, once it has finished; empty while it runs. */
    public OptionalInt finished() {
        return shutdown.finished();
    }

    public void handle(Event event) {
        if (shutdown.finished().isPresent()) {
            if (event instanceof Event.ReloadRequested r) {
                r.reply().accept(new ReloadOutcome(false, 0, 0, "hupwatch has exited"));
            } else if (event instanceof Event.RollbackRequested r) {
                r.reply().accept(new ReloadOutcome(false, 0, 0, "hupwatch has exited"));
            }
            return;
        }
        if (event instanceof Event.SignalReceived e) {
            onSignal(e.signal());
        } else if (event instanceof Event.ChildExited e) {
            onChildExited(e.generation(), e.status());
        } else if (event instanceof Event.ReadyCheck e) {
            starts.onReadyCheck(e.generation());
        } else if (event instanceof Event.ChildReady e) {
            starts.onChildReady(e.generation(), e.how());
        } else if (event instanceof Event.ReadyTimedOut e) {
            starts.onReadyTimedOut(e.generation());
        } else if (event instanceof Event.DrainTimedOut e) {
            drains.timedOut(e.generation());
        } else if (event instanceof Event.ChildStatus e) {
            onChildStatus(e.generation(), e.text());
        } else if (event instanceof Event.ReloadRequested e) {
            requestReload("on the control socket", e.reply());
        } else if (event instanceof Event.StatusRequested e) {
            e.reply().accept(report());
        } else if (event instanceof Event.DrainLeft e) {
            history.drainLeft(e.generation(), e.connections());
        } else {
            probation.handle(event);
        }
    }

    private void onSignal(PosixSignal signal) {
        switch (signal) {
            case HUP -> requestReload(null, null);
            case TERM, INT -> {
                probation.shutdown();
                shutdown.requested(signal);
            }
            default -> forward(signal);
        }
    }

    // ---- reload -------------------------------------------------------------------------------

    private void requestReload(String why, Consumer<ReloadOutcome> waiter) {
        if (shutdown.underway()) {
            log.info("reload requested{} ignored: hupwatch is shutting down", from(why));
            if (waiter != null) {
                waiter.accept(new ReloadOutcome(false, 0, 0, "hupwatch is shutting down"));
            }
            return;
        }
        history.asked(gens.starting != null);
        if (gens.starting != null) {
            if (reloads.mergeIntoFollowUp(waiter)) {
                log.info("reload requested{} while {} is starting: one more reload will follow once it is ready or has"
                        + " failed", from(why), gens.starting);
            }
            return;
        }
        if (probation.active()) {
            probation.confirm("a reload was asked for");
        }
        reloads.startsNow(waiter);
        log.info("reload requested{}: starting generation {}", from(why), starts.nextNumber());
        lifecycle.reloading();
        starts.startReload();
    }

    /** "" for SIGHUP, " (on the control socket)" otherwise. */
    private static String from(String source) {
        return source == null ? "" : " (" + source + ")";
    }

    private void onChildStatus(int number, String text) {
        for (Generation g : gens.live()) {
            if (g.number == number) {
                g.statusText = text;
                log.info("{} status: {}", g, text);
                if (g == gens.serving) {
                    lifecycle.status(text);
                }
            }
        }
    }

    // ---- stopping -----------------------------------------------------------------------------

    private void onChildExited(int number, int status) {
        history.exited(gens.find(number), status, host.nanoTime());
        if (gens.starting != null && gens.starting.number == number) {
            starts.onStartingExited(gens.starting, status);
        } else if (probation.isCandidate(number)) {
            if (!probation.candidateExited(gens.serving + " exited with " + ExitStatus.describe(status)
                    + " during its probation")) {
                onServingExited(gens.serving, status);
            }
        } else if (probation.isStandby(number)) {
            probation.standbyExited(status);
        } else if (gens.serving != null && gens.serving.number == number) {
            onServingExited(gens.serving, status);
        } else {
            shutdown.stoppedExited(drains.exited(number, status), status);
        }
        shutdown.finishIfAllStopped();
    }

    private void onServingExited(Generation g, int status) {
        gens.serving = null;
        g.replaceTimer(null);
        shutdown.servingExited(g, status);
    }

    // ---- forwarding and reporting -------------------------------------------------------------

    /** To the serving generation; while generation 1 is still starting, to it (it is all there is). */
    private void forward(PosixSignal signal) {
        Generation target = gens.serving != null ? gens.serving : shutdown.underway() ? null : gens.starting;
        if (target == null) {
            log.warn("{} not forwarded: no generation is serving", signal.displayName());
            return;
        }
        log.info("forwarding {} to {}", signal.displayName(), target);
        target.child.forward(signal);
    }

    private StatusReport report() {
        String ready = config.ready() instanceof Readiness.Delay
                ? "delay " + Durations.format(config.warmup()) : config.ready().describe();
        return gens.report(host.nanoTime(), wrapperPid, ready, socketNames, reloads.succeededCount(),
                reloads.failedCount(), reloads.lastFailure(), shutdown.underway(), history.records());
    }
}

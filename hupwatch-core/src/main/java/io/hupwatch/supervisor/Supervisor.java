package io.hupwatch.supervisor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * touched by that.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final SupervisorConfig config;
    private final Host host;
    private final long wrapperPid;
    private final Lifecycle lifecycle;
    private final List<String> socketNames;
    private final String commandLine;

    private int lastGeneration;
    private final Generations gens = new Generations();
    private final Drains drains;
    private final Reloads reloads = new Reloads();
    private final ReloadHistory history = new ReloadHistory(System::currentTimeMillis);
    private final Shutdown shutdown;
    private final Probation probation;

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
        // One log line per event, even for a command whose arguments hold newlines.
        this.commandLine = String.join(" ", config.command()).replace("\n", "\\n").replace("\r", "\\r");
    }

    /** Starts generation 1. */
    public void start() {
        startGeneration();
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
            onReadyCheck(e.generation());
        } else if (event instanceof Event.ChildReady e) {
            onChildReady(e.generation(), e.how());
        } else if (event instanceof Event.ReadyTimedOut e) {
            onReadyTimedOut(e.generation());
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
        log.info("reload requested{}: starting generation {}", from(why), lastGeneration + 1);
        lifecycle.reloading();
        startGeneration();
    }

    /** "" for SIGHUP, " (on the control socket)" otherwise. */
    private static String from(String source) {
        return source == null ? "" : " (" + source + ")";
    }

    private void startGeneration() {
        int number = ++lastGeneration;
        history.starting(number);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HUPWATCH_PID", Long.toString(wrapperPid));
        env.put("HUPWATCH_GENERATION", Integer.toString(number));
        Host.Child child;
        try {
            child = host.spawn(new SpawnRequest(number, config.command(), env));
        } catch (SpawnException e) {
            onSpawnFailed(number, e);
            return;
        }
        Generation g = new Generation(number, child, host.nanoTime());
        gens.starting = g;
        log.info("{} started: {}", g, commandLine);
        g.readyAfterWarmup = config.ready().byWarmup(host.holdsSockets());
        if (g.readyAfterWarmup) {
            g.replaceTimer(host.schedule(config.warmup(), new Event.ReadyCheck(number)));
        } else {
            g.replaceTimer(host.schedule(config.readyTimeout(), new Event.ReadyTimedOut(number)));
        }
    }

    private void onSpawnFailed(int number, SpawnException e) {
        if (gens.serving == null) {
            log.error("cannot start generation {}: {}", number, e.getMessage());
            shutdown.finish(e.exitCode());
            return;
        }
        startFailed("cannot start generation " + number + ": " + e.getMessage());
    }

    /** A reload's new generation failed; the serving one is untouched. Runs a merged follow-up reload. */
    private void startFailed(String reason) {
        log.warn("reload failed: {}; {} keeps serving", reason, gens.serving);
        history.failed(lastGeneration, reason);
        lifecycle.reloaded(false, "reload failed: " + reason);
        reloads.failed(reason, new ReloadOutcome(false, gens.serving.number, gens.serving.child.pid(), reason));
        startPendingReload();
    }

    private void onReadyCheck(int number) {
        Generation g = gens.starting;
        if (g == null || g.number != number || !g.child.isAlive() || !g.readyAfterWarmup) {
            return; // stale, or it died and its exit event is on its way
        }
        if (config.ready() instanceof Readiness.Auto && host.holdsSockets()) {
            // It opened a socket during the warm-up (adopted): now it is ready when it accepts on it.
            g.readyAfterWarmup = false;
            g.replaceTimer(host.schedule(config.readyTimeout().minus(config.warmup()), new Event.ReadyTimedOut(number)));
            return;
        }
        promote(g, "alive after the " + Durations.format(config.warmup()) + " warm-up"
                + (config.ready() instanceof Readiness.Auto ? ", having opened no socket" : ""));
    }

    private void onChildReady(int number, String how) {
        Generation g = gens.starting;
        if (!config.ready().takes(how)) {
            log.debug("generation {} reported ready ({}), but {} decides", number, how, config.ready().describe());
        } else if (g != null && g.number == number && g.child.isAlive()) {
            promote(g, how);
        }
    }

    private void promote(Generation g, String how) {
        g.replaceTimer(null);
        gens.starting = null;
        g.state = Generation.State.SERVING;
        Generation previous = gens.serving;
        gens.serving = g;
        log.info("{} ready after {} ({})", g, Durations.formatNanos(host.nanoTime() - g.startedNanos), how);
        boolean onProbation = previous != null && !reloads.followUpPending() && probation.begin(previous, g);
        history.ready(g.number, previous == null ? 0 : previous.number, host.nanoTime() - g.startedNanos, onProbation);
        if (onProbation) {
            return; // its outcome is known when the probation ends
        }
        host.serving(g.number);
        if (previous != null) {
            drains.stop(previous);
            lifecycle.reloaded(true, "generation " + g.number + " serving");
        } else {
            lifecycle.started(g.number, g.child.pid());
        }
        reloads.succeeded(previous != null, new ReloadOutcome(true, g.number, g.child.pid(), null));
        startPendingReload();
    }

    private void onReadyTimedOut(int number) {
        Generation g = gens.starting;
        if (g == null || g.number != number) {
            return;
        }
        String dropped = config.ready() instanceof Readiness.Auto ? host.droppedPorts(number) : null;
        if (dropped != null && g.child.isAlive()) {
            promote(g, "accepting, but not on " + dropped + " within the ready timeout: a port this release dropped");
            return;
        }
        gens.starting = null;
        String reason = g + " was not ready within " + Durations.format(config.readyTimeout()) + " ("
                + config.ready().describe() + ")";
        if (gens.serving == null) {
            shutdown.firstNeverReady(g, reason);
            return;
        }
        drains.stop(g);
        startFailed(reason);
    }

    private void startPendingReload() {
        if (!shutdown.underway() && reloads.takeFollowUp()) {
            log.info("starting the reload requested while the previous one was in progress");
            lifecycle.reloading();
            startGeneration();
        }
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
            onStartingExited(gens.starting, status);
        } else if (probation.isCandidate(number)) {
            probation.rollBack(gens.serving + " exited with " + ExitStatus.describe(status) + " during its probation");
        } else if (probation.isStandby(number)) {
            probation.standbyExited(status);
        } else if (gens.serving != null && gens.serving.number == number) {
            onServingExited(gens.serving, status);
        } else {
            shutdown.stoppedExited(drains.exited(number, status), status);
        }
        shutdown.finishIfAllStopped();
    }

    private void onStartingExited(Generation g, int status) {
        gens.starting = null;
        g.replaceTimer(null);
        String hint = status == 0 ? " (a server must stay in the foreground: if it forks into the background,"
                + " hupwatch has lost it; turn its daemon mode off)" : "";
        if (gens.serving == null) {
            log.error("{} exited with {} before it was ready{}; nothing is serving, so hupwatch exits too", g,
                    ExitStatus.describe(status), hint);
            shutdown.finish(status);
            return;
        }
        startFailed(g + " exited with " + ExitStatus.describe(status) + " before it was ready" + hint);
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

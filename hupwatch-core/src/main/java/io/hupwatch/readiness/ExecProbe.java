package io.hupwatch.readiness;

import io.hupwatch.spawn.KnownChildren;
import io.hupwatch.spawn.Launch;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --ready exec:CMD}: runs {@code /bin/sh -c CMD} with {@code HUPWATCH_CHILD_PID} and
 * {@code HUPWATCH_GENERATION}, again every half second, until it exits 0 (ready) or the generation
 * stops starting (the supervisor's ready timeout, or its exit, closes the probe). During a probation
 * the supervisor has it run again ({@link #checkAgain}); a failure then rolls the swap back.
 */
final class ExecProbe implements ReadinessProbe {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final long RETRY_MILLIS = 500;
    private static final long ATTEMPT_SECONDS = 30;

    private final String command;
    private final int generation;
    private final Launch launch;
    private final EventSink sink;
    private volatile boolean closed;
    private volatile Process attempt;
    private volatile int pid;
    /** Whether a run asked for by {@link #checkAgain} is under way. */
    private final java.util.concurrent.atomic.AtomicBoolean rechecking = new java.util.concurrent.atomic.AtomicBoolean();

    ExecProbe(String command, int generation, Launch launch, EventSink sink) {
        this.command = command;
        this.generation = generation;
        this.launch = launch;
        this.sink = sink;
    }

    @Override
    public void started(int pid) {
        Thread t = new Thread(() -> run(pid), "hupwatch-ready-exec-" + generation);
        t.setDaemon(true);
        t.start();
    }

    private void run(int pid) {
        this.pid = pid;
        int attempts = 0;
        while (!closed) {
            attempts++;
            try {
                int status = attempt();
                if (status == 0 && !closed) {
                    sink.post(new Event.ChildReady(generation, "'" + command + "' succeeded after " + attempts
                            + (attempts == 1 ? " try" : " tries")));
                    return;
                }
                log.debug("readiness check of generation {} exited with {}", generation, status);
                Thread.sleep(RETRY_MILLIS);
            } catch (IOException e) {
                log.warn("cannot run the readiness check '{}': {}", command, e.getMessage());
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * One more run, bounded by {@link #ATTEMPT_SECONDS}; its result is posted ({@link Event.ProbePassed} or
     * {@link Event.ProbeFailed}), and the supervisor asks for the next run only then. A run asked for while
     * one is still under way is not started.
     */
    @Override
    public void checkAgain() {
        if (pid == 0 || closed || !rechecking.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                int status = attempt();
                if (closed) {
                    return;
                }
                sink.post(status == 0 ? new Event.ProbePassed(generation) : new Event.ProbeFailed(generation, "'" + command
                        + "' " + (status < 0 ? "took longer than " + ATTEMPT_SECONDS + "s" : "exited with " + status)));
            } catch (IOException e) {
                log.warn("cannot run the readiness check '{}' again: {}", command, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                rechecking.set(false);
            }
        }, "hupwatch-probation-exec-" + generation);
        t.setDaemon(true);
        t.start();
    }

    /** Runs the command once: its exit status, or -1 when it took too long (it is killed). */
    private int attempt() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(launch.environment);
        pb.environment().put("HUPWATCH_CHILD_PID", Integer.toString(pid));
        pb.environment().put("HUPWATCH_GENERATION", Integer.toString(generation));
        Process p = KnownChildren.starting(() -> {
            Process started = pb.start();
            KnownChildren.add(started.pid());
            return started;
        });
        attempt = p;
        p.onExit().thenRun(() -> KnownChildren.remove(p.pid()));
        if (!p.waitFor(ATTEMPT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Override
    public void close() {
        closed = true;
        Process p = attempt;
        if (p != null) {
            p.destroyForcibly();
        }
    }
}

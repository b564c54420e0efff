package io.hupwatch.supervisor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded stops: a generation is sent the stop signal, may drain for the drain timeout, and is
 * SIGKILLed if still alive then (or at once on a second TERM/INT). Part of the {@link Supervisor},
 * on its thread.
 */
final class Drains {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final SupervisorConfig config;
    private final Host host;
    private final Generations gens;

    Drains(SupervisorConfig config, Host host, Generations gens) {
        this.config = config;
        this.host = host;
        this.gens = gens;
    }

    /** Sends the stop signal and starts the drain timeout. */
    void stop(Generation g) {
        g.state = Generation.State.STOPPING;
        g.stopSentNanos = host.nanoTime();
        gens.stopping.add(g);
        g.child.signal(config.stopSignal());
        log.info("{} draining: sent {}, waiting up to {}", g, config.stopSignal().displayName(),
                Durations.format(config.drainTimeout()));
        g.replaceTimer(host.schedule(config.drainTimeout(), new Event.DrainTimedOut(g.number)));
    }

    void timedOut(int number) {
        for (Generation g : gens.stopping) {
            if (g.number == number && g.child.isAlive()) {
                g.timer = null;
                log.warn("{} still running {} after {}: killed (SIGKILL)", g,
                        Durations.format(config.drainTimeout()), config.stopSignal().displayName());
                g.child.signal(PosixSignal.KILL);
            }
        }
    }

    void killAll(String why) {
        for (Generation g : gens.stopping) {
            if (g.child.isAlive()) {
                log.warn("{}: {} killed now (SIGKILL)", why, g);
                g.child.signal(PosixSignal.KILL);
            }
        }
    }

    /** A stopping generation exited: returns it, or null when {@code number} was not stopping. */
    Generation exited(int number, int status) {
        for (Generation g : gens.stopping) {
            if (g.number == number) {
                gens.stopping.remove(g);
                g.replaceTimer(null);
                log.info("{} exited with {} after {} of draining", g, ExitStatus.describe(status),
                        Durations.formatNanos(host.nanoTime() - g.stopSentNanos));
                return g;
            }
        }
        return null;
    }
}

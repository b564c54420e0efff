package io.hupwatch.cli;

import io.hupwatch.supervisor.Supervision;
import io.hupwatch.supervisor.SupervisorConfig;

/** Turns parsed options into a running supervisor. */
final class Launcher {
    private Launcher() {
    }

    static int launch(RunOptions options) {
        Logging.configure(options.verbosity());
        SupervisorConfig config = new SupervisorConfig(options.command, options.warmup, options.drainTimeout,
                options.stopSignal);
        return Supervision.run(config);
    }
}

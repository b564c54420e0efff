package io.hupwatch.cli;

import io.hupwatch.run.Supervision;
import io.hupwatch.supervisor.SupervisorConfig;
import io.hupwatch.supervisor.WrapperOptions;
import picocli.CommandLine;

/** Turns parsed options into a running supervisor. */
final class Launcher {
    private Launcher() {
    }

    static int launch(RunOptions options, CommandLine commandLine) {
        options.requireCommand(commandLine);
        SupervisorConfig config;
        try {
            config = new SupervisorConfig(options.command, options.warmup(), options.drainTimeout, options.stopSignal,
                    options.bindAddresses(), options.pass, options.readiness(), options.readyTimeout, options.probation);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
        Logging.configure(options.verbosity());
        return Supervision.run(config, new WrapperOptions(options.chdir, options.envFile, options.pidfile,
                options.control, options.jvmAgent, options.metrics));
    }
}

package io.hupwatch.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rollback", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"During a probation (see --probation): go back to the previous generation, kept warm since"
                + " the swap. It accepts again at once, the new generation is stopped, and a waiting hupwatch reload"
                + " returns 1.",
            "Exit status: 0 the previous generation serves again; 1 nothing to roll back to (no probation under way;"
                + " nothing is changed), or the previous generation cannot take over (not running, or no answer to"
                + " RESUME: the new one is confirmed instead), or no answer within --timeout; 2 usage, or no hupwatch"
                + " at that control socket."})
final class RollbackCommand implements Callable<Integer> {
    @Option(names = "--control", required = true, paramLabel = "PATH", converter = RunOptions.PathConverter.class,
            description = "The control socket of the hupwatch to roll back.")
    Path control;

    @Option(names = "--timeout", paramLabel = "DUR", defaultValue = "10s", converter = RunOptions.DurationConverter.class,
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        ControlClient.Answer reply = ControlClient.ask(control, "rollback", timeout,
                "no answer from " + control + " within " + io.hupwatch.supervisor.Durations.format(timeout));
        if (reply.text() == null) {
            return reply.exit();
        }
        String answer = reply.text();
        if (answer.startsWith("ok ")) {
            String[] w = answer.split(" ");
            System.out.println("rolled back: generation " + w[1] + " (pid " + w[2] + ") is serving again");
            return 0;
        }
        System.err.println("hupwatch: " + answer.replaceFirst("^failed ", ""));
        return 1;
    }
}

package io.hupwatch.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reload", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Start a reload (or join the one already under way) and wait for its outcome.",
            "Exit status: 0 the new generation serves; 1 the reload failed and the old generation keeps serving"
                + " (the reason is printed), or no answer in time; 2 usage, or no hupwatch at that control socket."})
final class ReloadCommand implements Callable<Integer> {
    @Option(names = "--control", required = true, paramLabel = "PATH", converter = RunOptions.PathConverter.class, description = "The control socket of the hupwatch to reload.")
    Path control;

    @Option(names = "--timeout", paramLabel = "DUR", defaultValue = "5m", converter = RunOptions.DurationConverter.class,
            description = "How long to wait for the outcome (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        ControlClient.Answer reply = ControlClient.ask(control, "reload", timeout, "no outcome within "
                + io.hupwatch.supervisor.Durations.format(timeout)
                + "; the reload may still be under way (see hupwatch status --control " + control + ")");
        if (reply.text() == null) {
            return reply.exit();
        }
        String answer = reply.text();
        if (answer.startsWith("ok ")) {
            String[] w = answer.split(" ");
            System.out.println("reloaded: generation " + w[1] + " (pid " + w[2] + ") is serving");
            return 0;
        }
        System.err.println("hupwatch: reload failed: " + answer.replaceFirst("^failed ", "")
                + "; the old generation keeps serving");
        return 1;
    }
}

package io.hupwatch.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show hupwatch's pid, its generations (pid, state, age, open connections), sockets, reload counters,"
                + " last failure and the last 20 reloads (when, time to ready, outcome, the old generation's drain).")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--control", required = true, paramLabel = "PATH", converter = RunOptions.PathConverter.class, description = "The control socket of the hupwatch to ask.")
    Path control;

    @Option(names = "--json", description = "Print one line of JSON.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "DUR", defaultValue = "10s", converter = RunOptions.DurationConverter.class,
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        ControlClient.Answer reply = ControlClient.ask(control, json ? "status json" : "status", timeout,
                "no answer from " + control + " within " + io.hupwatch.supervisor.Durations.format(timeout));
        if (reply.text() == null) {
            return reply.exit();
        }
        String answer = reply.text();
        if (answer.startsWith("failed ")) {
            System.err.println("hupwatch: " + answer.substring("failed ".length()));
            return 1;
        }
        System.out.println(answer);
        return 0;
    }
}

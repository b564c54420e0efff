package io.hupwatch.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** {@code hupwatch}: parses the command line and exits with the documented status. */
public final class Main {
    /** Usage errors: a bad option or value. */
    static final int USAGE = 2;
    /** hupwatch could not start for a stated reason. */
    static final int CANNOT_START = 1;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HupwatchCommand());
        cl.setStopAtPositional(true);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("hupwatch: " + e.getMessage());
            return CANNOT_START;
        });
        return cl;
    }

    /** One line: what was wrong and where to look; never a stack trace. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String message = e.getMessage();
        if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
            // picocli names an option by its longest alias; name it the way --help lists it.
            message = message.replace("'" + option.longestName() + "'", "'" + String.join("/", option.names()) + "'");
        }
        err.println("hupwatch: " + message + " (see hupwatch --help)");
        return USAGE;
    }
}

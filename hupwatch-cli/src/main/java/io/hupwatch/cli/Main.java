package io.hupwatch.cli;

import io.hupwatch.run.Prestart;
import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * {@code hupwatch}: parses the command line and exits with the documented status.
 *
 * <p>Start-up time is part of what hupwatch is measured on, and picocli builds its model of every
 * command by reflection. The usual invocation, {@code hupwatch [OPTIONS] -- COMMAND}, is therefore
 * parsed by a model without the subcommands; the full model is built instead whenever the two could
 * differ: a subcommand's name among the options, or a request for help.
 */
public final class Main {
    /** Usage errors: a bad option or value. */
    static final int USAGE = 2;
    /** hupwatch could not start for a stated reason. */
    static final int CANNOT_START = 1;

    private static final Set<String> SUBCOMMANDS = Set.of("run", "reload", "status", "rollback");

    private Main() {
    }

    public static void main(String[] args) {
        if (!namesSubcommand(args)) {
            // Libc binding and log set-up, on the second core while picocli parses.
            Prestart.inBackground(Logging.TIMESTAMP_PATTERN);
        }
        System.exit(execute(args));
    }

    /**
     * Everything {@link #main} does but exit: runs the command line to its end and returns the status
     * hupwatch exits with. Output goes to {@link System#out} and {@link System#err} as they are at the
     * call, so a test may run many command lines in one JVM.
     */
    static int execute(String[] args) {
        return namesSubcommand(args) ? commandLine().execute(args) : withoutSubcommands(args).execute(args);
    }

    /**
     * The whole command line: {@code hupwatch} and its subcommands {@code run}, {@code reload}, {@code status}, {@code rollback}.
     * Public for hupwatch-dist, which makes the man page and the shell completion from it.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HupwatchCommand());
        cl.addSubcommand(new RunCommand());
        cl.addSubcommand(new ReloadCommand());
        cl.addSubcommand(new StatusCommand());
        cl.addSubcommand(new RollbackCommand());
        return configured(cl);
    }

    /** {@code hupwatch [OPTIONS] -- COMMAND} only; asked for help, it hands over to the whole command line. */
    static CommandLine withoutSubcommands(String[] args) {
        CommandLine cl = configured(new CommandLine(new HupwatchCommand()));
        cl.setExecutionStrategy(new HelpFromFullModel(args));
        return cl;
    }

    /** Whether an argument before {@code --} could be taken for a subcommand (or nothing is given). */
    static boolean namesSubcommand(String[] args) {
        if (args.length == 0) {
            return true;
        }
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (SUBCOMMANDS.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** Settings for the command and the subcommands already added. */
    private static CommandLine configured(CommandLine cl) {
        cl.setStopAtPositional(true);
        cl.setParameterExceptionHandler(new UsageError());
        cl.setExecutionExceptionHandler(new CannotStart());
        return cl;
    }

    private static final class HelpFromFullModel implements IExecutionStrategy {
        private final String[] args;

        HelpFromFullModel(String[] args) {
            this.args = args;
        }

        @Override
        public int execute(ParseResult parsed) {
            if (parsed.isUsageHelpRequested()) {
                return commandLine().execute(args);
            }
            return new CommandLine.RunLast().execute(parsed);
        }
    }

    /** One line: what was wrong and where to look; never a stack trace. */
    private static final class UsageError implements IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) {
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

    private static final class CannotStart implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine line, ParseResult parsed) {
            line.getErr().println("hupwatch: " + e.getMessage());
            return CANNOT_START;
        }
    }
}

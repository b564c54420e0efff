package io.hupwatch.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs hupwatch's real entry point ({@link Main#execute}) in this JVM, as {@code main} would but
 * without exiting, with standard output and error captured: one JVM for hundreds of command lines.
 */
final class InProcessCli {
    /** How a command line ended: the status hupwatch would exit with, and what it printed. */
    record Outcome(List<String> args, int exit, String stdout, String stderr) {
        /** The lines of standard error that are not blank. */
        List<String> errorLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "hupwatch " + args + " -> exit " + exit + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    private InProcessCli() {
    }

    static synchronized Outcome run(List<String> args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(capturedOut, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(capturedErr, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int exit = Main.execute(args.toArray(String[]::new));
            return new Outcome(args, exit, capturedOut.toString(StandardCharsets.UTF_8),
                    capturedErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}

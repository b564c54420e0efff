package io.hupwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.PosixSignal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class CommandLineTest {

    private static RunOptions parse(String... args) {
        ParseResult r = Main.commandLine().parseArgs(args);
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        Object command = r.commandSpec().userObject();
        return command instanceof RunCommand run ? run.options : ((HupwatchCommand) command).options;
    }

    @Test
    void defaultsMatchTheSpec() {
        RunOptions o = parse("--", "java", "-jar", "app.jar");
        assertEquals(List.of("java", "-jar", "app.jar"), o.command);
        assertEquals(Duration.ofSeconds(1), o.warmup);
        assertEquals(Duration.ofSeconds(30), o.drainTimeout);
        assertEquals(PosixSignal.TERM, o.stopSignal);
        assertEquals(0, o.verbosity());
    }

    @Test
    void optionsOfTheCommandAreNeverTakenForHupwatchs() {
        assertEquals(List.of("server", "-w", "5", "--drain-timeout", "x"),
                parse("-w", "2", "server", "-w", "5", "--drain-timeout", "x").command);
        assertEquals(Duration.ofSeconds(2), parse("-w", "2", "server", "-w", "5").warmup);
    }

    @Test
    void theRunFormTakesTheSameOptions() {
        RunOptions o = parse("run", "--warmup-time", "250ms", "--stop-signal", "SIGQUIT", "-k", "-vv", "--", "srv");
        assertEquals(Duration.ofMillis(250), o.warmup);
        assertEquals(PosixSignal.QUIT, o.stopSignal);
        assertEquals(2, o.verbosity());
        assertEquals(List.of("srv"), o.command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--warmup=abc", "--drain-timeout=-1", "--stop-signal=NOPE", "--stop-signal=STOP", "--bind=x", "--bind=tcp:1.2.3.4:99999", "--pass=fd", "--pass=stdin",
            "--nope", "--ready=sometimes", "--ready=log:(", "--ready-timeout=x"})
    void usageErrorsAreOneLineAndExit2(String option) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(option, "--", "true");
        assertEquals(2, code);
        String text = err.toString();
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("hupwatch: "), text);
    }

    @Test
    void anEmptyCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("--", ""));
        assertTrue(err.toString().contains("COMMAND is empty"), err.toString());
    }

    @Test
    void aMissingCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("-w", "1"));
        assertTrue(err.toString().contains("COMMAND"), err.toString());
    }
}

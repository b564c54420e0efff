package io.hupwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.JvmAgentMode;
import io.hupwatch.supervisor.PosixSignal;
import io.hupwatch.supervisor.Readiness;
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
        assertEquals(Duration.ofSeconds(1), o.warmup());
        assertEquals(Duration.ofSeconds(30), o.drainTimeout);
        assertEquals(PosixSignal.TERM, o.stopSignal);
        assertEquals(0, o.verbosity());
        assertEquals(JvmAgentMode.AUTO, o.jvmAgent);
        assertEquals(new Readiness.Auto(), o.readiness(), "the agent attaches to java, and adopts its sockets");
    }

    @Test
    void readinessIsAutoWhenTheAgentAttachesAndHupwatchHoldsASocket() {
        assertEquals(new Readiness.Auto(), parse("--bind", "tcp:0.0.0.0:8080", "--", "java", "-jar", "app.jar").readiness());
        assertEquals(new Readiness.Auto(), parse("--bind", "tcp:0.0.0.0:8080", "--", "/opt/jdk/bin/java", "-jar", "a.jar")
                .readiness());
        assertEquals(new Readiness.Delay(), parse("--bind", "tcp:0.0.0.0:8080", "--", "./start.sh").readiness(),
                "auto attaches to java only");
        assertEquals(new Readiness.Auto(), parse("--bind", "tcp:0.0.0.0:8080", "--jvm-agent", "on", "--", "./start.sh")
                .readiness());
        assertEquals(new Readiness.Delay(), parse("--bind", "tcp:0.0.0.0:8080", "--warmup", "3s", "--", "java", "-jar",
                "a.jar").readiness(), "an explicit --warmup chose the warm-up");
        assertEquals(new Readiness.Notify(), parse("--bind", "tcp:0.0.0.0:8080", "--ready", "notify", "--", "java")
                .readiness(), "an explicit --ready wins");
        assertEquals(new Readiness.Delay(), parse("--bind", "tcp:0.0.0.0:8080", "--jvm-agent", "off", "--", "java")
                .readiness());
    }

    @Test
    void probationIsTheDefaultUnlessGiven() {
        assertEquals(null, parse("--", "java", "-jar", "app.jar").probation, "null: decided per generation");
        assertEquals(Duration.ZERO, parse("--probation", "0", "--", "srv").probation);
        assertEquals(Duration.ofMillis(2500), parse("--probation=2.5", "--", "srv").probation);
    }

    @Test
    void optionsOfTheCommandAreNeverTakenForHupwatchs() {
        assertEquals(List.of("server", "-w", "5", "--drain-timeout", "x"),
                parse("-w", "2", "server", "-w", "5", "--drain-timeout", "x").command);
        assertEquals(Duration.ofSeconds(2), parse("-w", "2", "server", "-w", "5").warmup());
    }

    @Test
    void theRunFormTakesTheSameOptions() {
        RunOptions o = parse("run", "--warmup-time", "250ms", "--stop-signal", "SIGQUIT", "-k", "-vv", "--", "srv");
        assertEquals(Duration.ofMillis(250), o.warmup());
        assertEquals(PosixSignal.QUIT, o.stopSignal);
        assertEquals(2, o.verbosity());
        assertEquals(List.of("srv"), o.command);
    }

    /** What the supervisor is given, to compare the two models' parses. */
    private static String described(RunOptions o) {
        return String.join("|", String.valueOf(o.command), String.valueOf(o.binds), String.valueOf(o.pass),
                String.valueOf(o.ready), String.valueOf(o.readyTimeout), String.valueOf(o.warmup), String.valueOf(o.jvmAgent),
                String.valueOf(o.drainTimeout), String.valueOf(o.stopSignal), String.valueOf(o.chdir),
                String.valueOf(o.envFile), String.valueOf(o.pidfile), String.valueOf(o.control),
                String.valueOf(o.verbosity()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-- srv", "-w 2 srv -w 5", "--bind tcp:127.0.0.1:0 -b api=unix:/tmp/x.sock --pass systemd -- srv a",
            "--ready log:^up$ --ready-timeout 5s --drain-timeout=1m --stop-signal QUIT -qq -- srv",
            "--chdir /srv --env-file /etc/x.env --pidfile /run/x.pid --control /run/x.ctl -k -v -- srv"})
    void theModelWithoutSubcommandsParsesLikeTheWholeOne(String line) {
        String[] args = line.split(" ");
        assertFalse(Main.namesSubcommand(args));
        ParseResult lean = Main.withoutSubcommands(args).parseArgs(args);
        RunOptions leanOptions = ((HupwatchCommand) lean.commandSpec().userObject()).options;
        assertEquals(described(parse(args)), described(leanOptions));
    }

    @Test
    void anythingThatMayNameASubcommandGoesToTheWholeModel() {
        assertTrue(Main.namesSubcommand(new String[0]));
        assertTrue(Main.namesSubcommand(new String[] {"status", "--control", "/x"}));
        assertTrue(Main.namesSubcommand(new String[] {"-v", "run", "--", "srv"}));
        assertTrue(Main.namesSubcommand(new String[] {"--pidfile", "reload", "--", "srv"}));
        assertFalse(Main.namesSubcommand(new String[] {"--", "status"}));
        assertFalse(Main.namesSubcommand(new String[] {"srv", "--", "run"}));
    }

    @Test
    void helpAskedOfTheModelWithoutSubcommandsListsThem() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        try {
            assertEquals(0, Main.withoutSubcommands(new String[] {"--help"}).execute("--help"));
        } finally {
            System.setOut(saved);
        }
        String help = out.toString();
        assertTrue(help.contains("Usage: hupwatch [OPTIONS] -- COMMAND"), help);
        for (String sub : List.of("run", "reload", "status", "rollback")) {
            assertTrue(help.lines().anyMatch(l -> l.trim().startsWith(sub + " ")), sub + " missing from:\n" + help);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--warmup=abc", "--drain-timeout=-1", "--stop-signal=NOPE", "--stop-signal=STOP", "--bind=x", "--bind=tcp:1.2.3.4:99999", "--pass=fd", "--pass=stdin",
            "--nope", "--ready=sometimes", "--ready=log:(", "--ready-timeout=x", "--jvm-agent=maybe", "--metrics=localhost:9464",
            "--metrics=m=tcp:127.0.0.1:9464", "--metrics=unix:relative.sock", "--probation=soon", "--probation=-1s"})
    void usageErrorsAreOneLineAndExit2(String option) {
        String[] args = {option, "--", "true"};
        for (CommandLine cl : List.of(Main.commandLine(), Main.withoutSubcommands(args))) {
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            assertEquals(2, code);
            String text = err.toString();
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.startsWith("hupwatch: "), text);
        }
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

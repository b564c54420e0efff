package io.hupwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.cli.BadValueCorpus.BadValue;
import io.hupwatch.cli.BadValueCorpus.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of every subcommand, read from the picocli model of the real command line (so an
 * option is covered the day it is added), given each bad value of its kind ({@link BadValueCorpus}),
 * run through hupwatch's real entry point: one line on standard error that names no exception and
 * says no "null", the documented status, and nothing left behind (no file, no runtime directory,
 * no COMMAND started). The packaged launcher is tried end to end by integration-tests' BadInputTest.
 *
 * <p>One JVM for all: a case that gets as far as starting generation 1 (a --chdir that is a file)
 * leaves hupwatch's signal handlers and its child-subreaper setting in this test JVM, which does
 * nothing after the tests but exit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputFuzzTest {
    /** What a message for an operator never contains: an exception's name, a stack frame, a null, a package. */
    private static final Pattern NOT_FOR_OPERATORS = Pattern.compile(
            "\\b\\w*(Exception|Error)\\b|\\tat |\\bnull\\b|\\bjava\\.|\\bio\\.hupwatch\\.|\\bpicocli\\.");

    @TempDir
    static Path dir;

    private static FuzzFixtures fixtures;

    @BeforeAll
    static void setUp() throws IOException {
        fixtures = new FuzzFixtures(dir);
    }

    @AfterAll
    static void tearDown() throws IOException {
        fixtures.close();
    }

    @TestFactory
    Stream<DynamicTest> everyOptionOfRunRefusesEachBadValueInOneLine() {
        CommandLine run = Main.commandLine().getSubcommands().get("run");
        List<DynamicTest> tests = new ArrayList<>();
        List<ArgSpec> args = argsOf(run.getCommandSpec());
        assertNoStaleKinds(args.stream().map(BadInputFuzzTest::nameOf).collect(Collectors.toSet()), BadValueCorpus.KINDS);
        for (ArgSpec arg : args) {
            List<BadValue> values = new BadValueCorpus(fixtures).of(kindOf(arg, BadValueCorpus.KINDS), nameOf(arg));
            for (int i = 0; i < values.size(); i++) {
                BadValue bad = values.get(i);
                List<String> words = new ArrayList<>(bad.words());
                if (!bad.last() && !(arg instanceof CommandLine.Model.PositionalParamSpec)) {
                    words.addAll(List.of("--", fixtures.marker.toString()));
                }
                tests.add(test(words, bad));
                // hupwatch run OPTIONS -- COMMAND parses with the whole model (hupwatch OPTIONS alone does
                // not): its first and last bad values, a usage error and mostly one of the machine's.
                if (i == 0 || i == values.size() - 1) {
                    List<String> withRun = new ArrayList<>(List.of("run"));
                    withRun.addAll(words);
                    tests.add(test(withRun, bad));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyOptionOfTheClientsRefusesEachBadValueInOneLine() {
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (String sub : List.of("reload", "status", "rollback")) {
            CommandSpec spec = Main.commandLine().getSubcommands().get(sub).getCommandSpec();
            for (ArgSpec arg : argsOf(spec)) {
                names.add(nameOf(arg));
                String name = nameOf(arg);
                for (BadValue bad : new BadValueCorpus(fixtures).of(kindOf(arg, BadValueCorpus.CLIENT_KINDS), name)) {
                    List<String> words = new ArrayList<>(List.of(sub));
                    if (!name.equals("--control")) {
                        words.addAll(List.of("--control", fixtures.dir.resolve("nobody.sock").toString()));
                    }
                    words.addAll(bad.words());
                    tests.add(test(words, bad));
                }
            }
        }
        assertNoStaleKinds(names, BadValueCorpus.CLIENT_KINDS);
        return tests.stream();
    }

    /** The options and positional parameters of {@code spec}. */
    private static List<ArgSpec> argsOf(CommandSpec spec) {
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        return args;
    }

    /** A kind given for an option no command has any more is a corpus that no longer tests what it says. */
    private static void assertNoStaleKinds(Set<String> names, Map<String, Kind> kinds) {
        Set<String> stale = new TreeSet<>(kinds.keySet());
        stale.removeAll(names);
        assertTrue(stale.isEmpty(), "no option " + stale + " any more: remove it from BadValueCorpus");
    }

    private static Kind kindOf(ArgSpec arg, Map<String, Kind> kinds) {
        Kind kind = kinds.get(nameOf(arg));
        assertTrue(kind != null, "option " + nameOf(arg) + " has no kind of bad values: add it to BadValueCorpus,"
                + " so that its bad values are tried");
        return kind;
    }

    private static String nameOf(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
    }

    private static DynamicTest test(List<String> words, BadValue bad) {
        return DynamicTest.dynamicTest(bad.what() + ": hupwatch " + String.join(" ", words), () -> check(words, bad));
    }

    private static void check(List<String> words, BadValue bad) throws IOException {
        Set<Path> before = files();
        InProcessCli.Outcome outcome = InProcessCli.run(words);
        // Removed at once, so that a case that runs COMMAND fails alone.
        boolean commandRan = Files.deleteIfExists(fixtures.ran);
        List<String> lines = outcome.errorLines();
        assertEquals(1, lines.size(), "exactly one line on stderr:\n" + outcome);
        String line = lines.get(0);
        assertTrue(line.startsWith("hupwatch: ") || line.contains("[ERROR] hupwatch - "), "hupwatch's line:\n" + outcome);
        assertFalse(NOT_FOR_OPERATORS.matcher(line).find(), "an exception, a null or a class in:\n" + outcome);
        assertEquals(bad.exit(), outcome.exit(), "the status the README gives " + bad.what() + ":\n" + outcome);
        assertTrue(outcome.stdout().isEmpty(), "nothing on stdout:\n" + outcome);

        assertFalse(commandRan, "COMMAND ran:\n" + outcome);
        Set<Path> left = files();
        left.removeAll(before);
        assertTrue(left.isEmpty(), "left behind: " + left + "\n" + outcome);
        if (outcome.exit() != BadValueCorpus.USAGE) {
            // Past the command line: the only cases that could have started a process.
            assertEquals(List.of(), processesNaming(dir), "processes left running:\n" + outcome);
        }
    }

    /** The fixtures' directory, and the runtime directories this JVM's hupwatch would make in the temporary directory. */
    private static Set<Path> files() throws IOException {
        Set<Path> all = new TreeSet<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        String mine = "hupwatch." + ProcessHandle.current().pid();
        for (String tmp : new String[] {System.getProperty("java.io.tmpdir"), System.getenv("XDG_RUNTIME_DIR")}) {
            if (tmp != null && Files.isDirectory(Path.of(tmp))) {
                try (Stream<Path> s = Files.list(Path.of(tmp))) {
                    s.filter(p -> p.getFileName().toString().startsWith(mine)).forEach(all::add);
                }
            }
        }
        return all;
    }

    /** Running processes (not this JVM nor a fixture) whose command line names {@code path}. */
    private static List<String> processesNaming(Path path) {
        long me = ProcessHandle.current().pid();
        long fixture = fixtures.lookalike.pid();
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == me || pid == fixture) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(path.toString())) {
                        found.add(pid + " " + cmdline);
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }
}

package io.hupwatch.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bad values for each kind of option, with the status the README gives them: 2 for a usage error
 * (the value itself is wrong), 1 when hupwatch cannot start (the value is well formed, the machine
 * disagrees), 127/126 for a COMMAND not found/not executable.
 */
final class BadValueCorpus {
    static final int USAGE = 2;
    static final int CANNOT_START = 1;

    /** What an option takes; each kind has its own bad values. */
    enum Kind { DURATION, SIGNAL, CHOICE, READY, BIND, METRICS, DIRECTORY, INPUT_FILE, OUTPUT_FILE, SOCKET_FILE,
        FLAG, COMMAND, CONTROL }

    /**
     * The kind of every option and positional parameter, by its longest name (a parameter by its
     * label). An option missing here fails the fuzz test: give it a kind the day it is added.
     */
    static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("--bind", Kind.BIND),
            Map.entry("--pass", Kind.CHOICE),
            Map.entry("--ready", Kind.READY),
            Map.entry("--ready-timeout", Kind.DURATION),
            Map.entry("--warmup-time", Kind.DURATION),
            Map.entry("--drain-timeout", Kind.DURATION),
            Map.entry("--probation", Kind.DURATION),
            Map.entry("--stop-signal", Kind.SIGNAL),
            Map.entry("--chdir", Kind.DIRECTORY),
            Map.entry("--env-file", Kind.INPUT_FILE),
            Map.entry("--pidfile", Kind.OUTPUT_FILE),
            Map.entry("--control", Kind.SOCKET_FILE),
            Map.entry("--metrics", Kind.METRICS),
            Map.entry("--jvm-agent", Kind.CHOICE),
            Map.entry("--kill-at-exit", Kind.FLAG),
            Map.entry("-v", Kind.FLAG),
            Map.entry("-q", Kind.FLAG),
            Map.entry("--help", Kind.FLAG),
            Map.entry("--version", Kind.FLAG),
            Map.entry("COMMAND", Kind.COMMAND));

    /** The same for the client subcommands (reload, status, rollback): their --control is the client's end. */
    static final Map<String, Kind> CLIENT_KINDS = Map.of(
            "--control", Kind.CONTROL,
            "--timeout", Kind.DURATION,
            "--json", Kind.FLAG,
            "--help", Kind.FLAG,
            "--version", Kind.FLAG);

    /**
     * One bad value: the words that give it ({@code --warmup -1}), and the status it must exit with.
     * {@code last}: the words end the command line (a value left out), with no COMMAND after them.
     */
    record BadValue(String what, List<String> words, int exit, boolean last) {
    }

    private final FuzzFixtures f;

    BadValueCorpus(FuzzFixtures fixtures) {
        this.f = fixtures;
    }

    List<BadValue> of(Kind kind, String name) {
        List<BadValue> out = new ArrayList<>();
        if (kind == Kind.FLAG) {
            out.add(new BadValue("a value", List.of(name + "=bogus"), USAGE, false));
            return out;
        }
        if (kind == Kind.COMMAND) {
            out.add(new BadValue("missing", List.of("--"), USAGE, true));
            out.add(new BadValue("empty", List.of("--", ""), USAGE, false));
            out.add(new BadValue("a directory", List.of("--", "/"), 126, false));
            out.add(new BadValue("a file that is not executable", List.of("--", s(f.regularFile)), 126, false));
            out.add(new BadValue("no such file", List.of("--", s(f.dir.resolve("nosuchprogram"))), 127, false));
            out.add(new BadValue("in a missing directory", List.of("--", s(f.missingDirectory.resolve("prog"))), 127, false));
            out.add(new BadValue("not on PATH", List.of("--", "nosuchprogram-hupwatch"), 127, false));
            return out;
        }
        out.add(new BadValue("missing", List.of(name), USAGE, true));
        value(out, name, "empty", "", USAGE);
        switch (kind) {
            case DURATION -> {
                for (String v : List.of("-1", "NaN", "Infinity", "1e400", "99999999999999999999", "abc", "5x", "/", "1s5")) {
                    value(out, name, v, v, USAGE);
                }
            }
            case SIGNAL -> {
                for (String v : List.of("-1", "0", "99999", "NaN", "NOPE", "KILL", "SIGKILL", "9", "STOP", "19", "/")) {
                    value(out, name, v, v, USAGE);
                }
            }
            case CHOICE, READY -> {
                for (String v : List.of("-1", "NaN", "bogus", "/")) {
                    value(out, name, v, v, USAGE);
                }
                if (kind == Kind.READY) {
                    for (String v : List.of("log:", "log:(", "exec:", "exec: ")) {
                        value(out, name, v, v, USAGE);
                    }
                }
            }
            case BIND, METRICS -> address(out, name, kind);
            case DIRECTORY -> {
                value(out, name, "a file", s(f.regularFile), CANNOT_START);
                value(out, name, "missing", s(f.missingDirectory), CANNOT_START);
                value(out, name, "under a file", s(f.regularFile.resolve("sub")), CANNOT_START);
            }
            case INPUT_FILE -> {
                value(out, name, "/", "/", CANNOT_START);
                value(out, name, "a directory", s(f.directory), CANNOT_START);
                value(out, name, "missing", s(f.dir.resolve("missing.env")), CANNOT_START);
                value(out, name, "in a missing directory", s(f.missingDirectory.resolve("app.env")), CANNOT_START);
                value(out, name, "malformed", s(f.malformedEnvFile), CANNOT_START);
            }
            case OUTPUT_FILE, SOCKET_FILE -> {
                createdFile(out, name, "");
                if (kind == Kind.OUTPUT_FILE) {
                    value(out, name, "names a running hupwatch", s(f.pidfileOfRunningHupwatch), CANNOT_START);
                } else {
                    value(out, name, "a file, not a socket", s(f.regularFile), CANNOT_START);
                    value(out, name, "another program's socket", s(f.otherProgramSocket), CANNOT_START);
                }
            }
            case CONTROL -> {
                value(out, name, "missing", s(f.dir.resolve("nobody.sock")), USAGE);
                value(out, name, "a file, not a socket", s(f.regularFile), USAGE);
                value(out, name, "/", "/", USAGE);
                value(out, name, "a directory", s(f.directory), USAGE);
                value(out, name, "another program's socket", s(f.otherProgramSocket), USAGE);
                value(out, name, "closes without an answer", s(f.closingSocket), CANNOT_START);
                out.add(new BadValue("never answers", List.of(name, s(f.silentSocket), "--timeout", "300ms"),
                        CANNOT_START, false));
            }
            default -> throw new AssertionError("no bad values for " + kind);
        }
        return out;
    }

    /** tcp: and unix: addresses, for --bind and --metrics. */
    private void address(List<BadValue> out, String name, Kind kind) {
        for (String v : List.of("-1", "NaN", "/", "bogus", "tcp:", "tcp:127.0.0.1", "tcp:127.0.0.1:99999",
                "tcp:127.0.0.1:-1", "tcp:127.0.0.1:NaN", "tcp:[::1:80", "unix:", "unix:relative.sock")) {
            value(out, name, v, v, USAGE);
        }
        value(out, name, "unresolvable host", "tcp:nosuchhost.invalid:9000", CANNOT_START);
        value(out, name, "a port in use", "tcp:127.0.0.1:" + f.heldPort, CANNOT_START);
        value(out, name, "not an address of this machine", "tcp:192.0.2.1:9000", CANNOT_START);
        createdFile(out, name, "unix:");
        value(out, name, "a file, not a socket", "unix:" + f.regularFile, CANNOT_START);
        value(out, name, "another program's socket", "unix:" + f.otherProgramSocket, CANNOT_START);
        if (kind == Kind.BIND) {
            out.add(new BadValue("a name given twice", List.of(name, "a=tcp:127.0.0.1:0", name, "a=tcp:127.0.0.1:0"),
                    USAGE, false));
        } else {
            value(out, name, "a name", "m=tcp:127.0.0.1:0", USAGE);
        }
    }

    /** Where hupwatch would create a file: / itself, a directory, a missing or unwritable directory, a file for one. */
    private void createdFile(List<BadValue> out, String name, String prefix) {
        value(out, name, "/", prefix + "/", CANNOT_START);
        value(out, name, "a directory", prefix + f.directory, CANNOT_START);
        value(out, name, "in a missing directory", prefix + f.missingDirectory.resolve("x"), CANNOT_START);
        value(out, name, "under a file", prefix + f.regularFile.resolve("x"), CANNOT_START);
        // Not writable even by root.
        value(out, name, "in an unwritable directory", prefix + "/proc/hupwatch-fuzz", CANNOT_START);
    }

    private static void value(List<BadValue> out, String name, String what, String value, int exit) {
        out.add(new BadValue(what.equals(value) ? "'" + value + "'" : what + " ('" + value + "')",
                List.of(name, value), exit, false));
    }

    private static String s(Path p) {
        return p.toString();
    }
}

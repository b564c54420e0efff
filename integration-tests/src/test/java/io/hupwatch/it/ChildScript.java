package io.hupwatch.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A /bin/sh server stand-in for hupwatch to supervise. Every generation appends event lines to one
 * log file, each with a nanosecond wall-clock timestamp ({@code date +%s%N}):
 * <pre>
 *   start gen=1 pid=4242 wrapper=4200 t=1795239866473637907
 *   term gen=1 pid=4242 wrapper=4200 t=...      (on SIGTERM, unless TERM is ignored)
 *   int gen=1 ...                               (on SIGINT, then exit 0)
 *   usr1 / usr2 / winch / ttin / ttou gen=1 ... (on those signals; the script keeps running)
 *   fail gen=2 ...                              (the marker file exists: exit at once)
 *   exit gen=1 ...                              (just before a scripted exit, or one asked by {@link #tellToExit})
 * </pre>
 */
final class ChildScript {
    /** What the script does on SIGTERM. */
    enum OnTerm {
        /** record {@code term}, then exit 0 */
        EXIT_0,
        /** {@code trap '' TERM}: nothing at all (only SIGKILL stops it) */
        IGNORE,
        /** record {@code term} and keep running (a server that drains forever) */
        RECORD_ONLY
    }

    /** One line of the event log. */
    record Event(String kind, int generation, long pid, long wrapper, long nanos, String raw) {
        private static final Pattern LINE =
                Pattern.compile("^(\\w+) gen=(\\d*) pid=(\\d+) wrapper=(\\d*) t=(\\d+)$");

        static Event parse(String line) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("malformed child event line: " + line);
            }
            return new Event(m.group(1), m.group(2).isEmpty() ? -1 : Integer.parseInt(m.group(2)),
                    Long.parseLong(m.group(3)), m.group(4).isEmpty() ? -1 : Long.parseLong(m.group(4)),
                    Long.parseLong(m.group(5)), line);
        }
    }

    private final Path path;
    private final Path log;
    private final Path marker;

    private ChildScript(Path path, Path log, Path marker) {
        this.path = path;
        this.log = log;
        this.marker = marker;
    }

    static Builder in(Path dir) {
        return new Builder(dir);
    }

    static final class Builder {
        private final Path dir;
        private String name = "child.sh";
        private OnTerm onTerm = OnTerm.EXIT_0;
        private Integer exitCode;
        private Duration exitAfter = Duration.ZERO;
        private boolean killSelf;
        private int failCode = 3;
        private boolean chatty;

        private Builder(Path dir) {
            this.dir = dir;
        }

        Builder name(String name) {
            this.name = name;
            return this;
        }

        Builder onTerm(OnTerm onTerm) {
            this.onTerm = onTerm;
            return this;
        }

        /** Exit with {@code code} once alive for {@code after} (ZERO: right after recording {@code start}). */
        Builder exitWith(int code, Duration after) {
            this.exitCode = code;
            this.exitAfter = after;
            return this;
        }

        /** {@code kill -KILL $$} once alive for {@code after}. */
        Builder killSelfAfter(Duration after) {
            this.killSelf = true;
            this.exitAfter = after;
            return this;
        }

        /** Print {@code out gen=N args=[a][b]} on stdout and {@code err gen=N} on stderr at start. */
        Builder chatty() {
            this.chatty = true;
            return this;
        }

        /** When the marker file exists at start, record {@code fail} and exit with {@code code} at once. */
        Builder failCode(int code) {
            this.failCode = code;
            return this;
        }

        ChildScript write() {
            Path path = dir.resolve(name);
            Path log = dir.resolve(name + ".events");
            Path marker = dir.resolve(name + ".fail");
            StringBuilder s = new StringBuilder();
            s.append("#!/bin/sh\n");
            s.append("log=").append(quote(log.toString())).append('\n');
            s.append("ev() { echo \"$1 gen=$HUPWATCH_GENERATION pid=$$ wrapper=$HUPWATCH_PID t=$(date +%s%N)\""
                    + " >> \"$log\"; }\n");
            s.append("if [ -e ").append(quote(marker.toString())).append(" ]; then ev fail; exit ")
                    .append(failCode).append("; fi\n");
            switch (onTerm) {
                case EXIT_0 -> s.append("trap 'ev term; exit 0' TERM\n");
                case IGNORE -> s.append("trap '' TERM\n");
                case RECORD_ONLY -> s.append("trap 'ev term' TERM\n");
            }
            s.append("trap 'ev int; exit 0' INT\n");
            s.append("trap 'ev usr1' USR1\n");
            s.append("trap 'ev usr2' USR2\n");
            s.append("trap 'ev winch' WINCH\n");
            s.append("trap 'ev ttin' TTIN\n");
            s.append("trap 'ev ttou' TTOU\n");
            if (chatty) {
                // One line on each of stdout and stderr, straight from the child, naming its arguments.
                s.append("printf 'out gen=%s args=' \"$HUPWATCH_GENERATION\"; for a in \"$@\"; do printf '[%s]' \"$a\"; done; echo\n");
                s.append("echo \"err gen=$HUPWATCH_GENERATION\" >&2\n");
            }
            s.append("ev start\n");
            if (exitCode != null || killSelf) {
                long nanos = exitAfter.toNanos();
                if (nanos > 0) {
                    s.append("end=$(( $(date +%s%N) + ").append(nanos).append(" ))\n");
                    s.append("while [ \"$(date +%s%N)\" -lt \"$end\" ]; do sleep 0.05; done\n");
                }
                s.append("ev exit\n");
                s.append(killSelf ? "kill -KILL $$\n" : "exit " + exitCode + "\n");
            }
            // The test can tell generation N to exit with code C by writing C to NAME.exit-N.
            s.append("exitfile=").append(quote(dir.resolve(name + ".exit-").toString()))
                    .append("\"$HUPWATCH_GENERATION\"\n");
            s.append("while :; do sleep 0.05; if [ -e \"$exitfile\" ]; then ev exit; exit \"$(cat \"$exitfile\")\"; fi; done\n");
            try {
                Files.writeString(path, s.toString(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ChildScript(path, log, marker);
        }

        private static String quote(String s) {
            return "'" + s.replace("'", "'\\''") + "'";
        }
    }

    Path path() {
        return path;
    }

    Path log() {
        return log;
    }

    /** Tells a running generation to record {@code exit} and exit with {@code code} (within ~50ms). */
    void tellToExit(int generation, int code) {
        Path file = path.resolveSibling(path.getFileName() + ".exit-" + generation);
        Path tmp = path.resolveSibling(path.getFileName() + ".exit-" + generation + ".tmp");
        try {
            Files.writeString(tmp, code + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From now on, new generations record {@code fail} and exit at once. */
    void failNewGenerations() {
        try {
            Files.writeString(marker, "fail\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void stopFailing() {
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Event> events() {
        return readEvents(log);
    }

    /** The complete event lines in {@code log} so far (a generation may be appending one right now). */
    static List<Event> readEvents(Path log) {
        String text;
        try {
            text = Files.readString(log, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int end = text.lastIndexOf('\n');
        List<Event> events = new ArrayList<>();
        if (end < 0) {
            return events;
        }
        for (String line : text.substring(0, end).split("\n")) {
            if (!line.isBlank()) {
                events.add(Event.parse(line));
            }
        }
        return events;
    }

    List<Event> events(String kind) {
        return events().stream().filter(e -> e.kind().equals(kind)).collect(Collectors.toList());
    }

    List<Event> events(String kind, int generation) {
        return events().stream().filter(e -> e.kind().equals(kind) && e.generation() == generation)
                .collect(Collectors.toList());
    }

    /** The pids of every generation that recorded anything. */
    List<Long> recordedPids() {
        try {
            return events().stream().map(Event::pid).distinct().collect(Collectors.toList());
        } catch (RuntimeException | AssertionError e) {
            return List.of();
        }
    }

    /** The generations that recorded {@code start}, in order. */
    List<Integer> startedGenerations() {
        return events("start").stream().map(Event::generation).collect(Collectors.toList());
    }

    /** The first event of {@code kind} from {@code generation}, waiting up to {@code timeout}. */
    Event await(String kind, int generation, Duration timeout) {
        return await(kind + " gen=" + generation, timeout,
                e -> e.kind().equals(kind) && e.generation() == generation);
    }

    Event await(String what, Duration timeout, Predicate<Event> match) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Event e : events()) {
                if (match.test(e)) {
                    return e;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("child event '" + what + "' not recorded within " + timeout
                        + "; events so far:\n" + String.join("\n",
                                events().stream().map(Event::raw).collect(Collectors.toList())));
            }
            HupwatchProcess.sleep(10);
        }
    }

    String eventsText() {
        return events().stream().map(Event::raw).collect(Collectors.joining("\n"));
    }
}

package io.hupwatch.it;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.HupwatchProcess.ProcAlive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A /bin/sh child with a body the test writes, for the tests that need more than {@link ChildScript}
 * offers (running {@code systemd-notify}, recording its environment, creating files). It records
 * events in {@link ChildScript}'s format ({@code KIND gen=N pid=P wrapper=W t=NANOS}) with the shell
 * function {@code ev KIND}; {@code $dir} is the test directory. Before the body it traps TERM
 * ({@code ev term; exit 0}, unless the body sets its own trap) and records {@code start}; after the
 * body it idles until signalled. {@link #close()} SIGKILLs, by pid, every recorded process still
 * running this script.
 */
final class ShellChild implements AutoCloseable {
    private final Path path;
    private final Path log;

    private ShellChild(Path path, Path log) {
        this.path = path;
        this.log = log;
    }

    /** Writes {@code dir/name} with {@code body} between the prologue and the idle loop. */
    static ShellChild write(Path dir, String name, String body) {
        Path path = dir.resolve(name);
        Path log = dir.resolve(name + ".events");
        String script = "#!/bin/sh\n"
                + "dir=" + quote(dir.toString()) + "\n"
                + "log=" + quote(log.toString()) + "\n"
                + "ev() { echo \"$1 gen=$HUPWATCH_GENERATION pid=$$ wrapper=$HUPWATCH_PID t=$(date +%s%N)\" >> \"$log\"; }\n"
                + "trap 'ev term; exit 0' TERM\n"
                + "ev start\n"
                + body + "\n"
                + "while :; do sleep 0.05; done\n";
        try {
            Files.writeString(path, script, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ShellChild(path, log);
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    Path path() {
        return path;
    }

    List<Event> events() {
        return ChildScript.readEvents(log);
    }

    List<Event> events(String kind, int generation) {
        return events().stream().filter(e -> e.kind().equals(kind) && e.generation() == generation)
                .collect(Collectors.toList());
    }

    List<Integer> startedGenerations() {
        return events().stream().filter(e -> e.kind().equals("start")).map(Event::generation)
                .collect(Collectors.toList());
    }

    Event await(String kind, int generation, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Event> found = events(kind, generation);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("child event '" + kind + " gen=" + generation + "' not recorded within "
                        + timeout + "; events so far:\n" + eventsText());
            }
            HupwatchProcess.sleep(10);
        }
    }

    String eventsText() {
        return events().stream().map(Event::raw).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        List<Long> pids;
        try {
            pids = events().stream().map(Event::pid).distinct().collect(Collectors.toList());
        } catch (RuntimeException | AssertionError e) {
            return;
        }
        for (long pid : pids) {
            if (ProcAlive.isRunning(pid) && ProcAlive.cmdline(pid).contains(path.toString())) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}

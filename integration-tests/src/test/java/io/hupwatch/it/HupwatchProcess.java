package io.hupwatch.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One run of {@code scripts/hupwatch}, as an operator would start it.
 *
 * <p>stdout and stderr are read line by line on background threads into thread-safe lists. Signals
 * are sent by pid with {@code kill -SIG pid}. {@link #close()} SIGKILLs hupwatch and every process
 * it started (its descendants, collected before anything is killed, plus the pids the child scripts
 * recorded), always by pid and never by name.
 */
final class HupwatchProcess implements AutoCloseable {
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;
    /** Event logs of child scripts whose pids {@link #close()} must clean up too. */
    private final List<ChildScript> children = new CopyOnWriteArrayList<>();
    /** When above 0, stdout is read at most this many lines a second: {@link #readStdoutSlowly}. */
    private volatile int stdoutLinesPerSecond;
    /** Every descendant seen while hupwatch ran: direct children are lost from the tree once it exits. */
    private final Set<Long> seenDescendants = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private HupwatchProcess(Process process) {
        this.process = process;
        this.outReader = reader(process.getInputStream(), stdout, () -> stdoutLinesPerSecond,
                "hupwatch-stdout-" + process.pid());
        this.errReader = reader(process.getErrorStream(), stderr, () -> 0, "hupwatch-stderr-" + process.pid());
    }

    /** The checkout hupwatch runs from: the {@code hupwatch.repo} system property set by the pom. */
    static Path repo() {
        String repo = System.getProperty("hupwatch.repo");
        if (repo == null || repo.isBlank()) {
            // Running from an IDE without the surefire configuration: the module directory's parent.
            return Path.of("").toAbsolutePath().getParent().normalize();
        }
        return Path.of(repo).toAbsolutePath().normalize();
    }

    static Path script() {
        return repo().resolve("scripts/hupwatch");
    }

    /**
     * Starts {@code scripts/hupwatch ARGS...} in {@code workDir}. A supervising run gets {@code --probation 0}
     * unless ARGS set {@code --probation}: the swap tests wait for the old generation's exit, which a probation
     * would put off by its length (ProbationTest covers probations, the default one included, through
     * {@link #startAsGiven}).
     */
    static HupwatchProcess start(Path workDir, String... args) {
        List<String> given = new ArrayList<>(List.of(args));
        boolean supervising = given.contains("--") && !given.isEmpty()
                && !List.of("reload", "status", "rollback").contains(given.get(0));
        if (supervising && !given.contains("--probation")) {
            given.addAll(given.get(0).equals("run") ? 1 : 0, List.of("--probation", "0"));
        }
        return startAsGiven(workDir, given.toArray(String[]::new));
    }

    /** Starts {@code scripts/hupwatch ARGS...} in {@code workDir}, exactly as given. */
    static HupwatchProcess startAsGiven(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script().toString());
        command.addAll(List.of(args));
        return startCommand(workDir, command);
    }

    /** Starts {@code scripts/hupwatch OPTIONS -- COMMAND} in {@code workDir}. */
    static HupwatchProcess start(Path workDir, List<String> options, List<String> command) {
        List<String> args = new ArrayList<>(options);
        args.add("--");
        args.addAll(command);
        return start(workDir, args.toArray(String[]::new));
    }

    /**
     * Starts an arbitrary command line that must end up exec-ing {@code scripts/hupwatch}, so that
     * the pid of the started process is hupwatch's (for example a shell that ignores HUP first).
     */
    static HupwatchProcess startCommand(Path workDir, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().remove("HUPWATCH_JAVA_OPTS");
        try {
            return new HupwatchProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private static Thread reader(InputStream in, List<String> sink, IntSupplier linesPerSecond, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.add(line);
                    int pace = linesPerSecond.getAsInt();
                    if (pace > 0 && sink.size() % 100 == 0) {
                        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(100) / pace);
                    }
                }
            } catch (IOException ignored) {
                // the stream was closed under us: nothing more to read
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * From now on, reads hupwatch's stdout at most {@code linesPerSecond} lines a second, as a slow log
     * reader would: what hupwatch copies waits in the pipe, and hupwatch waits to write it.
     */
    HupwatchProcess readStdoutSlowly(int linesPerSecond) {
        stdoutLinesPerSecond = linesPerSecond;
        return this;
    }

    /** Registers a child script whose recorded pids {@link #close()} kills too. */
    HupwatchProcess track(ChildScript child) {
        children.add(child);
        return this;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<String> stdout() {
        return List.copyOf(stdout);
    }

    List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** hupwatch's own stderr lines, for failure messages. */
    String stderrText() {
        return String.join("\n", stderr);
    }

    String describe() {
        return "hupwatch pid " + process.pid() + "\n--- stderr ---\n" + stderrText()
                + "\n--- stdout ---\n" + String.join("\n", stdout);
    }

    /** The first stderr line matching {@code pattern} (found anywhere in the line), waiting up to {@code timeout}. */
    String awaitLine(Pattern pattern, Duration timeout) {
        return awaitLine(pattern, 0, timeout);
    }

    /** Like {@link #awaitLine(Pattern, Duration)}, looking only at stderr lines from index {@code from} on. */
    String awaitLine(Pattern pattern, int from, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> hit = findLine(pattern, from);
            if (hit.isPresent()) {
                return hit.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no stderr line matching /" + pattern + "/ within " + timeout + "\n"
                        + describe());
            }
            if (!process.isAlive()) {
                // hupwatch exited: give the reader a moment to drain the pipe, then look one last time.
                joinQuietly(errReader, 500);
                hit = findLine(pattern, from);
                if (hit.isPresent()) {
                    return hit.get();
                }
                throw new AssertionError("hupwatch exited with " + process.exitValue()
                        + " without printing a line matching /" + pattern + "/\n" + describe());
            }
            snapshotDescendants();
            sleep(10);
        }
    }

    /** The first stdout line matching {@code pattern} (found anywhere in the line), waiting up to {@code timeout}. */
    String awaitStdoutLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : stdout()) {
                if (pattern.matcher(line).find()) {
                    return line;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no stdout line matching /" + pattern + "/ within " + timeout + "\n"
                        + describe());
            }
            sleep(10);
        }
    }

    Optional<String> findLine(Pattern pattern, int from) {
        List<String> lines = stderr();
        for (int i = from; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).find()) {
                return Optional.of(lines.get(i));
            }
        }
        return Optional.empty();
    }

    List<String> linesMatching(Pattern pattern) {
        return stderr().stream().filter(l -> pattern.matcher(l).find()).collect(Collectors.toList());
    }

    /** Sends {@code kill -SIG pid} to hupwatch. */
    void signal(String sig) {
        snapshotDescendants();
        sendSignal(sig, process.pid());
    }

    /** Sends {@code kill -SIG pid} to any process, by pid. */
    static void sendSignal(String sig, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid))
                    .redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new AssertionError("kill -" + sig + " " + pid + " did not finish");
            }
            if (kill.exitValue() != 0) {
                throw new AssertionError("kill -" + sig + " " + pid + " failed: " + out.trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for hupwatch to exit and returns its exit code; fails the test when it is still running. */
    int awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("hupwatch still running after " + timeout + "\n" + describe());
            }
            snapshotDescendants();
            sleep(10);
        }
        // hupwatch is gone; its children hold the same pipes, so readers may still block: bound the wait.
        joinQuietly(errReader, 1000);
        joinQuietly(outReader, 1000);
        return process.exitValue();
    }

    /**
     * Waits until hupwatch's stdout and stderr have ended, that is until every process that holds them
     * (hupwatch, and its generations when they inherit them) has exited: only then are the lists
     * complete. Fails when they are still open after {@code timeout}.
     */
    void awaitOutputEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread reader : List.of(outReader, errReader)) {
            joinQuietly(reader, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (reader.isAlive()) {
                throw new AssertionError(reader.getName() + " has not ended within " + timeout + "\n" + describe());
            }
        }
    }

    /** Remembers hupwatch's current descendants, so that {@link #close()} can still find reparented ones. */
    void snapshotDescendants() {
        try {
            process.descendants().forEach(ph -> seenDescendants.add(ph.pid()));
        } catch (RuntimeException ignored) {
            // the process tree changed under us; the next snapshot will catch up
        }
    }

    /**
     * SIGKILLs hupwatch and every process it started: its descendants (collected before killing
     * anything), the descendants seen earlier, and the pids the child scripts recorded. A pid that
     * is no longer a descendant is only killed while its command line still names the child
     * script, so a reused pid is never hit.
     */
    @Override
    public void close() {
        Set<ProcessHandle> victims = new LinkedHashSet<>();
        try {
            process.descendants().forEach(victims::add);
        } catch (RuntimeException ignored) {
            // best effort
        }
        Set<Long> known = victims.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        List<Long> extra = new ArrayList<>(seenDescendants);
        for (ChildScript child : children) {
            extra.addAll(child.recordedPids());
        }
        for (long pid : extra) {
            if (known.contains(pid) || pid == process.pid()) {
                continue;
            }
            if (ProcAlive.isRunning(pid) && ownedByTest(pid)) {
                ProcessHandle.of(pid).ifPresent(victims::add);
            }
        }
        process.destroyForcibly();
        for (ProcessHandle ph : victims) {
            ph.destroyForcibly();
        }
        try {
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        for (ProcessHandle ph : victims) {
            while (ProcAlive.isRunning(ph.pid()) && System.nanoTime() - deadline < 0) {
                sleep(10);
            }
        }
        joinQuietly(errReader, 500);
        joinQuietly(outReader, 500);
    }

    /** A reparented pid is only ours if its command line names one of this run's child scripts. */
    private boolean ownedByTest(long pid) {
        String cmdline = ProcAlive.cmdline(pid);
        for (ChildScript child : children) {
            if (cmdline.contains(child.path().toString())) {
                return true;
            }
        }
        return false;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void joinQuietly(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; fails with {@code what}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            sleep(10);
        }
    }

    /** The wall-clock instant (epoch millis) of a hupwatch log line, from its ISO-8601 prefix. */
    static long logMillis(String line) {
        Matcher m = Pattern.compile("^(\\S+)\\s").matcher(line);
        if (!m.find()) {
            throw new AssertionError("log line without a timestamp: " + line);
        }
        return java.time.OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli();
    }

    /** Process liveness from /proc, where a zombie (exited, not yet reaped) counts as gone. */
    static final class ProcAlive {
        private ProcAlive() {
        }

        static boolean isRunning(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                int close = stat.lastIndexOf(')');
                char state = stat.charAt(close + 2);
                return state != 'Z' && state != 'X';
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        static String cmdline(long pid) {
            try {
                return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                        StandardCharsets.UTF_8).replace('\0', ' ');
            } catch (IOException e) {
                return "";
            }
        }

        /** Running processes (not zombies) whose command line contains {@code text}, other than this JVM. */
        static List<String> runningWithCmdline(String text) {
            List<String> found = new ArrayList<>();
            long self = ProcessHandle.current().pid();
            try (var dirs = Files.list(Path.of("/proc"))) {
                for (Path dir : (Iterable<Path>) dirs::iterator) {
                    String name = dir.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    long pid = Long.parseLong(name);
                    if (pid == self) {
                        continue;
                    }
                    String cmd = cmdline(pid);
                    if (cmd.contains(text) && isRunning(pid)) {
                        found.add(pid + ": " + cmd.trim());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        }

        static boolean anyRunning(Collection<Long> pids) {
            return pids.stream().anyMatch(ProcAlive::isRunning);
        }
    }
}

package io.hupwatch.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One short-lived {@code scripts/hupwatch} client command ({@code reload}, {@code status}, or any
 * other that exits by itself), run to completion with its output captured in files.
 */
final class HupwatchCli {
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** What the command printed and how it exited. */
    record Result(int exit, String stdout, String stderr, List<String> command) {
        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exit + "\n--- stdout ---\n" + stdout + "--- stderr ---\n"
                    + stderr;
        }
    }

    /** A command under way. */
    static final class Running {
        private final Process process;
        private final Path out;
        private final Path err;
        private final List<String> command;

        private Running(Process process, Path out, Path err, List<String> command) {
            this.process = process;
            this.out = out;
            this.err = err;
            this.command = command;
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Waits for the exit; SIGKILLs the command (by pid) and fails when it takes longer than {@code timeout}. */
        Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", command) + " did not exit within " + timeout
                            + "\n--- stdout ---\n" + read(out) + "--- stderr ---\n" + read(err));
                }
                return new Result(process.exitValue(), read(out), read(err), command);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        void kill() {
            process.destroyForcibly();
        }
    }

    private HupwatchCli() {
    }

    /** Starts {@code scripts/hupwatch ARGS...} in {@code workDir}, with no NOTIFY_SOCKET of the test's. */
    static Running start(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(HupwatchProcess.script().toString());
        command.addAll(List.of(args));
        int n = SEQ.incrementAndGet();
        Path out = workDir.resolve("cli-" + n + ".out");
        Path err = workDir.resolve("cli-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().remove("HUPWATCH_JAVA_OPTS");
        try {
            return new Running(pb.start(), out, err, command);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs {@code scripts/hupwatch ARGS...} to completion (at most 30s). */
    static Result run(Path workDir, String... args) {
        return start(workDir, args).await(Duration.ofSeconds(30));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}

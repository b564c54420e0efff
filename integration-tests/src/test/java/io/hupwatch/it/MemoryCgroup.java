package io.hupwatch.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * A memory cgroup of the test's own, a child of the memory hierarchy's root: cgroup v1 (its memory controller
 * mounted at {@code /sys/fs/cgroup/memory}) or, failing that, cgroup v2 with the memory controller enabled
 * for the root's children. Needs root; the test is skipped otherwise. Closed (removed) once every process
 * in it has exited: register it with {@link Cleanup} before the processes it holds.
 */
final class MemoryCgroup implements AutoCloseable {
    private static final Path V1 = Path.of("/sys/fs/cgroup/memory");
    private static final Path V2 = Path.of("/sys/fs/cgroup");

    private final Path dir;
    private final boolean v1;

    private MemoryCgroup(Path dir, boolean v1) {
        this.dir = dir;
        this.v1 = v1;
    }

    /** A new, unlimited one; skips the test when no memory cgroup can be made here. */
    static MemoryCgroup create(String name) {
        boolean v1 = Files.isWritable(V1.resolve("cgroup.procs"));
        boolean v2 = !v1 && Files.isWritable(V2.resolve("cgroup.procs")) && read(V2.resolve("cgroup.subtree_control"))
                .contains("memory");
        Assumptions.assumeTrue(v1 || v2, "no writable memory cgroup (v1 at " + V1 + ", or v2 with memory in "
                + V2.resolve("cgroup.subtree_control") + "): run as root on a host that has one");
        Path dir = (v1 ? V1 : V2).resolve(name + "-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            Assumptions.abort("cannot create " + dir + ": " + e);
        }
        return new MemoryCgroup(dir, v1);
    }

    Path procs() {
        return dir.resolve("cgroup.procs");
    }

    /** The cgroup's memory limit, in bytes. */
    void limit(long bytes) {
        write(dir.resolve(v1 ? "memory.limit_in_bytes" : "memory.max"), Long.toString(bytes));
    }

    /** Bytes charged to it now, page cache included. */
    long usage() {
        return Long.parseLong(read(dir.resolve(v1 ? "memory.usage_in_bytes" : "memory.current")).trim());
    }

    /** Processes the kernel's OOM killer killed in it ({@code oom_kill} of memory.oom_control or memory.events). */
    long oomKills() {
        for (String line : read(dir.resolve(v1 ? "memory.oom_control" : "memory.events")).split("\n")) {
            if (line.startsWith("oom_kill ")) {
                return Long.parseLong(line.substring(9).trim());
            }
        }
        throw new AssertionError("no oom_kill count in " + dir);
    }

    /** Waits for every process in it to have exited, then removes it. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!read(procs()).isBlank() && System.nanoTime() < deadline) {
            HupwatchProcess.sleep(50);
        }
        try {
            Files.delete(dir); // rmdir: a cgroup directory's files are not files
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the test's cgroup " + dir + " (processes: " + read(procs())
                    + ")", e);
        }
    }

    @Override
    public String toString() {
        return dir + (v1 ? " (cgroup v1)" : " (cgroup v2)");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + text + " to " + file, e);
        }
    }
}

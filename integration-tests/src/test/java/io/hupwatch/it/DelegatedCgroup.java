package io.hupwatch.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cgroup v2 directory of a test's own, made under the machine's cgroup2 mount (as root; here the
 * hybrid layout's {@code /sys/fs/cgroup/unified}): removed after the test, deepest first, once its
 * processes are killed by pid.
 */
final class DelegatedCgroup {
    private DelegatedCgroup() {
    }

    /** Creates it, or skips the test where there is no writable cgroup2 mount. */
    static Path create(Cleanup cleanup) throws IOException {
        Path mount = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
                mount = Path.of(halves[0].split(" ")[4]);
            }
        }
        assumeTrue(mount != null && Files.isWritable(mount.resolve("cgroup.procs")), "a writable cgroup2 mount");
        Path base = Files.createDirectory(mount.resolve("hupwatch-it-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime()));
        cleanup.add(() -> remove(base));
        return base;
    }

    static List<Long> processes(Path cgroup) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
            pids.add(Long.parseLong(line.trim()));
        }
        return pids;
    }

    private static void remove(Path base) throws IOException {
        List<Path> dirs;
        try (Stream<Path> all = Files.walk(base)) {
            dirs = all.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path dir : dirs) {
            for (long pid : processes(dir)) {
                HupwatchProcess.sendSignal("KILL", pid);
            }
        }
        for (Path dir : dirs) {
            for (int i = 0; i < 50 && Files.exists(dir); i++) {
                try {
                    Files.delete(dir);
                } catch (IOException busy) {
                    HupwatchProcess.sleep(20); // a killed process leaves its cgroup when it is reaped
                }
            }
        }
    }
}

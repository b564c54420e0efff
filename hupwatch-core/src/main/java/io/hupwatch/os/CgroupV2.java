package io.hupwatch.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup v2 files hupwatch uses, read and written as plain files: where its own cgroup is
 * ({@code /proc/self/cgroup}, {@code /proc/self/mountinfo}), which processes a cgroup holds
 * ({@code cgroup.procs}, zombies not listed), moving one ({@code cgroup.procs}) and killing them all
 * ({@code cgroup.kill}, Linux 5.14+).
 */
public final class CgroupV2 {
    private static final Path PROC_SELF = Path.of("/proc/self");

    private CgroupV2() {
    }

    /**
     * The directory of this process's cgroup v2 ("0::PATH" in {@code /proc/self/cgroup}) under a
     * cgroup2 mount that shows it.
     *
     * @throws IOException saying why there is none
     */
    public static Path ownDirectory() throws IOException {
        String path = null;
        for (String line : Files.readAllLines(PROC_SELF.resolve("cgroup"))) {
            if (line.startsWith("0::")) {
                path = line.substring(3);
            }
        }
        if (path == null) {
            throw new IOException("no cgroup v2 hierarchy (/proc/self/cgroup has no 0:: line)");
        }
        for (String line : Files.readAllLines(PROC_SELF.resolve("mountinfo"))) {
            Path dir = under(line, path);
            if (dir != null) {
                return dir;
            }
        }
        throw new IOException("no cgroup2 mount shows hupwatch's cgroup " + path);
    }

    /** {@code cgroup} under the mount of mountinfo {@code line}, when that is a cgroup2 mount that shows it. */
    static Path under(String line, String cgroup) {
        String[] halves = line.split(" - ", 2);
        String[] f = halves[0].split(" ");
        if (halves.length < 2 || !halves[1].startsWith("cgroup2 ") || f.length < 5) {
            return null;
        }
        String root = unescape(f[3]);
        String mountPoint = unescape(f[4]);
        if (root.equals("/")) {
            return Path.of(mountPoint + cgroup);
        }
        if (cgroup.equals(root) || cgroup.startsWith(root + "/")) {
            return Path.of(mountPoint + cgroup.substring(root.length()));
        }
        return null;
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** The pids in {@code cgroup} (empty when it is gone). */
    public static List<Long> processes(Path cgroup) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // removed
        }
        return pids;
    }

    /** Moves process {@code pid} (all its threads) into {@code cgroup}. */
    public static void move(Path cgroup, long pid) throws IOException {
        Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(pid), StandardCharsets.US_ASCII);
    }

    /** SIGKILLs every process of {@code cgroup} and its children at once; false when the kernel has no cgroup.kill. */
    public static boolean kill(Path cgroup) throws IOException {
        Path kill = cgroup.resolve("cgroup.kill");
        try {
            Files.writeString(kill, "1", StandardCharsets.US_ASCII);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Whether process {@code pid} is in {@code cgroup} now. */
    public static boolean holds(Path cgroup, long pid) {
        return processes(cgroup).contains(pid);
    }
}

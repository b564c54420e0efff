package io.hupwatch.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The memory limit of the cgroup hupwatch runs in, and how much of it is in use, read anew at each call
 * (hupwatch may have been moved to another cgroup since it started): its cgroup from
 * {@code /proc/self/cgroup}, where that hierarchy is mounted from {@code /proc/self/mountinfo}. A cgroup v1
 * memory controller is used when one is mounted ({@code memory.limit_in_bytes}, {@code memory.usage_in_bytes},
 * and {@code hierarchical_memory_limit} for ancestors hidden above a container's mount), else cgroup v2
 * ({@code memory.max}, {@code memory.current}). The cgroup and each ancestor up to the mount are read, and
 * the one with the least room under its limit is the answer.
 *
 * <p>"In use" is the cgroup's usage ({@code memory.usage_in_bytes}, {@code memory.current}) less the page
 * cache the kernel can drop without a process noticing: file pages neither mapped by a process nor shared
 * memory ({@code memory.stat}: v1 {@code total_cache - total_shmem - total_mapped_file}, v2 {@code file -
 * shmem - file_mapped}). The usage alone counts a log file just written as if the next JVM could not have
 * it; the anonymous pages alone miss the mapped code (libjvm, the class-data archive) and kernel memory.
 */
public final class CgroupMemory {
    /** cgroup v1 writes "no limit" as LONG_MAX rounded down to a page; anything this big is no limit. */
    private static final long UNLIMITED = 1L << 60;

    /** The limit (-1: none) and the part of it in use, in bytes; {@code where}: the cgroup's directory. */
    public record Use(long limit, long used, Path where) {
    }

    private final Path procSelf;

    /** Of hupwatch itself. */
    public CgroupMemory() {
        this(Path.of("/proc/self"));
    }

    /** @param procSelf a directory holding {@code cgroup} and {@code mountinfo} (a fake one in tests) */
    public CgroupMemory(Path procSelf) {
        this.procSelf = procSelf;
    }

    /** The limit and use now, or null when no memory cgroup can be found or read. */
    public Use read() {
        try {
            String cgroups = Files.readString(procSelf.resolve("cgroup"), StandardCharsets.UTF_8);
            String mounts = Files.readString(procSelf.resolve("mountinfo"), StandardCharsets.UTF_8);
            for (boolean v1 : new boolean[] {true, false}) {
                Path dir = directory(cgroups, mounts, v1);
                if (dir != null && Files.isReadable(dir.resolve(v1 ? "memory.usage_in_bytes" : "memory.current"))) {
                    return tightest(dir, mountPoint(mounts, v1), v1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup files (not Linux, no /proc, a kernel without memory cgroups): nothing to check
        }
        return null;
    }

    /**
     * Of {@code dir} and its ancestors up to the mount, the one with the least room under its limit (a limit
     * holds everything below it: with a cgroup per generation, hupwatch's own is a leaf beside theirs); the
     * own one when none has a limit.
     */
    private static Use tightest(Path dir, Path mount, boolean v1) throws IOException {
        Use own = null;
        Use tightest = null;
        for (Path p = dir; p != null && p.startsWith(mount); p = p.getParent()) {
            Use level = level(p, v1);
            if (level == null) {
                continue; // the root of cgroup v2 has no memory files
            }
            own = own == null ? level : own;
            if (level.limit() > 0 && (tightest == null
                    || level.limit() - level.used() < tightest.limit() - tightest.used())) {
                tightest = level;
            }
        }
        return tightest != null ? tightest : own;
    }

    /** One cgroup's limit and use; null when it has no usage file. */
    private static Use level(Path dir, boolean v1) throws IOException {
        Path usageFile = dir.resolve(v1 ? "memory.usage_in_bytes" : "memory.current");
        if (!Files.isReadable(usageFile)) {
            return null;
        }
        Map<String, Long> stat = stat(dir);
        Path limitFile = dir.resolve(v1 ? "memory.limit_in_bytes" : "memory.max");
        long limit = Files.isReadable(limitFile) ? number(limitFile) : Long.MAX_VALUE;
        if (v1) {
            // an ancestor above the mount (a container's) is only seen through this
            limit = Math.min(limit, stat.getOrDefault("hierarchical_memory_limit", Long.MAX_VALUE));
        }
        String prefix = v1 ? "total_" : "";
        long droppable = stat.getOrDefault(prefix + (v1 ? "cache" : "file"), 0L)
                - stat.getOrDefault(prefix + "shmem", 0L) - stat.getOrDefault(prefix + (v1 ? "mapped_file" : "file_mapped"), 0L);
        return new Use(limit >= UNLIMITED ? -1 : limit, number(usageFile) - Math.max(0, droppable), dir);
    }

    /** A file holding one number, or "max" (no limit). */
    private static long number(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        return text.equals("max") ? Long.MAX_VALUE : Long.parseLong(text);
    }

    private static Map<String, Long> stat(Path dir) throws IOException {
        Map<String, Long> values = new HashMap<>();
        Path file = dir.resolve("memory.stat");
        if (!Files.isReadable(file)) {
            return values;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2) {
                values.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return values;
    }

    /**
     * The directory of this process's cgroup: in the v1 hierarchy that has the memory controller, or in
     * the v2 one ({@code 0::PATH}); null when there is none.
     */
    static Path directory(String procSelfCgroup, String mountinfo, boolean v1) {
        String path = null;
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && (v1 ? java.util.List.of(f[1].split(",")).contains("memory")
                    : f[0].equals("0") && f[1].isEmpty())) {
                path = f[2];
            }
        }
        String[] mount = mount(mountinfo, v1);
        if (path == null || mount == null) {
            return null;
        }
        String root = mount[0];
        String inside;
        if (root.equals("/")) {
            inside = path;
        } else if (path.equals(root) || path.startsWith(root + "/")) {
            inside = path.substring(root.length()); // the mount shows only a subtree (a container's)
        } else {
            inside = "/"; // a cgroup namespace: the mount's root is this process's cgroup
        }
        return Path.of(mount[1] + (inside.equals("/") ? "" : inside));
    }

    private static Path mountPoint(String mountinfo, boolean v1) {
        String[] mount = mount(mountinfo, v1);
        return Path.of(mount == null ? "/" : mount[1]);
    }

    /**
     * {root, mount point} of the cgroup v1 memory hierarchy or of cgroup2, from mountinfo lines:
     * "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS".
     */
    private static String[] mount(String mountinfo, boolean v1) {
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            boolean match = v1 ? after[0].equals("cgroup") && after.length > 2
                    && java.util.List.of(after[2].split(",")).contains("memory") : after[0].equals("cgroup2");
            if (match && before.length > 4) {
                return new String[] {unescape(before[3]), unescape(before[4])};
            }
        }
        return null;
    }

    /** mountinfo writes a space, tab, newline and backslash in a path as an octal escape ({@code \040}). */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

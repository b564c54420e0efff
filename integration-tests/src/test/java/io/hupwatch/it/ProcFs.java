package io.hupwatch.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What /proc says about a process: its children (over every thread, as a subreaper or PID 1 sees
 * them), descendants, state, open fds, threads, resident memory and pid in each pid namespace; and
 * which TCP ports are listening. Reads only: it never signals anything.
 */
final class ProcFs {
    private ProcFs() {
    }

    /** The direct children of {@code pid}, from /proc/PID/task/TID/children (every thread's), zombies included. */
    static List<Long> children(long pid) {
        Set<Long> found = new LinkedHashSet<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
            for (Path task : dirs) {
                try {
                    for (String c : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                        if (!c.isEmpty()) {
                            found.add(Long.parseLong(c));
                        }
                    }
                } catch (IOException ignored) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return new ArrayList<>(found);
    }

    /** Every descendant of {@code pid}, depth first. */
    static List<Long> descendants(long pid) {
        List<Long> all = new ArrayList<>();
        for (long child : children(pid)) {
            all.add(child);
            all.addAll(descendants(child));
        }
        return all;
    }

    /** The state letter of /proc/PID/stat (R, S, D, Z, ...), or empty when there is no such process. */
    static Optional<Character> state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return Optional.of(stat.charAt(close + 2));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static boolean isZombie(long pid) {
        return state(pid).filter(s -> s == 'Z').isPresent();
    }

    /** The command name of /proc/PID/stat (the part in parentheses). */
    static String comm(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The number of open fds of {@code pid}. */
    static int fdCount(long pid) {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What each open fd of {@code pid} points at ({@code 7 -> socket:[1234]}), for failure messages. */
    static List<String> fds(long pid) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    out.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    out.add(fd.getFileName() + " -> ?");
                }
            }
        } catch (IOException e) {
            out.add("(cannot list: " + e.getMessage() + ")");
        }
        out.sort((a, b) -> Integer.compare(Integer.parseInt(a.split(" ")[0]), Integer.parseInt(b.split(" ")[0])));
        return out;
    }

    /** A field of /proc/PID/status ("Threads", "VmRSS", "NSpid"), without its name. */
    static String statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1).trim();
                }
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    static int threads(long pid) {
        return Integer.parseInt(statusField(pid, "Threads"));
    }

    /** VmRSS in KiB. */
    static long rssKib(long pid) {
        return Long.parseLong(statusField(pid, "VmRSS").replace("kB", "").trim());
    }

    /** The thread names of {@code pid} (/proc/PID/task/TID/comm), for failure messages. */
    static List<String> threadNames(long pid) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : dirs) {
                try {
                    names.add(Files.readString(task.resolve("comm")).trim());
                } catch (IOException ignored) {
                    // gone
                }
            }
        } catch (IOException e) {
            names.add("(cannot list: " + e.getMessage() + ")");
        }
        names.sort(String::compareTo);
        return names;
    }

    /** The pids of {@code pid} in each pid namespace, outermost first (the NSpid line). */
    static List<Long> nsPids(long pid) {
        List<Long> pids = new ArrayList<>();
        for (String p : statusField(pid, "NSpid").split("\\s+")) {
            if (!p.isEmpty()) {
                pids.add(Long.parseLong(p));
            }
        }
        return pids;
    }

    /** Whether a TCP socket (IPv4 or IPv6) is in state LISTEN on {@code port}, per /proc/net/tcp and tcp6. */
    static boolean tcpListening(int port) {
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] w = line.trim().split("\\s+");
                    if (w.length > 3 && w[1].endsWith(hexPort) && w[3].equals("0A")) {
                        return true;
                    }
                }
            } catch (IOException ignored) {
                // no IPv6
            }
        }
        return false;
    }
}

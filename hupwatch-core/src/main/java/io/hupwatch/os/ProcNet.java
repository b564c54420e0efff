package io.hupwatch.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel's socket tables ({@code /proc/net/tcp}, {@code tcp6}, {@code unix}) and the sockets a
 * process has open ({@code /proc/PID/fd}): read on request only, never on a timer.
 */
public final class ProcNet {
    private static final String[] TCP_TABLES = {"/proc/net/tcp", "/proc/net/tcp6"};
    private static final String TCP_ESTABLISHED = "01";
    private static final String TCP_LISTEN = "0A";
    private static final String UNIX_CONNECTED = "03";

    private ProcNet() {
    }

    /**
     * The accept queue's length (connections waiting for an accept) of each listening TCP socket, by
     * inode: for a socket in the LISTEN state the kernel shows it as {@code rx_queue}. (The backlog's
     * limit is not in these tables; only netlink's sock_diag has it, as it has unix sockets' queues.)
     */
    public static Map<Long, Long> acceptQueues() {
        Map<Long, Long> out = new HashMap<>();
        for (String table : TCP_TABLES) {
            for (String[] f : rows(table)) {
                if (f.length > 9 && f[3].equals(TCP_LISTEN)) {
                    out.put(Long.parseLong(f[9]), Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16));
                }
            }
        }
        return out;
    }

    /** The inode of the socket on hupwatch's own fd {@code fd}, or -1. */
    public static long ownSocketInode(int fd) {
        return inodeOf(Path.of("/proc/self/fd/" + fd));
    }

    /** The inodes of every socket process {@code pid} has open (empty when it is gone or not ours). */
    public static Set<Long> socketInodes(long pid) {
        Set<Long> out = new HashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : dir) {
                long inode = inodeOf(p);
                if (inode >= 0) {
                    out.add(inode);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read: no sockets known
        }
        return out;
    }

    /**
     * How many connected sockets each owner has: {@code owners} maps a socket inode to its owner; counted are
     * TCP sockets ESTABLISHED on one of the local {@code ports} and unix sockets connected on one of the
     * socket {@code paths} (an accepted unix connection carries its listening socket's path).
     */
    public static Map<Integer, Integer> connections(Map<Long, Integer> owners, Set<Integer> ports, Set<String> paths) {
        Map<Integer, Integer> count = new HashMap<>();
        if (owners.isEmpty()) {
            return count;
        }
        if (!ports.isEmpty()) {
            for (String table : TCP_TABLES) {
                for (String[] f : rows(table)) {
                    if (f.length > 9 && f[3].equals(TCP_ESTABLISHED)
                            && ports.contains(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16))) {
                        countIn(count, owners.get(Long.parseLong(f[9])));
                    }
                }
            }
        }
        if (!paths.isEmpty()) {
            for (String[] f : rows("/proc/net/unix")) {
                if (f.length > 7 && f[5].equals(UNIX_CONNECTED) && paths.contains(f[7])) {
                    countIn(count, owners.get(Long.parseLong(f[6])));
                }
            }
        }
        return count;
    }

    private static void countIn(Map<Integer, Integer> count, Integer owner) {
        if (owner != null) {
            count.merge(owner, 1, Integer::sum);
        }
    }

    /** "socket:[123]" behind a /proc fd link, as 123; else -1. */
    private static long inodeOf(Path fdLink) {
        try {
            String target = Files.readSymbolicLink(fdLink).toString();
            return target.startsWith("socket:[") ? Long.parseLong(target.substring(8, target.length() - 1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The rows of a /proc/net table, split on blanks, without its heading. */
    private static List<String[]> rows(String table) {
        try {
            List<String> lines = Files.readAllLines(Path.of(table));
            return lines.subList(Math.min(1, lines.size()), lines.size()).stream()
                    .map(l -> l.trim().split("\\s+")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}

package io.hupwatch.os;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The kernel's socket tables ({@code /proc/net/tcp}, {@code tcp6}, {@code unix}) and the sockets a
 * process has open ({@code /proc/PID/fd}): read on request only, never on a timer.
 */
public final class ProcNet {
    private static final String[] TCP_TABLES = {"/proc/net/tcp", "/proc/net/tcp6"};
    private static final String TCP_ESTABLISHED = "01";
    private static final String TCP_LISTEN = "0A";
    private static final String UNIX_CONNECTED = "03";
    private static final Pattern BLANKS = Pattern.compile("\\s+");
    /** Enough to reach the inode (field 9) of a tcp row; the path (field 7, the rest) of a unix row. */
    private static final int TCP_FIELDS = 11;
    private static final int UNIX_FIELDS = 8;

    private ProcNet() {
    }

    /**
     * The accept queue's length (connections waiting for an accept) of each listening TCP socket, by
     * inode: asked of netlink's sock_diag (which skips every other socket state), else read from
     * /proc/net/tcp, where a socket in the LISTEN state shows it as {@code rx_queue}.
     */
    public static Map<Long, Long> acceptQueues() {
        Map<Long, Long> fromKernel = InetSockDiag.acceptQueues();
        if (fromKernel != null) {
            return fromKernel;
        }
        Map<Long, Long> out = new HashMap<>();
        for (String table : TCP_TABLES) {
            eachRow(table, TCP_FIELDS, 3, TCP_LISTEN, f -> {
                if (f.length > 9 && f[3].equals(TCP_LISTEN)) {
                    out.put(Long.parseLong(f[9]), Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16));
                }
            });
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
        Set<Long> established = ports.isEmpty() ? Set.of() : InetSockDiag.established(ports);
        if (established != null) {
            established.forEach(inode -> countIn(count, owners.get(inode)));
        } else {
            for (String table : TCP_TABLES) {
                eachRow(table, TCP_FIELDS, 3, TCP_ESTABLISHED, f -> {
                    if (f.length > 9 && f[3].equals(TCP_ESTABLISHED)
                            && ports.contains(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16))) {
                        countIn(count, owners.get(Long.parseLong(f[9])));
                    }
                });
            }
        }
        if (!paths.isEmpty()) {
            eachRow("/proc/net/unix", UNIX_FIELDS, 5, UNIX_CONNECTED, f -> {
                if (f.length > 7 && f[5].equals(UNIX_CONNECTED) && paths.contains(f[7])) {
                    countIn(count, owners.get(Long.parseLong(f[6])));
                }
            });
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

    /**
     * Each row of a /proc/net table but its heading whose field {@code column} is {@code value}, split on
     * blanks into at most {@code fields}, one at a time: a busy host's table has tens of thousands of rows
     * (TIME_WAIT ones mostly), which must not all be in hupwatch's small heap at once, and are skipped
     * without being split.
     */
    private static void eachRow(String table, int fields, int column, String value, Consumer<String[]> row) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(Path.of(table)),
                StandardCharsets.UTF_8))) {
            r.readLine();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (fieldIs(line, column, value)) {
                    row.accept(BLANKS.split(line.trim(), fields));
                }
            }
        } catch (IOException e) {
            // no such table (no IPv6, say): nothing in it
        }
    }

    /** Whether blank-separated field {@code column} (from 0) of {@code line} is {@code value}. */
    static boolean fieldIs(String line, int column, String value) {
        int at = 0;
        int n = line.length();
        for (int field = 0; ; field++) {
            while (at < n && line.charAt(at) == ' ') {
                at++;
            }
            int end = at;
            while (end < n && line.charAt(end) != ' ') {
                end++;
            }
            if (at == end) {
                return false;
            }
            if (field == column) {
                return end - at == value.length() && line.startsWith(value, at);
            }
            at = end;
        }
    }
}

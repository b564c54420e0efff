package io.hupwatch.os;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * TCP sockets in a given state, from the kernel's {@code sock_diag} ({@code inet_diag}): the kernel skips
 * every other state itself, so a busy host's tens of thousands of TIME_WAIT sockets cost nothing, where
 * {@code /proc/net/tcp} lists them all for hupwatch to read through.
 */
public final class InetSockDiag {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_ESTABLISHED = 1;
    private static final int TCP_LISTEN = 10;

    private InetSockDiag() {
    }

    /** One socket of a dump: its local port, inode and receive queue (a listening socket's: its accept queue). */
    private interface Row {
        void accept(int port, long inode, long receiveQueue);
    }

    /**
     * The inodes of the ESTABLISHED TCP sockets (IPv4 and IPv6) whose local port is one of {@code ports};
     * null when the kernel cannot say (no sock_diag), so that the caller reads /proc instead.
     */
    public static Set<Long> established(Set<Integer> ports) {
        Set<Long> inodes = new HashSet<>();
        return dump(TCP_ESTABLISHED, (port, inode, queue) -> {
            if (ports.contains(port)) {
                inodes.add(inode);
            }
        }) ? inodes : null;
    }

    /** The accept queue of each listening TCP socket, by inode; null when the kernel cannot say. */
    public static Map<Long, Long> acceptQueues() {
        Map<Long, Long> queues = new HashMap<>();
        return dump(TCP_LISTEN, (port, inode, queue) -> queues.put(inode, queue)) ? queues : null;
    }

    private static boolean dump(int state, Row row) {
        for (int family : new int[] {AF_INET, AF_INET6}) {
            boolean asked = SockDiag.ask(56, (short) (SockDiag.NLM_F_REQUEST | SockDiag.NLM_F_DUMP), (p, at) -> {
                p.putByte(at, (byte) family);
                p.putByte(at + 1, (byte) IPPROTO_TCP);
                p.putInt(at + 4, 1 << state); // the rest of inet_diag_sockid stays 0: every socket
            }, (resp, payload) -> {
                // inet_diag_msg: family, state, timer, retrans, then the id (source port, big-endian, at 4),
                // expires at 52, the receive queue at 56, the inode at 68
                int at = payload[0];
                if (payload[1] >= 72) {
                    int port = ((resp.getByte(at + 4) & 0xff) << 8) | (resp.getByte(at + 5) & 0xff);
                    row.accept(port, resp.getInt(at + 68) & 0xffffffffL, resp.getInt(at + 56) & 0xffffffffL);
                }
                return true;
            });
            if (!asked) {
                return false;
            }
        }
        return true;
    }
}

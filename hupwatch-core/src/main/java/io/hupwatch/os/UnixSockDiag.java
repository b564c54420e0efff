package io.hupwatch.os;

/**
 * The kernel's {@code sock_diag} netlink answers about one unix socket, by inode: the file it is bound to
 * ({@code UNIX_DIAG_VFS}) and its queues ({@code UNIX_DIAG_RQLEN}: for a listening socket, the connections
 * waiting for an accept and the backlog's limit), which {@code /proc/net/unix} does not show.
 */
public final class UnixSockDiag {
    static final int SHOW_VFS = 2;
    static final int SHOW_RQLEN = 0x10;
    static final int VFS = 1;
    static final int RQLEN = 4;

    private static final int AF_UNIX = 1;

    private UnixSockDiag() {
    }

    /**
     * How many connections wait in the accept queue of the listening unix socket on {@code fd}, or -1 when
     * the kernel cannot say (not a unix socket, no sock_diag).
     */
    public static long acceptQueue(int fd) {
        String identity = SocketIdentity.of(fd);
        if (identity == null) {
            return -1;
        }
        return acceptQueueOf(Long.parseLong(identity.substring(identity.indexOf(':') + 1)));
    }

    /** {@link #acceptQueue(int)} of the unix socket with inode {@code socketInode}. */
    static long acceptQueueOf(long socketInode) {
        long[] queues = attribute(socketInode, SHOW_RQLEN, RQLEN);
        return queues == null ? -1 : queues[0];
    }

    /**
     * The two 32-bit values of attribute {@code type} (asked for with {@code show}) of the unix socket with
     * inode {@code socketInode}, or null.
     */
    static long[] attribute(long socketInode, int show, int type) {
        long[][] found = new long[1][];
        boolean asked = SockDiag.ask(24, SockDiag.NLM_F_REQUEST, (p, at) -> {
            p.putByte(at, (byte) AF_UNIX);
            p.putInt(at + 4, -1); // every state
            p.putInt(at + 8, (int) socketInode);
            p.putInt(at + 12, show);
            p.putInt(at + 16, -1); // no cookie
            p.putInt(at + 20, -1);
        }, (resp, payload) -> {
            // unix_diag_msg (16), then attributes aligned to 4
            int end = payload[0] + payload[1];
            for (int at = payload[0] + 16; at + 4 <= end; ) {
                int attrLength = resp.getShort(at) & 0xffff;
                int attrType = resp.getShort(at + 2) & 0xffff;
                if (attrLength < 4) {
                    break;
                }
                if (attrType == type && attrLength >= 12) {
                    found[0] = new long[] {resp.getInt(at + 4) & 0xffffffffL, resp.getInt(at + 8) & 0xffffffffL};
                    break;
                }
                at += (attrLength + 3) & ~3;
            }
            return false;
        });
        return asked ? found[0] : null;
    }
}

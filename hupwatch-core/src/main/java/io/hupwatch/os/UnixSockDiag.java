package io.hupwatch.os;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

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

    private static final int AF_NETLINK = 16;
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final short SOCK_DIAG_BY_FAMILY = 20;
    private static final short NLM_F_REQUEST = 1;
    private static final short NLMSG_ERROR = 2;

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
        LibC libc = Native.libc();
        int nl = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (nl < 0) {
            return null;
        }
        try {
            jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(libc);
            Pointer req = Memory.allocateDirect(rt, 40, true);
            req.putInt(0, 40);
            req.putShort(4, SOCK_DIAG_BY_FAMILY);
            req.putShort(6, NLM_F_REQUEST);
            req.putInt(8, 1);
            req.putByte(16, (byte) AF_UNIX);
            req.putInt(20, -1); // every state
            req.putInt(24, (int) socketInode);
            req.putInt(28, show);
            req.putInt(32, -1); // no cookie
            req.putInt(36, -1);
            Pointer kernel = Memory.allocateDirect(rt, 12, true);
            kernel.putShort(0, (short) AF_NETLINK);
            if (libc.sendto(nl, req, 40, 0, kernel, 12) != 40) {
                return null;
            }
            Pointer resp = Memory.allocateDirect(rt, 8192, true);
            long n = libc.recv(nl, resp, 8192, 0);
            if (n < 32 || resp.getShort(4) == NLMSG_ERROR) {
                return null;
            }
            int length = Math.min((int) n, resp.getInt(0));
            // nlmsghdr (16) + unix_diag_msg (16), then attributes aligned to 4
            for (int at = 32; at + 4 <= length; ) {
                int attrLength = resp.getShort(at) & 0xffff;
                int attrType = resp.getShort(at + 2) & 0xffff;
                if (attrLength < 4) {
                    break;
                }
                if (attrType == type && attrLength >= 12) {
                    return new long[] {resp.getInt(at + 4) & 0xffffffffL, resp.getInt(at + 8) & 0xffffffffL};
                }
                at += (attrLength + 3) & ~3;
            }
            return null;
        } finally {
            libc.close(nl);
        }
    }
}

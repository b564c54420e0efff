package io.hupwatch.os;

import java.util.function.BiPredicate;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * One request to the kernel's {@code sock_diag} netlink family, and its answer: one message, or (a dump)
 * many, each handed to the caller. The kernel filters what it dumps (by socket state, for one), so a host's
 * tens of thousands of TIME_WAIT sockets cost nothing here, where {@code /proc/net/tcp} lists them all.
 */
final class SockDiag {
    static final short NLM_F_REQUEST = 1;
    static final short NLM_F_DUMP = 0x300;
    private static final int AF_NETLINK = 16;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final short SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLMSG_DONE = 3;
    private static final int NLMSG_ERROR = 2;
    private static final int HEADER = 16;
    private static final int BUFFER = 32 * 1024;

    private SockDiag() {
    }

    /** A request of {@code body} bytes after the netlink header, filled in by {@code fill} (offsets from 0). */
    interface Body {
        void fill(Pointer p, int at);
    }

    /**
     * Sends one request and hands each answer's payload (pointer, offset of the payload, its length) to
     * {@code each} until it returns false or the answer ends.
     *
     * @return false when the kernel could not be asked (no sock_diag) or answered with an error
     */
    static boolean ask(int bodyLength, short flags, Body body, BiPredicate<Pointer, int[]> each) {
        LibC libc = Native.libc();
        int nl = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (nl < 0) {
            return false;
        }
        try {
            jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(libc);
            int length = HEADER + bodyLength;
            Pointer req = Memory.allocateDirect(rt, length, true);
            req.putInt(0, length);
            req.putShort(4, SOCK_DIAG_BY_FAMILY);
            req.putShort(6, flags);
            req.putInt(8, 1);
            body.fill(req, HEADER);
            Pointer kernel = Memory.allocateDirect(rt, 12, true);
            kernel.putShort(0, (short) AF_NETLINK);
            if (libc.sendto(nl, req, length, 0, kernel, 12) != length) {
                return false;
            }
            Pointer resp = Memory.allocateDirect(rt, BUFFER, true);
            while (true) {
                long n = libc.recv(nl, resp, BUFFER, 0);
                if (n < HEADER) {
                    return false;
                }
                for (int at = 0; at + HEADER <= n; ) {
                    int msgLength = resp.getInt(at);
                    int type = resp.getShort(at + 4) & 0xffff;
                    if (type == NLMSG_ERROR || msgLength < HEADER) {
                        return false;
                    }
                    if (type == NLMSG_DONE || !each.test(resp, new int[] {at + HEADER, msgLength - HEADER})) {
                        return true;
                    }
                    at += (msgLength + 3) & ~3;
                }
                if ((flags & NLM_F_DUMP) == 0) {
                    return true;
                }
            }
        } finally {
            libc.close(nl);
        }
    }
}

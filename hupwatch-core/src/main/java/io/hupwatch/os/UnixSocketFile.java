package io.hupwatch.os;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Whether a path is the file of a given unix socket: the kernel's own answer ({@code sock_diag}, the
 * {@code UNIX_DIAG_VFS} record of the socket with that inode: the device and inode of the file it is
 * bound to), compared with what {@code stat} says of the path. A path that merely names the same
 * string (a file put there since, a socket of another process) does not match.
 */
public final class UnixSocketFile {
    private static final int AF_NETLINK = 16;
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final short SOCK_DIAG_BY_FAMILY = 20;
    private static final short NLM_F_REQUEST = 1;
    private static final short NLMSG_ERROR = 2;
    private static final int UDIAG_SHOW_VFS = 2;
    private static final int UNIX_DIAG_VFS = 1;

    private UnixSocketFile() {
    }

    /**
     * @return true when {@code path} is the file socket {@code fd} is bound to; false when it is not, or
     *         when the kernel cannot say (no sock_diag): then hupwatch must not treat the path as the socket's
     */
    public static boolean isFileOf(int fd, Path path) {
        String identity = SocketIdentity.of(fd);
        if (identity == null) {
            return false;
        }
        long socketInode = Long.parseLong(identity.substring(identity.indexOf(':') + 1));
        long[] vfs = vfsOf(socketInode);
        if (vfs == null) {
            return false;
        }
        try {
            long ino = ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            long dev = ((Number) Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            return ino == vfs[0] && sameDevice(dev, vfs[1]);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** stat's dev_t (glibc's encoding) against the kernel's internal one (major << 20 | minor), which sock_diag gives. */
    private static boolean sameDevice(long statDev, long kernelDev) {
        long major = ((statDev >>> 8) & 0xfff) | ((statDev >>> 32) & ~0xfffL);
        long minor = (statDev & 0xff) | ((statDev >>> 12) & ~0xffL);
        return major == kernelDev >>> 20 && minor == (kernelDev & 0xfffff);
    }

    /** {vfs inode, vfs device} of the unix socket with inode {@code socketInode}, or null. */
    static long[] vfsOf(long socketInode) {
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
            req.putInt(28, UDIAG_SHOW_VFS);
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
                int type = resp.getShort(at + 2) & 0xffff;
                if (attrLength < 4) {
                    break;
                }
                if (type == UNIX_DIAG_VFS && attrLength >= 12) {
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

package io.hupwatch.os;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Whether a path is the file of a given unix socket: the kernel's own answer ({@code sock_diag}, the
 * {@code UNIX_DIAG_VFS} record of the socket with that inode: the device and inode of the file it is
 * bound to), compared with what {@code stat} says of the path. A path that merely names the same
 * string (a file put there since, a socket of another process) does not match.
 */
public final class UnixSocketFile {
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
        return UnixSockDiag.attribute(socketInode, UnixSockDiag.SHOW_VFS, UnixSockDiag.VFS);
    }
}

package io.hupwatch.internal;

import java.io.File;
import jnr.constants.platform.Fcntl;

/** Where glibc has no closefrom for posix_spawn (before 2.34): mark hupwatch's own fds close-on-exec instead. */
final class FdHygiene {
    private static final int FD_CLOEXEC = 1;

    private FdHygiene() {
    }

    static void markAllCloseOnExec(int from) {
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            return;
        }
        for (String name : fds) {
            int fd = Integer.parseInt(name);
            if (fd >= from) {
                Posix.get().fcntlInt(fd, Fcntl.F_SETFD, FD_CLOEXEC);
            }
        }
    }
}

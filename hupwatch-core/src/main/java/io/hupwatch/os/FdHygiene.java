package io.hupwatch.os;

import java.io.File;
import java.io.IOException;

/** Where glibc has no closefrom for posix_spawn (before 2.34): mark hupwatch's own fds close-on-exec instead. */
public final class FdHygiene {
    private FdHygiene() {
    }

    public static void markAllCloseOnExec(int from) {
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            return;
        }
        for (String name : fds) {
            int fd = Integer.parseInt(name);
            if (fd >= from) {
                try {
                    Native.closeOnExec(fd);
                } catch (IOException closedMeanwhile) {
                    // the listing includes its own directory fd, gone by now
                }
            }
        }
    }
}

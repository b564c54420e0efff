package io.hupwatch.agent;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fds a pause pointed ({@code dup2}) at the drain's stand-in socket, each with a copy ({@code dup}) of the
 * held socket it named. Pointing them back is done only to an fd that still names the stand-in: one the server
 * closed meanwhile may have been given to something else (a database connection, a log file), and a
 * {@code dup2} over it would replace that file with the listening socket.
 */
final class PausedFds {
    /** The calls a resume makes on an fd; the real ones, or a test's. */
    interface Calls {
        /** The socket inode {@code fd} names now, or -1 (not a socket, not open). */
        long socketInode(int fd);

        /** Points {@code fd} (naming the stand-in, inode {@code standInode}) at {@code copy}, epoll registrations moved. */
        void pointBack(int copy, int fd, long standInode) throws IOException;

        void close(int fd);
    }

    /** /proc for the inode, the JDK's natives for the rest. */
    static final Calls REAL = new Calls() {
        @Override
        public long socketInode(int fd) {
            return ProcFs.socketInode(fd);
        }

        @Override
        public void pointBack(int copy, int fd, long standInode) throws IOException {
            List<ProcFs.EpollWatch> watches = ProcFs.epollWatches();
            ProcFs.dup2KeepingEpoll(copy, fd, ProcFs.watchesOf(watches, fd, standInode));
        }

        @Override
        public void close(int fd) {
            JdkNatives.close(fd);
        }
    };

    private final Calls calls;
    /** fd -> a copy of the held socket it named before the pause. */
    private final Map<Integer, Integer> saved = new LinkedHashMap<>();

    PausedFds(Calls calls) {
        this.calls = calls;
    }

    void add(int fd, int copy) {
        saved.put(fd, copy);
    }

    boolean isEmpty() {
        return saved.isEmpty();
    }

    int size() {
        return saved.size();
    }

    /** The copies of the held sockets. */
    Collection<Integer> copies() {
        return saved.values();
    }

    /** Whether {@code fd} still names the stand-in socket (inode {@code standInode}; -1: there is none). */
    boolean namesStandIn(int fd, long standInode) {
        return standInode >= 0 && calls.socketInode(fd) == standInode;
    }

    /**
     * Points every fd that still names the stand-in back at its held socket, leaves the others alone, and closes
     * the copies.
     *
     * @return how many were pointed back
     */
    int pointBack(long standInode) {
        int fds = 0;
        for (Map.Entry<Integer, Integer> e : saved.entrySet()) {
            if (!namesStandIn(e.getKey(), standInode)) {
                AgentLog.info("fd " + e.getKey() + " no longer names the stand-in socket: left alone");
            } else {
                try {
                    calls.pointBack(e.getValue(), e.getKey(), standInode);
                    fds++;
                } catch (IOException | RuntimeException x) {
                    AgentLog.info("cannot resume accepting on fd " + e.getKey() + " (" + x + ")");
                }
            }
            calls.close(e.getValue());
        }
        saved.clear();
        return fds;
    }
}

package io.hupwatch.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this process's own {@code /proc} entries say about its sockets: which kernel socket each fd
 * is, which epoll sets watch it, which threads wait to accept on it, and which connections it owns.
 * Every reader returns what it could read; an entry that vanished while read is skipped.
 */
final class ProcFs {
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final int EPOLLIN = 0x001;
    private static final boolean AARCH64 = System.getProperty("os.arch", "").equals("aarch64");
    private static final int SYS_ACCEPT = AARCH64 ? 202 : 43;
    private static final int SYS_ACCEPT4 = AARCH64 ? 242 : 288;
    private static final int SYS_POLL = AARCH64 ? -1 : 7;
    private static final int SYS_PPOLL = AARCH64 ? 73 : 271;

    /** One registration in an epoll set: epoll fd, the watched fd number, its events, the watched file's inode. */
    record EpollWatch(int epfd, int fd, int events, long inode) {
    }

    private ProcFs() {
    }

    /** The inode of the socket open on {@code fd}, or -1 when it is not a socket (or not open). */
    static long socketInode(int fd) {
        try {
            String target = Files.readSymbolicLink(FDS.resolve(Integer.toString(fd))).toString();
            if (target.startsWith("socket:[")) {
                return Long.parseLong(target, 8, target.length() - 1, 10);
            }
        } catch (IOException | RuntimeException e) {
            // not open, or not a socket
        }
        return -1;
    }

    /**
     * Whether {@code fd} is still the file hupwatch named: its {@code DEV:INO} ({@code identity}, from
     * hupwatch), else at least the socket inode seen at start-up ({@code inode}).
     */
    static boolean isFile(int fd, String identity, long inode) {
        if (inode < 0 || socketInode(fd) != inode) {
            return false;
        }
        if (identity == null) {
            return true;
        }
        try {
            Path link = FDS.resolve(Integer.toString(fd));
            return identity.equals(Files.getAttribute(link, "unix:dev") + ":" + Files.getAttribute(link, "unix:ino"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** fd number -> socket inode, for every socket open in this process. */
    static Map<Integer, Long> socketFds() {
        Map<Integer, Long> sockets = new HashMap<>();
        for (int fd : openFds()) {
            long inode = socketInode(fd);
            if (inode >= 0) {
                sockets.put(fd, inode);
            }
        }
        return sockets;
    }

    /** Every registration in every epoll set of this process. */
    static List<EpollWatch> epollWatches() {
        List<EpollWatch> watches = new ArrayList<>();
        for (int fd : openFds()) {
            try {
                if (!Files.readSymbolicLink(FDS.resolve(Integer.toString(fd))).toString().equals("anon_inode:[eventpoll]")) {
                    continue;
                }
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                    if (line.startsWith("tfd:")) {
                        EpollWatch w = parseWatch(fd, line);
                        if (w != null) {
                            watches.add(w);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // closed while read
            }
        }
        return watches;
    }

    /** {@code tfd:        5 events:       19 data:                5  pos:0 ino:3b3 sdev:8} */
    static EpollWatch parseWatch(int epfd, String line) {
        String[] words = line.trim().split("\\s+");
        int tfd = -1;
        int events = 0;
        long inode = -1;
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (w.equals("tfd:") && i + 1 < words.length) {
                tfd = Integer.parseInt(words[i + 1]);
            } else if (w.equals("events:") && i + 1 < words.length) {
                events = (int) Long.parseLong(words[i + 1], 16);
            } else if (w.startsWith("ino:")) {
                inode = Long.parseLong(w.substring(4), 16);
            }
        }
        return tfd < 0 ? null : new EpollWatch(epfd, tfd, events, inode);
    }

    /** Those of {@code watches} that register {@code fd} (of inode {@code inode}, unless -1). */
    static List<EpollWatch> watchesOf(List<EpollWatch> watches, int fd, long inode) {
        List<EpollWatch> mine = new ArrayList<>();
        for (EpollWatch w : watches) {
            if (w.fd() == fd && (inode < 0 || w.inode() == inode)) {
                mine.add(w);
            }
        }
        return mine;
    }

    /**
     * {@code dup2(from, to)} for an fd that epoll sets watch: epoll interest belongs to the open file,
     * so {@code to}'s registrations ({@code watches}) are taken off before and put back, with the same
     * events, on the file {@code to} now names. Without that, a claimed socket would never be polled
     * (Netty registers before it binds), and a drained one would keep waking the selector.
     */
    static void dup2KeepingEpoll(int from, int to, List<EpollWatch> watches) throws java.io.IOException {
        for (EpollWatch w : watches) {
            JdkNatives.epollCtl(w.epfd(), JdkNatives.EPOLL_CTL_DEL, to, 0);
        }
        JdkNatives.dup2(from, to);
        for (EpollWatch w : watches) {
            JdkNatives.epollCtl(w.epfd(), JdkNatives.EPOLL_CTL_ADD, to, w.events());
        }
    }

    /**
     * The socket inodes that some thread of this process waits to accept on: an epoll set watching it
     * for input, or a thread blocked in accept or poll on it.
     */
    static Set<Long> acceptedOn(Map<Integer, Long> sockets) {
        Set<Long> accepting = new java.util.HashSet<>();
        for (EpollWatch w : epollWatches()) {
            if ((w.events() & EPOLLIN) != 0 && w.inode() >= 0) {
                accepting.add(w.inode());
            }
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                waitingOn(task, sockets, accepting);
            }
        } catch (IOException e) {
            // no task list: epoll only
        }
        return accepting;
    }

    private static void waitingOn(Path task, Map<Integer, Long> sockets, Set<Long> accepting) {
        String[] words;
        try {
            words = Files.readString(task.resolve("syscall")).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (words.length < 3 || !Character.isDigit(words[0].charAt(0))) {
            return; // "running", or a thread that just exited
        }
        int nr = Integer.parseInt(words[0]);
        long arg0 = Long.parseUnsignedLong(words[1].substring(2), 16);
        if (nr == SYS_ACCEPT || nr == SYS_ACCEPT4) {
            Long inode = sockets.get((int) arg0);
            if (inode != null) {
                accepting.add(inode);
            }
        } else if (nr == SYS_POLL || nr == SYS_PPOLL) {
            long nfds = Long.parseUnsignedLong(words[2].substring(2), 16);
            for (int[] pollfd : pollfds(arg0, (int) Math.min(nfds, 64))) {
                Long inode = sockets.get(pollfd[0]);
                if (inode != null && (pollfd[1] & EPOLLIN) != 0) {
                    accepting.add(inode);
                }
            }
        }
    }

    /** The {fd, events} pairs of a {@code struct pollfd} array in this process's memory. */
    private static List<int[]> pollfds(long address, int count) {
        List<int[]> result = new ArrayList<>();
        if (count <= 0 || address == 0) {
            return result;
        }
        try (RandomAccessFile mem = new RandomAccessFile("/proc/self/mem", "r")) {
            byte[] raw = new byte[8 * count];
            mem.seek(address);
            mem.readFully(raw);
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
            for (int i = 0; i < count; i++) {
                int fd = b.getInt();
                short events = b.getShort();
                b.getShort();
                result.add(new int[] {fd, events});
            }
        } catch (IOException | RuntimeException e) {
            // the array was gone by the time it was read: this sample says nothing
        }
        return result;
    }

    /**
     * How many connections this process has accepted on the held sockets and not yet closed: its
     * sockets, other than the held ones, whose local address is a held TCP port or unix path.
     */
    static int ownedConnections(Set<Long> heldInodes, Set<Integer> ports, Set<String> paths) {
        int count = 0;
        for (Map.Entry<Integer, Long> e : socketFds().entrySet()) {
            if (heldInodes.contains(e.getValue())) {
                continue;
            }
            Object local = JdkNatives.localAddress(e.getKey());
            if (local instanceof java.net.InetSocketAddress isa ? ports.contains(isa.getPort())
                    : local != null && paths.contains(local.toString())) {
                count++;
            }
        }
        return count;
    }

    static List<Integer> openFds() {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(FDS)) {
            for (Path p : dir) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException | RuntimeException e) {
            // nothing to list
        }
        return fds;
    }
}

package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resume points back only the fds that still name the stand-in socket (issue 25): one closed during the pause
 * and its number given to another file is left alone.
 */
class PausedFdsTest {
    private static final long STAND_IN = 4242;

    @TempDir
    Path dir;

    /** Calls that record what a resume did, over a table of what each fd names now. */
    private static final class Recorded implements PausedFds.Calls {
        final Map<Integer, Long> names = new HashMap<>();
        final List<String> pointedBack = new ArrayList<>();
        final List<Integer> closed = new ArrayList<>();

        @Override
        public long socketInode(int fd) {
            return names.getOrDefault(fd, -1L);
        }

        @Override
        public void pointBack(int copy, int fd, long standInode) {
            pointedBack.add(copy + "->" + fd);
        }

        @Override
        public void close(int fd) {
            closed.add(fd);
        }
    }

    @Test
    void aNumberReusedDuringThePauseIsLeftAlone() {
        Recorded calls = new Recorded();
        PausedFds paused = new PausedFds(calls);
        paused.add(10, 20);
        paused.add(11, 21);
        paused.add(12, 22);
        calls.names.put(10, STAND_IN); // still the stand-in
        calls.names.put(11, 7777L); // closed by the server, its number now another socket (a database connection)
        // 12: closed, and its number now a log file (no socket inode)
        assertEquals(1, paused.pointBack(STAND_IN));
        assertEquals(List.of("20->10"), calls.pointedBack, "only fd 10 still named the stand-in");
        assertEquals(List.of(20, 21, 22), calls.closed, "every copy is closed");
        assertTrue(paused.isEmpty());
    }

    @Test
    void withoutAStandInNothingIsPointedBack() {
        Recorded calls = new Recorded();
        PausedFds paused = new PausedFds(calls);
        paused.add(10, 20);
        calls.names.put(10, -1L);
        assertEquals(0, paused.pointBack(-1));
        assertEquals(List.of(), calls.pointedBack);
        assertEquals(List.of(20), calls.closed);
    }

    /** The real identity check, on this JVM's own fds: a socket, then its number closed (and perhaps reused). */
    @Test
    void theRealCheckTellsTheStandInFromAnotherFileOnItsNumber() throws Exception {
        PausedFds real = new PausedFds(PausedFds.REAL);
        Path log = Files.createFile(dir.resolve("app.log"));
        int fd;
        long inode;
        try (ServerSocketChannel standIn = ServerSocketChannel.open()) {
            standIn.bind(new InetSocketAddress("127.0.0.1", 0));
            fd = ProcFsTest.fdOf(standIn);
            inode = ProcFs.socketInode(fd);
            assertTrue(real.namesStandIn(fd, inode), "fd " + fd + " is the stand-in");
            assertFalse(real.namesStandIn(fd, inode + 1), "another socket's inode");
        }
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.WRITE)) {
            int fileFd = fdOfFile(log);
            assertFalse(real.namesStandIn(fileFd, inode), "a log file is not the stand-in");
            // the lowest free number: most often the stand-in's own, now the log file
            assertFalse(real.namesStandIn(fd, inode), "fd " + fd + " was closed" + (fileFd == fd ? " and reused" : ""));
        }
    }

    private static int fdOfFile(Path file) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(p).equals(file.toRealPath())) {
                        return Integer.parseInt(p.getFileName().toString());
                    }
                } catch (IOException e) {
                    // the directory's own fd, closed by now
                }
            }
        }
        throw new IOException("no fd open on " + file);
    }
}

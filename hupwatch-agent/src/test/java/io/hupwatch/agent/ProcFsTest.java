package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real-OS: what this JVM's own /proc says about a listening socket it selects on. */
class ProcFsTest {

    @Test
    void parsesAnEpollLine() {
        ProcFs.EpollWatch w = ProcFs.parseWatch(7, "tfd:       12 events: 80000019 data:                c  pos:0 ino:3b3f sdev:9");
        assertEquals(7, w.epfd());
        assertEquals(12, w.fd());
        assertEquals(0x80000019, w.events());
        assertEquals(0x3b3f, w.inode());
    }

    @Test
    void aSelectorWatchingASocketForAcceptsCountsAsAccepting() throws Exception {
        try (ServerSocketChannel ch = ServerSocketChannel.open(); Selector selector = Selector.open()) {
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            ch.configureBlocking(false);
            int fd = fdOf(ch);
            long inode = ProcFs.socketInode(fd);
            assertTrue(inode > 0, "the channel's fd is a socket");
            assertTrue(!ProcFs.acceptedOn(ProcFs.socketFds()).contains(inode), "nobody accepts yet");
            ch.register(selector, SelectionKey.OP_ACCEPT);
            selector.selectNow(); // the registration reaches epoll at the next select
            assertTrue(ProcFs.acceptedOn(ProcFs.socketFds()).contains(inode), "the selector's epoll set watches it");
        }
    }

    @Test
    void aThreadBlockedInAcceptCountsAsAccepting() throws Exception {
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            long inode = ProcFs.socketInode(fdOf(ch));
            Thread t = new Thread(() -> {
                try {
                    ch.accept();
                } catch (Exception e) {
                    // closed at the end of the test
                }
            });
            t.setDaemon(true);
            t.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!ProcFs.acceptedOn(ProcFs.socketFds()).contains(inode) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(ProcFs.acceptedOn(ProcFs.socketFds()).contains(inode), "a thread waits in accept or poll on it");
        }
    }

    /** The fd behind a channel, found through /proc (no native access in a unit test): the socket whose local port is the channel's. */
    static int fdOf(ServerSocketChannel ch) throws Exception {
        int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        String hexPort = String.format(":%04X ", port);
        List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/net/tcp")));
        lines.addAll(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/net/tcp6")));
        for (String line : lines) {
            if (line.contains(hexPort) && line.trim().split("\\s+")[3].equals("0A")) {
                long inode = Long.parseLong(line.trim().split("\\s+")[9]);
                for (var e : ProcFs.socketFds().entrySet()) {
                    if (e.getValue() == inode) {
                        return e.getKey();
                    }
                }
            }
        }
        throw new AssertionError("no fd for port " + port);
    }
}

package io.hupwatch.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against this JVM's own unix socket: the kernel's sock_diag answer. */
class UnixSockDiagTest {

    @Test
    void theAcceptQueueOfAListeningUnixSocketIsItsConnectionsNotYetAccepted(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("q.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path), 50);
            long inode = listeningInode(path);
            assertEquals(0, UnixSockDiag.acceptQueueOf(inode));
            try (SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    SocketChannel b = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertEquals(2, UnixSockDiag.acceptQueueOf(inode));
                try (SocketChannel accepted = server.accept()) {
                    assertEquals(1, UnixSockDiag.acceptQueueOf(inode));
                }
            }
        }
        assertEquals(-1, UnixSockDiag.acceptQueueOf(Long.MAX_VALUE >>> 33), "no such socket");
    }

    /** The inode of the listening unix socket bound to {@code path}, from /proc/net/unix (state 01: listening). */
    private static long listeningInode(Path path) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[f.length - 1].equals(path.toString()) && f[5].equals("01")) {
                return Long.parseLong(f[6]);
            }
        }
        throw new AssertionError("no listening socket on " + path + " in /proc/net/unix");
    }
}

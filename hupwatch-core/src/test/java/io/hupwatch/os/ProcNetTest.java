package io.hupwatch.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against this JVM's own sockets: what the kernel's tables say. */
class ProcNetTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void theAcceptQueueOfAListeningSocketIsItsConnectionsNotYetAccepted() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            long inode = listeningInode(port);
            assertEquals(0, ProcNet.acceptQueues().get(inode));
            try (SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    SocketChannel b = SocketChannel.open(server.getLocalAddress())) {
                assertEquals(2, ProcNet.acceptQueues().get(inode));
                try (SocketChannel accepted = server.accept()) {
                    assertEquals(1, ProcNet.acceptQueues().get(inode));
                    Map<Long, Integer> owners = new HashMap<>();
                    ProcNet.socketInodes(SELF).forEach(i -> owners.put(i, 7));
                    // the accepted one is on the port; the clients' own ends are not (their local port differs)
                    assertEquals(Map.of(7, 1), ProcNet.connections(owners, Set.of(port), Set.of()));
                }
            }
        }
    }

    @Test
    void unixConnectionsAreCountedByTheirListeningSocketsPath(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    SocketChannel accepted = server.accept()) {
                Map<Long, Integer> owners = new HashMap<>();
                ProcNet.socketInodes(SELF).forEach(i -> owners.put(i, 2));
                assertEquals(Map.of(2, 1), ProcNet.connections(owners, Set.of(), Set.of(path.toString())));
                assertTrue(Files.exists(path));
            }
        }
    }

    /** The inode of this JVM's socket listening on {@code port} (a JDK socket is IPv6, dual-stack, by default). */
    private static long listeningInode(int port) throws Exception {
        Set<Long> mine = ProcNet.socketInodes(SELF);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && Integer.parseInt(f[1].split(":")[1], 16) == port
                        && mine.contains(Long.parseLong(f[9]))) {
                    return Long.parseLong(f[9]);
                }
            }
        }
        throw new AssertionError("no LISTEN entry for port " + port);
    }

    @Test
    void aRowIsPickedByOneFieldWithoutSplittingIt() {
        String row = "   12: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 4242";
        assertTrue(ProcNet.fieldIs(row, 3, "0A"));
        assertTrue(ProcNet.fieldIs(row, 0, "12:"));
        assertTrue(!ProcNet.fieldIs(row, 3, "01"));
        assertTrue(!ProcNet.fieldIs(row, 3, "0"));
        assertTrue(!ProcNet.fieldIs(row, 40, "0A"), "past the last field");
    }

    @Test
    void theKernelsSockDiagAgreesWithProcNetTcp() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            long inode = listeningInode(port);
            try (SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    SocketChannel b = SocketChannel.open(server.getLocalAddress());
                    SocketChannel accepted = server.accept()) {
                assertEquals(1, InetSockDiag.acceptQueues().get(inode));
                Set<Long> ours = new java.util.HashSet<>(ProcNet.socketInodes(SELF));
                Set<Long> established = new java.util.HashSet<>(InetSockDiag.established(Set.of(port)));
                assertEquals(Set.of(0L, inodeOf(established, ours)), established,
                        "the accepted one, and the queued one (no file yet: inode 0)");
                assertTrue(inodeOf(established, ours) > 0, "the accepted one is this JVM's");
            }
        }
    }

    private static long inodeOf(Set<Long> established, Set<Long> ours) {
        return established.stream().filter(ours::contains).findFirst().orElse(-1L);
    }
}

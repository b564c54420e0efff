package io.hupwatch.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * What the bad values of {@link BadValueCorpus} point at: files, directories and sockets of other
 * programs in one directory, a port another program holds, and a running program that looks like a
 * hupwatch. Everything is released by {@link #close}.
 */
final class FuzzFixtures implements AutoCloseable {
    final Path dir;
    /** COMMAND for every case of an option: records that it ran, and exits at once (never blocks a test). */
    final Path marker;
    /** Where {@link #marker} records that it ran. */
    final Path ran;
    final Path regularFile;
    final Path directory;
    final Path missingDirectory;
    final Path malformedEnvFile;
    /** A pidfile naming {@link #lookalike}. */
    final Path pidfileOfRunningHupwatch;
    /** Answers what a web server would, then closes. */
    final Path otherProgramSocket;
    /** Accepts, and closes at once, without reading the request. */
    final Path closingSocket;
    /** Accepts, and never answers. */
    final Path silentSocket;
    final int heldPort;

    private final ServerSocket portHolder;
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<SocketChannel> heldConnections = new ArrayList<>();
    final Process lookalike;

    FuzzFixtures(Path dir) throws IOException {
        this.dir = dir;
        ran = dir.resolve("marker-ran");
        marker = dir.resolve("marker.sh");
        Files.writeString(marker, "#!/bin/sh\ntouch '" + ran + "'\nexit 0\n");
        Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rwxr-xr-x"));
        regularFile = Files.writeString(dir.resolve("file.txt"), "not a directory, a socket or a program\n");
        directory = Files.createDirectory(dir.resolve("subdir"));
        missingDirectory = dir.resolve("missing");
        malformedEnvFile = Files.writeString(dir.resolve("bad.env"), "this line is not KEY=VALUE\n");
        portHolder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        heldPort = portHolder.getLocalPort();
        otherProgramSocket = serve("other.sock", "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        closingSocket = serve("closing.sock", "");
        silentSocket = serve("silent.sock", null);
        // A process whose command line names hupwatch, as a live hupwatch's does: a shell reading its
        // standard input (a pipe of this JVM's) with a builtin, so no process of its own is left.
        lookalike = new ProcessBuilder("/bin/sh", "-c", "read line", "hupwatch-lookalike").start();
        pidfileOfRunningHupwatch = Files.writeString(dir.resolve("running.pid"), lookalike.pid() + "\n");
    }

    /** A unix socket that answers {@code answer} to each client after reading its request (null: never answers). */
    private Path serve(String name, String answer) throws IOException {
        Path path = dir.resolve(name);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        servers.add(server);
        Thread t = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    if (answer == null) {
                        synchronized (heldConnections) {
                            heldConnections.add(c);
                        }
                        continue;
                    }
                    try (c) {
                        if (!answer.isEmpty()) {
                            c.read(ByteBuffer.allocate(256));
                            c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                        }
                    }
                } catch (IOException e) {
                    // closed at the end of the test, or a client that left first
                }
            }
        }, "fuzz-" + name);
        t.setDaemon(true);
        t.start();
        return path;
    }

    @Override
    public void close() throws IOException {
        lookalike.destroyForcibly();
        portHolder.close();
        for (ServerSocketChannel s : servers) {
            s.close();
        }
        synchronized (heldConnections) {
            for (SocketChannel c : heldConnections) {
                c.close();
            }
        }
    }
}

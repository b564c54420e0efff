package io.hupwatch.testservers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal HTTP/1.1 server on a unix domain socket (JDK 17), a thread per connection, one request per
 * connection. Usage: {@code PATH}. Like most servers it removes a stale socket file before binding.
 */
public final class UnixJdkServer {
    private UnixJdkServer() {}

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[0]);
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        byte[] body = ("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] response = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);

        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        System.err.println("unix-jdk generation " + generation + " pid " + pid + " listening on unix:" + path);
        while (true) {
            SocketChannel connection = server.accept();
            new Thread(() -> serve(connection, response), "unix-connection").start();
        }
    }

    private static void serve(SocketChannel connection, byte[] response) {
        try (connection) {
            readRequestHead(connection);
            ByteBuffer out = ByteBuffer.wrap(response);
            while (out.hasRemaining()) {
                connection.write(out);
            }
        } catch (IOException e) {
            // the client went away; nothing to do
        }
    }

    /** Reads up to the blank line that ends the request head (a GET has no body). */
    private static void readRequestHead(SocketChannel connection) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (!endsHead(head.toByteArray())) {
            buffer.clear();
            int n = connection.read(buffer);
            if (n < 0) {
                return;
            }
            head.write(buffer.array(), 0, n);
        }
    }

    private static boolean endsHead(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        return text.contains("\r\n\r\n");
    }
}

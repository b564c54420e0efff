package io.hupwatch.testservers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP/1.0 server on the listening socket it inherits as fd 0 ({@code System.inheritedChannel()},
 * hupwatch's {@code --pass stdin}), with {@code java.base} alone: it runs on the slimmest runtime.
 * Each answer names the generation and pid. SIGTERM ends the JVM the default way.
 */
public final class InheritedChannelServer {
    private InheritedChannelServer() {}

    public static void main(String[] args) throws Exception {
        if (!(System.inheritedChannel() instanceof ServerSocketChannel server)) {
            System.err.println("inherited-channel: fd 0 is not a listening socket (run it with --pass stdin)");
            System.exit(2);
            return;
        }
        server.configureBlocking(true);
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        byte[] body = ("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        System.err.println("inherited-channel generation " + generation + " pid " + pid + " serving fd 0");
        ExecutorService workers = Executors.newFixedThreadPool(4);
        while (true) {
            SocketChannel client = server.accept();
            workers.execute(() -> answer(client, head, body));
        }
    }

    private static void answer(SocketChannel client, byte[] head, byte[] body) {
        try (client) {
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (client.read(in) > 0 && !endOfHeaders(in)) {
                // read the request head
            }
            client.write(ByteBuffer.wrap(head));
            client.write(ByteBuffer.wrap(body));
        } catch (IOException e) {
            // the client went away
        }
    }

    private static boolean endOfHeaders(ByteBuffer in) {
        String s = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
        return s.contains("\r\n\r\n");
    }
}

package io.hupwatch.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One plain HTTP/1.0 GET over TCP or a unix socket, returning the body. */
final class Http {
    private Http() {
    }

    static String get(int port) throws IOException {
        return get(new InetSocketAddress("127.0.0.1", port), StandardProtocolFamily.INET);
    }

    /** GET {@code path} (e.g. {@code /slow?ms=3000}) on a new connection: the body. */
    static String get(int port, String path) throws IOException {
        return get(new InetSocketAddress("127.0.0.1", port), StandardProtocolFamily.INET, path);
    }

    /** GET / on {@code address}, IPv4 or IPv6. */
    static String get(InetSocketAddress address) throws IOException {
        return get(address, address.getAddress() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
    }

    static String get(Path unixSocket) throws IOException {
        return get(UnixDomainSocketAddress.of(unixSocket), StandardProtocolFamily.UNIX);
    }

    private static String get(SocketAddress address, StandardProtocolFamily family) throws IOException {
        return get(address, family, "/");
    }

    private static String get(SocketAddress address, StandardProtocolFamily family, String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(family)) {
            ch.connect(address);
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (ch.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    break;
                }
            }
            String response = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.") || body < 0) {
                throw new IOException("not an HTTP response: " + response);
            }
            return response.substring(body + 4);
        }
    }
}

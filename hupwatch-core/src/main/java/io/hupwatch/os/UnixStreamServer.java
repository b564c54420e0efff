package io.hupwatch.os;

import java.io.IOException;
import java.nio.file.Path;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/** A listening unix stream socket bound to a path, through jnr-unixsocket (blocking accept). */
public final class UnixStreamServer implements AutoCloseable {
    private static final int SHUT_RDWR = 2;

    private final UnixServerSocketChannel channel;

    private UnixStreamServer(UnixServerSocketChannel channel) {
        this.channel = channel;
    }

    /** A socket bound to {@code path} and listening; closed again when the bind fails. */
    public static UnixStreamServer bind(Path path, int backlog) throws IOException {
        UnixServerSocketChannel channel = UnixServerSocketChannel.open();
        try {
            channel.socket().bind(new UnixSocketAddress(path.toFile()), backlog);
        } catch (IOException e) {
            closeQuietly(channel);
            throw e;
        }
        return new UnixStreamServer(channel);
    }

    public int fd() {
        return channel.getFD();
    }

    /** Blocks for the next connection; null when the channel returned none. */
    public UnixStreamConnection accept() throws IOException {
        UnixSocketChannel connection = channel.accept();
        return connection == null ? null : new UnixStreamConnection(connection);
    }

    /** {@code shutdown(SHUT_RDWR)}: wakes a thread blocked in {@link #accept()}. */
    public void shutdown() {
        Native.libc().shutdown(fd(), SHUT_RDWR);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing; the bind error is what the caller needs
        }
    }
}

package io.hupwatch.sockets;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears the path where hupwatch is about to bind a unix socket (a {@code --bind} socket, the
 * control socket). A socket file nobody answers on is left over from a crash and is removed; a live
 * listener, or anything that is not a socket, is never touched.
 */
public final class StaleSocketFile {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private StaleSocketFile() {
    }

    /**
     * @param whoListens how a live listener there is described ("a live server is listening there")
     * @throws IOException whose message says what is in the way and what to do
     */
    public static void clear(Path path, String whoListens) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new IOException(path + " exists and is not a socket; remove it or choose another path");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            live = true;
        } catch (IOException refused) {
            live = false;
        }
        if (live) {
            throw new IOException(whoListens + "; stop it or choose another path");
        }
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new IOException("cannot remove the stale socket file " + path + ": " + e.getMessage(), e);
        }
        log.info("removed stale socket file {} (nobody was listening on it)", path);
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

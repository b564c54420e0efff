package io.hupwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.BindAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hupwatch asks the kernel what an offered socket is, never the sender. */
class OfferCheckTest {
    @TempDir
    Path dir;

    @Test
    void aTcpSocketMustBeBoundToTheOfferedAddress() throws Exception {
        try (ListeningSocket s = SocketBinder.bind(BindAddress.parse("tcp:127.0.0.1:0", 0))) {
            int port = s.address().port();
            assertNull(OfferCheck.wrong(s.fd(), BindAddress.parse("tcp:127.0.0.1:" + port, 0)));
            String wrong = OfferCheck.wrong(s.fd(), BindAddress.parse("tcp:127.0.0.1:" + (port == 1 ? 2 : port - 1), 0));
            assertTrue(wrong != null && wrong.contains("bound to"), wrong);
            assertTrue(OfferCheck.wrong(s.fd(), BindAddress.parse("tcp:0.0.0.0:" + port, 0)) != null,
                    "a wildcard offer of a socket bound to one address");
        }
    }

    @Test
    void theIpv6FormOfAnIpv4AddressIsTheSameAddress() throws Exception {
        try (ListeningSocket s = SocketBinder.bind(BindAddress.parse("tcp:[::]:0", 0))) {
            int port = s.address().port();
            assertNull(OfferCheck.wrong(s.fd(), BindAddress.parse("tcp:0.0.0.0:" + port, 0)),
                    "the JDK binds 0.0.0.0 on a dual-stack socket as ::");
        }
    }

    @Test
    void aUnixPathMustBeThatSocketsOwnFile() throws Exception {
        Path path = dir.resolve("app.sock");
        try (ListeningSocket s = SocketBinder.bind(BindAddress.parse("unix:" + path, 0))) {
            assertNull(OfferCheck.wrong(s.fd(), BindAddress.parse("unix:" + path, 0)));
            Files.delete(path);
            Files.writeString(path, "not the socket");
            String wrong = OfferCheck.wrong(s.fd(), BindAddress.parse("unix:" + path, 0));
            assertTrue(wrong != null && wrong.contains("not that socket's"), wrong);
        }
    }

    @Test
    void somethingThatIsNotAListeningSocketIsRefused() throws Exception {
        try (var in = new java.io.FileInputStream("/dev/null")) {
            int fd = (int) io.hupwatch.os.Native.libc().syscall(32, 0, 0, 0); // dup(0)
            try {
                assertTrue(OfferCheck.wrong(fd, BindAddress.parse("tcp:0.0.0.0:9", 0)).contains("not a listening"));
            } finally {
                io.hupwatch.os.Native.libc().close(fd);
            }
        }
    }
}

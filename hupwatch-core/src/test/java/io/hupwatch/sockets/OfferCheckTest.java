package io.hupwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void theIdentityGivenToTheAgentIsTheOpenFilesDeviceAndInode() throws Exception {
        try (ListeningSocket s = SocketBinder.bind(BindAddress.parse("tcp:127.0.0.1:0", 0))) {
            Path fd = Path.of("/proc/self/fd/" + s.fd());
            assertEquals(Files.getAttribute(fd, "unix:dev") + ":" + Files.getAttribute(fd, "unix:ino"),
                    io.hupwatch.os.SocketIdentity.of(s.fd()), "what the agent compares with, through its own /proc");
            String settings = io.hupwatch.spawn.JvmAgent.of(io.hupwatch.supervisor.JvmAgentMode.OFF, "TERM", 5000, 4096)
                    .readyTimeout(60_000).settings(2, dir.resolve("link.sock"), java.util.List.of("3:8:99@tcp:0.0.0.0:80"), true);
            assertTrue(settings.contains(";ready=60000;") && settings.endsWith(";held=3:8:99@tcp:0.0.0.0:80"), settings);
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

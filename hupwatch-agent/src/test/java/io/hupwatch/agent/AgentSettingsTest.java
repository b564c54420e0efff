package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {

    @Test
    void readsEveryField() {
        AgentSettings s = AgentSettings.parse("v=1;generation=3;link=/run/h/generation-3.sock;stop=INT;backlog=512;"
                + "grace=1500;held=3@tcp:0.0.0.0:8080;held=4@tcp:[::1]:9090;held=5@unix:/run/app.sock");
        assertEquals(3, s.generation());
        assertEquals(Path.of("/run/h/generation-3.sock"), s.link());
        assertEquals("INT", s.stopSignal());
        assertEquals(512, s.backlog());
        assertEquals(1500, s.graceMillis());
        assertEquals(3, s.held().size());
        assertEquals(InetSocketAddress.createUnresolved("0.0.0.0", 8080), s.held().get(0).tcp(),
                "never resolved from the text: the agent asks the socket itself");
        assertEquals(3, s.held().get(0).fd());
        assertEquals(InetSocketAddress.createUnresolved("::1", 9090), s.held().get(1).tcp());
        assertEquals("tcp:[::1]:9090", s.held().get(1).display());
        assertEquals(Path.of("/run/app.sock"), s.held().get(2).unix());
        assertNull(s.held().get(2).tcp());
    }

    @Test
    void aHeldSocketCarriesTheIdentityOfItsFileAndTheReadyTimeoutIsRead() {
        AgentSettings s = AgentSettings.parse("v=1;ready=60000;held=3:8:41231@tcp:0.0.0.0:8080;held=4@unix:/run/a.sock");
        assertEquals(60000, s.readyMillis());
        assertEquals(3, s.held().get(0).fd());
        assertEquals("8:41231", s.held().get(0).identity(), "a claim checks DEV:INO, not the fd number alone");
        assertEquals("tcp:0.0.0.0:8080", s.held().get(0).display());
        assertNull(s.held().get(1).identity());
        assertEquals(0, AgentSettings.parse("v=1").readyMillis(), "not told: no deadline");
    }

    @Test
    void aClosedOrReusedFdNumberIsNotTheHeldSocket() throws Exception {
        try (var ch = java.nio.channels.ServerSocketChannel.open()) {
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            int fd = -1;
            long inode = -1;
            for (var e : ProcFs.socketFds().entrySet()) {
                if (e.getKey() > fd) {
                    fd = e.getKey();
                    inode = e.getValue();
                }
            }
            Path link = Path.of("/proc/self/fd/" + fd);
            String identity = java.nio.file.Files.getAttribute(link, "unix:dev") + ":"
                    + java.nio.file.Files.getAttribute(link, "unix:ino");
            assertTrue(ProcFs.isFile(fd, identity, inode));
            assertTrue(!ProcFs.isFile(fd, "1:" + inode, inode), "another device");
            assertTrue(!ProcFs.isFile(fd, identity, inode + 1), "another socket");
            assertTrue(!ProcFs.isFile(99999, identity, inode), "not open");
        }
    }

    @Test
    void percentEncodingKeepsSemicolonsInPaths() {
        String path = "/run/odd;name%.sock";
        AgentSettings s = AgentSettings.parse("v=1;held=" + AgentSettings.encode("3@unix:" + path));
        assertEquals(Path.of(path), s.held().get(0).unix());
    }

    @Test
    void defaultsAndUnknownFields() {
        AgentSettings s = AgentSettings.parse("v=1;generation=1;future=thing");
        assertEquals("TERM", s.stopSignal());
        assertEquals(4096, s.backlog());
        assertNull(s.link());
        assertTrue(s.held().isEmpty());
    }

    @Test
    void anotherVersionIsRefusedWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentSettings.parse("v=2"));
        assertTrue(e.getMessage().contains("use the agent jar that came with this hupwatch"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AgentSettings.parse("v=1;held=3@udp:1.2.3.4:5"));
        assertThrows(IllegalArgumentException.class, () -> AgentSettings.parse("v=1;nonsense"));
    }
}

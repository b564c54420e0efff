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

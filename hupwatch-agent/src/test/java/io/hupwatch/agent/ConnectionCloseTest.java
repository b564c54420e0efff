package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The keep-alive switch: what the hooked servers are told, and Tomcat's knob turned and given back. */
class ConnectionCloseTest {

    /** Stands for Tomcat's AbstractEndpoint: the two public methods the switch uses. */
    public static final class Endpoint {
        private int maxKeepAliveRequests = 100;

        public int getMaxKeepAliveRequests() {
            return maxKeepAliveRequests;
        }

        public void setMaxKeepAliveRequests(int n) {
            maxKeepAliveRequests = n;
        }
    }

    @Test
    void answersCloseOnlyWhileOnAndNeverForAnUpgrade() {
        assertFalse(ConnectionClose.answer(200));
        ConnectionClose.set(true);
        try {
            assertTrue(ConnectionClose.answer(200));
            assertTrue(ConnectionClose.answer(503));
            assertFalse(ConnectionClose.answer(101), "a WebSocket upgrade keeps its connection");
        } finally {
            ConnectionClose.set(false);
        }
        assertFalse(ConnectionClose.answer(200));
    }

    @Test
    void tomcatEndsKeepAliveWhileOnAndGetsItsOwnValueBack() {
        Endpoint endpoint = new Endpoint();
        ServerHooks.tomcatEndpoint(endpoint);
        ConnectionClose.set(true);
        try {
            assertEquals(1, endpoint.getMaxKeepAliveRequests());
            ConnectionClose.set(true);
            assertEquals(1, endpoint.getMaxKeepAliveRequests(), "on twice");
        } finally {
            ConnectionClose.set(false);
        }
        assertEquals(100, endpoint.getMaxKeepAliveRequests(), "its own value, not the 1 of the second on");
    }
}

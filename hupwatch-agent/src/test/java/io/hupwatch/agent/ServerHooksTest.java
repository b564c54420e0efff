package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerHooksTest {
    @AfterEach
    void reset() {
        ConnectionClose.set(false);
        System.clearProperty("hupwatch.draining");
        Http2GoAway.resumed();
    }

    @Test
    void aDrainBegunDuringAPauseIsNotUndoneWhenThePauseEnds() {
        Runnable resume = ServerHooks.pausing();
        ServerHooks.draining(); // the stop signal, while RESUME is being handled
        resume.run();
        assertTrue(ConnectionClose.answer(200), "Connection: close stays on");
        assertEquals("true", System.getProperty("hupwatch.draining"));
    }
}

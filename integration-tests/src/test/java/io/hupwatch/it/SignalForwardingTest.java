package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.ChildScript.OnTerm;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Signals hupwatch does not act on itself go to the serving generation, and to no draining one. */
class SignalForwardingTest extends CliTestSupport {

    @ParameterizedTest
    @ValueSource(strings = {"USR1", "USR2", "WINCH", "TTIN", "TTOU"})
    void forwardedSignalsReachTheServingGenerationOnly(String sig) {
        // Generations record TERM and keep running, so generation 1 is still draining when the signal comes.
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.RECORD_ONLY).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "30s")) {
            Event s1 = awaitReady(hw, child, 1);
            Event s2 = swap(hw, child);
            assertRunning(s1.pid(), "generation 1 (draining)");

            String kind = sig.toLowerCase(Locale.ROOT);
            hw.signal(sig);
            child.await(kind, 2, WAIT);
            hw.awaitLine(Pattern.compile("forwarding SIG" + sig + " to generation 2 \\(pid " + s2.pid() + "\\)"), WAIT);
            // Generation 1 would record it within a sleep period (50ms) of getting it.
            HupwatchProcess.sleep(300);
            assertTrue(child.events(kind, 1).isEmpty(), "the draining generation must not get SIG" + sig + ":\n"
                    + child.eventsText());
            assertEquals(1, child.events(kind, 2).size(), child.eventsText());
            assertTrue(hw.isAlive(), "hupwatch must not act on SIG" + sig + " itself");
        }
    }
}

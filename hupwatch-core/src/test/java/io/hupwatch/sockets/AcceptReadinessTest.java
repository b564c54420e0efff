package io.hupwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The readiness rule of {@code --ready auto}, from the agent's per-socket reports. */
class AcceptReadinessTest {
    private static final String MAIN = "tcp:0.0.0.0:8080";
    private static final String MANAGEMENT = "tcp:0.0.0.0:8081";

    private final List<String> said = new ArrayList<>();
    private final Map<Integer, Set<String>> served = new HashMap<>();
    private final Set<String> adopted = new HashSet<>(Set.of(MAIN, MANAGEMENT));

    /** Adoption: CLAIMED and ADOPT lines record what each generation serves, as {@link Adoptions} does. */
    private final AgentMessages adoptions = (generation, pid, line) -> {
        if (line.startsWith("CLAIMED ") || line.startsWith("ADOPT ")) {
            String[] words = line.split(" ");
            served.computeIfAbsent(generation, g -> new HashSet<>()).add(words[words.length - 1]);
            return true;
        }
        return false;
    };

    private AcceptReadiness adopting() {
        return new AcceptReadiness(adoptions, () -> adopted, g -> served.getOrDefault(g, Set.of()), adopted::contains,
                (g, line) -> said.add(g + " " + line));
    }

    @Test
    void aLatePortOfTheServingGenerationHoldsTheNewOneBack() {
        AcceptReadiness r = adopting();
        r.handle(1, 10, "ADOPT 7 " + MAIN);
        r.accept(1, "ACCEPTING " + MAIN);
        assertEquals(List.of("1 ACCEPTING=1"), said, "generation 1 accepts on all it opened so far");
        r.handle(1, 10, "ADOPT 9 " + MANAGEMENT); // the management port opens after the main one accepts
        r.serving(1);
        r.handle(2, 20, "CLAIMED " + MAIN);
        r.accept(2, "ACCEPTING " + MAIN);
        assertEquals(List.of("1 ACCEPTING=1"), said, "generation 2 does not serve the management port yet");
        assertEquals(Set.of(MANAGEMENT), r.missing(2));
        r.handle(2, 20, "CLAIMED " + MANAGEMENT);
        assertEquals(List.of("1 ACCEPTING=1"), said, "claimed is not accepting");
        r.accept(2, "ACCEPTING " + MANAGEMENT);
        assertEquals(List.of("1 ACCEPTING=1", "2 ACCEPTING=1"), said);
        r.accept(2, "ACCEPTING " + MANAGEMENT);
        assertEquals(2, said.size(), "said once");
    }

    @Test
    void atTheTimeoutAnAdoptedPortNeverBoundIsDropped() {
        AcceptReadiness r = adopting();
        r.handle(1, 10, "ADOPT 7 " + MAIN);
        r.handle(1, 10, "ADOPT 9 " + MANAGEMENT);
        r.serving(1);
        assertNull(r.dropped(2), "accepting on nothing is not ready, nothing is dropped");
        r.accept(2, "ACCEPTING " + MAIN);
        assertEquals(MANAGEMENT, r.dropped(2));
        adopted.remove(MANAGEMENT); // a port hupwatch was told to hold (--bind) is never dropped
        assertNull(r.dropped(2));
    }

    @Test
    void withBindEveryHeldSocketIsRequiredAndNoneDropped() {
        AcceptReadiness r = new AcceptReadiness(AgentMessages.NONE, () -> Set.of(MAIN, MANAGEMENT), null, a -> false,
                (g, line) -> said.add(g + " " + line));
        r.accept(1, "ACCEPTING tcp:0.0.0.0:8080");
        assertTrue(said.isEmpty());
        assertNull(r.dropped(1));
        r.accept(1, "STATUS=warming up");
        assertEquals(List.of("1 STATUS=warming up"), said, "other lines pass through");
        r.accept(1, "ACCEPTING " + MANAGEMENT);
        assertEquals(List.of("1 STATUS=warming up", "1 ACCEPTING=1"), said);
    }

    @Test
    void anAddressIsComparedAsHupwatchWritesIt() {
        AcceptReadiness r = adopting();
        r.handle(1, 10, "ADOPT 7 tcp:[0:0:0:0:0:0:0:0]:8080");
        r.accept(1, "ACCEPTING  tcp:[0:0:0:0:0:0:0:0]:8080");
        assertEquals(List.of("1 ACCEPTING=1"), said);
    }
}

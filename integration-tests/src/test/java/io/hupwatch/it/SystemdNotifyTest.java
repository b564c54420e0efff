package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.NotifyReceiver.Datagram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * hupwatch under systemd: with its own NOTIFY_SOCKET (owned by the test, received by a python
 * script) it reports READY=1, RELOADING=1 with MONOTONIC_USEC, READY=1 after every reload, and
 * STOPPING=1; no generation ever sees that socket.
 */
class SystemdNotifyTest extends CliTestSupport {

    /** {@code env NOTIFY_SOCKET=ADDRESS scripts/hupwatch OPTIONS... -- CHILD}: env execs, so the pid is hupwatch's. */
    private HupwatchProcess startUnderSystemd(String notifySocket, ShellChild child, String... options) {
        List<String> command = new ArrayList<>(List.of("env", "NOTIFY_SOCKET=" + notifySocket,
                HupwatchProcess.script().toString()));
        command.addAll(List.of(options));
        command.add("--");
        command.add(child.path().toString());
        return HupwatchProcess.startCommand(dir, command);
    }

    /**
     * A child that records the NOTIFY_SOCKET it sees in {@code ns.GENERATION}; exits 3 when
     * {@code $dir/fail} exists; with {@code notify}, sends READY=1 to its own NOTIFY_SOCKET.
     */
    private ShellChild child(boolean notify) {
        return ShellChild.write(dir, "child.sh", """
                echo "${NOTIFY_SOCKET-unset}" > "$dir/ns.$HUPWATCH_GENERATION"
                if [ -e "$dir/fail" ]; then ev fail; exit 3; fi
                """ + (notify ? "systemd-notify --no-block --ready\nev notified\n"
                        + "systemd-notify --no-block --status=\"generation $HUPWATCH_GENERATION says hello\"\n" : ""));
    }

    private String seen(int generation) throws IOException {
        Path f = dir.resolve("ns." + generation);
        HupwatchProcess.await("ns." + generation, WAIT, () -> Files.exists(f));
        return Files.readString(f).trim();
    }

    private static long monotonicUsec(Datagram d) {
        String v = d.value("MONOTONIC_USEC");
        assertTrue(v != null && v.matches("\\d+"), "MONOTONIC_USEC=<number>: " + d);
        return Long.parseLong(v);
    }

    /** RELOADING=1 with MONOTONIC_USEC in one datagram, the clock being CLOCK_MONOTONIC as systemd requires. */
    private static void assertReloading(Datagram d) {
        assertTrue(d.has("RELOADING=1"), d.toString());
        long usec = monotonicUsec(d);
        long skew = d.arrivalMonotonicMicros() - usec;
        assertTrue(skew >= -1_000 && skew < 2_000_000,
                "MONOTONIC_USEC " + usec + " should be CLOCK_MONOTONIC when the reload started; it arrived at " + d.arrivalMonotonicMicros());
    }

    @Test
    void readyReloadingReadyAndStoppingOnAPathSocketAndTheChildrenNeverSeeIt() throws Exception {
        Path socket = dir.resolve("systemd-notify.sock");
        try (NotifyReceiver systemd = NotifyReceiver.bind(socket.toString());
             ShellChild child = child(false);
             HupwatchProcess hw = startUnderSystemd(socket.toString(), child, "--warmup", QUICK, "--drain-timeout", "1s")) {
            Event s1 = child.await("start", 1, WAIT);
            assertTrue(systemd.datagrams().stream().noneMatch(d -> d.has("READY=1")),
                    "no READY=1 before generation 1 is ready: " + systemd.describe());
            hw.awaitLine(ready(1), WAIT);
            int ready = systemd.await("READY=1", 0, WAIT, d -> d.has("READY=1"));
            Datagram first = systemd.datagrams().get(ready);
            assertEquals(Long.toString(hw.pid()), first.value("MAINPID"), "MAINPID is hupwatch: " + first);
            assertTrue(first.value("STATUS") != null, "a STATUS= line: " + first);
            assertEquals("unset", seen(1), "generation 1 must not see hupwatch's NOTIFY_SOCKET");

            // A reload that works.
            hw.signal("HUP");
            int reloading = systemd.await("RELOADING=1", ready + 1, WAIT, d -> d.has("RELOADING=1"));
            assertReloading(systemd.datagrams().get(reloading));
            hw.awaitLine(ready(2), WAIT);
            int ready2 = systemd.await("READY=1 after the reload", reloading + 1, WAIT, d -> d.has("READY=1"));
            assertTrue(systemd.datagrams().subList(reloading + 1, ready2).stream().noneMatch(d -> d.has("RELOADING=1")),
                    systemd.describe());
            child.await("term", 1, WAIT);
            assertEquals("unset", seen(2), "generation 2 must not see hupwatch's NOTIFY_SOCKET");

            // A reload that fails still ends with READY=1: systemctl reload must not hang.
            Files.writeString(dir.resolve("fail"), "");
            hw.signal("HUP");
            int reloading3 = systemd.await("RELOADING=1", ready2 + 1, WAIT, d -> d.has("RELOADING=1"));
            assertReloading(systemd.datagrams().get(reloading3));
            assertTrue(monotonicUsec(systemd.datagrams().get(reloading3)) > monotonicUsec(systemd.datagrams().get(reloading)),
                    "a new MONOTONIC_USEC for each reload: " + systemd.describe());
            hw.awaitLine(Pattern.compile("reload failed: generation 3 \\(pid \\d+\\) exited with status 3"), WAIT);
            systemd.await("READY=1 after the failed reload", reloading3 + 1, WAIT, d -> d.has("READY=1"));
            assertEquals("unset", seen(3));

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            systemd.await("STOPPING=1", 0, WAIT, d -> d.has("STOPPING=1"));
            assertNothingLeft(hw);
            assertTrue(s1.pid() > 0);
        }
    }

    @Test
    void anAbstractNotifySocketWithNotifyReadinessTheChildrenGetTheirOwnSocket() throws Exception {
        String abstractName = "@hupwatch-it-" + UUID.randomUUID();
        try (NotifyReceiver systemd = NotifyReceiver.bind(abstractName);
             ShellChild child = child(true);
             HupwatchProcess hw = startUnderSystemd(abstractName, child, "--ready", "notify", "--ready-timeout", "10s",
                     "--drain-timeout", "1s")) {
            child.await("notified", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            int ready = systemd.await("READY=1", 0, WAIT, d -> d.has("READY=1"));
            assertEquals(Long.toString(hw.pid()), systemd.datagrams().get(ready).value("MAINPID"));

            // The serving generation's STATUS= goes up to systemd.
            hw.awaitLine(gen(1, "status: generation 1 says hello"), WAIT);
            systemd.await("STATUS=generation 1 says hello", 0, WAIT, d -> "generation 1 says hello".equals(d.value("STATUS")));

            String own1 = seen(1);
            assertNotEquals(abstractName, own1, "generation 1 gets its own NOTIFY_SOCKET, not hupwatch's");
            assertTrue(own1.startsWith("/") && own1.contains("/hupwatch." + hw.pid()),
                    "a path in hupwatch's runtime directory: " + own1);

            hw.signal("HUP");
            int reloading = systemd.await("RELOADING=1", ready + 1, WAIT, d -> d.has("RELOADING=1"));
            assertReloading(systemd.datagrams().get(reloading));
            child.await("notified", 2, WAIT);
            hw.awaitLine(ready(2), WAIT);
            systemd.await("READY=1 after the reload", reloading + 1, WAIT, d -> d.has("READY=1"));
            String own2 = seen(2);
            assertNotEquals(own1, own2, "a socket per generation");
            assertNotEquals(abstractName, own2);
            child.await("term", 1, WAIT);

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            systemd.await("STOPPING=1", 0, WAIT, d -> d.has("STOPPING=1"));
            // The children's READY=1 went to their own sockets: systemd saw exactly one per start or reload.
            assertEquals(2, systemd.datagrams().stream().filter(d -> d.has("READY=1")).count(), systemd.describe());
            assertNothingLeft(hw);
        }
    }
}

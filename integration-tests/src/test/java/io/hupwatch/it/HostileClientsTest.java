package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * hupwatch's own listeners against clients that try to exhaust them: thousands of idle connections and a
 * slow-loris client against {@code --metrics}, the same against {@code --control}, and an accept that fails
 * for want of fds. hupwatch's threads and fds stay bounded, a good client is still answered, HUP still swaps.
 */
@Timeout(150)
@Serial // thousands of connections from this JVM (its fd limit), and a slow client cut within a window
class HostileClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SCRAPE = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n";
    /** Threads the JVM may add on its own meanwhile (compiler threads under load). */
    private static final int THREAD_SLACK = 8;

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void metricsStaysBoundedAgainstIdleConnectionsAndASlowLorisAndStillAnswers() throws Exception {
        InetSocketAddress metrics = new InetSocketAddress("127.0.0.1", TestServers.freePort());
        HupwatchProcess hw = startReady("--metrics", "tcp:127.0.0.1:" + metrics.getPort());
        assertTrue(isAnswer(HostileClients.get(metrics, SCRAPE, 5000)));
        int threadsBefore = ProcFs.threads(hw.pid());
        int fdsBefore = ProcFs.fdCount(hw.pid());

        int count = HostileClients.affordable(2000);
        assertTrue(count >= 1000, "this JVM's fd limit allows only " + count + " connections");
        // the slow client first, so that it is admitted: the flood fills the cap at once
        Future<Long> loris = HostileClients.slowLoris(metrics, "GET /metrics HTTP/1.1\r\n");
        HupwatchProcess.sleep(1000);
        try (HostileClients.Idle idle = HostileClients.idle(metrics, count)) {
            int[] peak = peakWhile(hw.pid(), () -> idle.opened() < count, 20_000);
            assertTrue(idle.opened() == count, "connected " + idle.opened() + " of " + count);
            assertTrue(peak[0] <= threadsBefore + THREAD_SLACK, "threads: " + threadsBefore + " before, " + peak[0] + " at most");
            assertTrue(peak[1] <= fdsBefore + 16 + 4, "fds: " + fdsBefore + " before, " + peak[1] + " at most");

            long cutAfter = loris.get(20, TimeUnit.SECONDS);
            assertTrue(cutAfter >= 4000 && cutAfter < 15_000, "the slow client was cut after " + cutAfter + " ms");
            HupwatchProcess.await("a good client is answered", Duration.ofSeconds(15),
                    () -> isAnswer(HostileClients.get(metrics, SCRAPE, 2000)));
            assertTrue(HostileClients.get(metrics, SCRAPE, 5000).contains("\nhupwatch_serving_generation 1"));
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready"), WAIT);
        }
        assertTrue(hw.findLine(Pattern.compile("metrics on tcp:127.0.0.1:\\d+: 16 connections open, the most it"
                + " serves at once"), 0).isPresent(), hw.describe());
        assertTrue(ProcFs.threads(hw.pid()) <= threadsBefore + THREAD_SLACK);
        stop(hw);
    }

    @Test
    void anAcceptFailingForWantOfFdsIsSaidOnceAndRetried() throws Exception {
        Path sock = dir.resolve("metrics.sock");
        UnixDomainSocketAddress metrics = UnixDomainSocketAddress.of(sock);
        HupwatchProcess hw = startReady("--metrics", "unix:" + sock);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)),
                "--metrics unix: is for hupwatch's user only, as --control");
        java.util.Set<Integer> open = new java.util.HashSet<>();
        ProcFs.fds(hw.pid()).forEach(f -> open.add(Integer.parseInt(f.split(" ")[0])));
        int lowestFree = 0;
        while (open.contains(lowestFree)) {
            lowestFree++;
        }
        String softLimit = Files.readAllLines(Path.of("/proc", Long.toString(hw.pid()), "limits")).stream()
                .filter(l -> l.startsWith("Max open files")).map(l -> l.split("\\s+")[3]).findFirst().orElseThrow();
        // no fd left to accept with: the lowest free number is at the limit (those above it stay open)
        prlimit(hw.pid(), Integer.toString(lowestFree));
        try {
            assertEquals(null, HostileClients.get(metrics, SCRAPE, 1500));
            assertEquals(null, HostileClients.get(metrics, SCRAPE, 1500));
            hw.awaitLine(Pattern.compile("metrics on unix:.*: accept failed: Too many open files; retrying every second"),
                    WAIT);
        } finally {
            prlimit(hw.pid(), softLimit);
        }
        HupwatchProcess.await("accepting again", Duration.ofSeconds(10),
                () -> isAnswer(HostileClients.get(metrics, SCRAPE, 2000)));
        assertEquals(1, hw.linesMatching(Pattern.compile("accept failed")).size(), hw.describe());
        stop(hw);
    }

    @Test
    void controlSocketStaysBoundedAgainstIdleConnectionsAndASlowLorisAndStillReloads() throws Exception {
        Path control = dir.resolve("control.sock");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(control);
        HupwatchProcess hw = startReady("--control", control.toString());
        int threadsBefore = ProcFs.threads(hw.pid());
        int fdsBefore = ProcFs.fdCount(hw.pid());
        int count = HostileClients.affordable(500);
        Future<Long> loris = HostileClients.slowLoris(address, "stat");
        HupwatchProcess.sleep(1000);
        try (HostileClients.Idle idle = HostileClients.idle(address, count)) {
            int[] peak = peakWhile(hw.pid(), () -> idle.opened() < count, 20_000);
            assertTrue(peak[0] <= threadsBefore + THREAD_SLACK, "threads: " + threadsBefore + " before, " + peak[0] + " at most");
            assertTrue(peak[1] <= fdsBefore + 32 + 4, "fds: " + fdsBefore + " before, " + peak[1] + " at most");
            long cutAfter = loris.get(20, TimeUnit.SECONDS);
            assertTrue(cutAfter >= 4000 && cutAfter < 15_000, "the slow client was cut after " + cutAfter + " ms");
            HupwatchProcess.await("status answers", Duration.ofSeconds(15),
                    () -> String.valueOf(HostileClients.get(address, "status json\n", 2000)).contains("\"serving\""));
            assertTrue(ControlRequest.send(control, "reload").startsWith("ok 2 "));
        }
        stop(hw);
    }

    @Test
    void aLinkConnectionClosedByItsPeerIsDroppedAtOnceAndOpenOnesAreCapped() throws Exception {
        Path go = dir.resolve("go");
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--warmup", "100ms",
                "--bind", "web=tcp:127.0.0.1:" + TestServers.freePort(), "--pass", "handoff"),
                List.of("/usr/bin/python3", "-c", LINK_CLIENT, go.toString())));
        hw.awaitStdoutLine(Pattern.compile("closed 100"), WAIT);
        HupwatchProcess.await("hupwatch drops the 100 connections its generation closed", Duration.ofSeconds(10),
                () -> sockets(hw.pid()) < 30);
        int socketsBefore = sockets(hw.pid());
        int threadsBefore = ProcFs.threads(hw.pid());
        Files.createFile(go);
        hw.awaitStdoutLine(Pattern.compile("holding 150"), WAIT);
        hw.awaitLine(Pattern.compile("handoff socket of generation 1: 64 connections open, the most it keeps"), WAIT);
        assertTrue(sockets(hw.pid()) <= socketsBefore + 64, ProcFs.fds(hw.pid()).toString());
        assertTrue(ProcFs.threads(hw.pid()) <= threadsBefore + 64 + THREAD_SLACK);
        stop(hw);
    }

    /** hupwatch with OPTIONS (a quick warm-up) over {@code sleep 600}, once generation 1 is ready. */
    private HupwatchProcess startReady(String... options) {
        List<String> all = new java.util.ArrayList<>(List.of("--warmup", "100ms"));
        all.addAll(List.of(options));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, all, List.of("sleep", "600")));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), WAIT);
        return hw;
    }

    private static void stop(HupwatchProcess hw) {
        hw.signal("TERM");
        hw.awaitExit(WAIT);
    }

    /** A generation that connects to its handoff socket 100 times closing each, then 150 times holding them. */
    private static final String LINK_CLIENT = """
            import os, socket, sys, time
            path = os.environ["HUPWATCH_SOCKET"]
            for i in range(100):
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                s.recv(65536)
                s.close()
            print("closed 100", flush=True)
            while not os.path.exists(sys.argv[1]):
                time.sleep(0.05)
            kept = []
            for i in range(150):
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                kept.append(s)
            print("holding 150", flush=True)
            time.sleep(600)
            """;

    private static int sockets(long pid) {
        return (int) ProcFs.fds(pid).stream().filter(f -> f.contains("socket:")).count();
    }

    private static boolean isAnswer(String response) {
        return response != null && response.startsWith("HTTP/1.0 200 OK");
    }

    /** The most threads and fds of {@code pid} seen while {@code busy} holds (at least 1 s, at most {@code millis}). */
    private static int[] peakWhile(long pid, java.util.function.BooleanSupplier busy, long millis) {
        int[] peak = {0, 0};
        long start = System.nanoTime();
        long elapsed;
        do {
            peak[0] = Math.max(peak[0], ProcFs.threads(pid));
            peak[1] = Math.max(peak[1], ProcFs.fdCount(pid));
            HupwatchProcess.sleep(50);
            elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } while (elapsed < millis && (elapsed < 1000 || busy.getAsBoolean()));
        return peak;
    }

    private static void prlimit(long pid, String openFiles) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + openFiles + ":")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "prlimit: " + out);
    }
}

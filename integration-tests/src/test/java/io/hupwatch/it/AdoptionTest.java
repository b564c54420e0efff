package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The literal {@code hupwatch -- java -jar app.jar}: no hupwatch option at all. The agent hands the
 * sockets generation 1 opens to hupwatch, which holds them from then on; later generations claim them.
 */
@Serial // swaps under load, and a dropped port that must be refused right after the old generation exits
@Timeout(300)
class AdoptionTest {
    /**
     * Two: the first swap replaces the generation that started with the port (bound, or adopted from it), the
     * second one that was itself started by a swap; a third would repeat the second.
     */
    private static final int SWAPS = 2;

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private HupwatchProcess hupwatch(List<String> options, List<String> command) {
        return cleanup.add(HupwatchProcess.start(dir, options, command));
    }

    private void literalFormSwapsUnderLoad(List<String> server, int port) throws Exception {
        HupwatchProcess hw = hupwatch(List.of(), server);
        hw.awaitLine(Pattern.compile("adopted tcp:0\\.0\\.0\\.0:" + port + " from generation 1 \\(pid \\d+\\)|adopted tcp:\\[::\\]:"
                + port + " from generation 1 \\(pid \\d+\\)"), Duration.ofSeconds(90));
        SwapsUnderLoad.run(hw, port, SWAPS, cleanup, dir);
    }

    @Test
    void springBootJarWithNoOption() throws Exception {
        int port = TestServers.freePort();
        literalFormSwapsUnderLoad(TestServers.springBoot(port), port);
    }

    @Test
    void nettyEpollWithNoOption() throws Exception {
        int port = TestServers.freePort();
        literalFormSwapsUnderLoad(TestServers.java("NettyPlainServer", Integer.toString(port), "epoll"), port);
    }

    @Test
    void jdkHttpServerWithNoOption() throws Exception {
        int port = TestServers.freePort();
        literalFormSwapsUnderLoad(TestServers.java("JdkHttpServer", Integer.toString(port)), port);
    }

    @Test
    void aUnixSocketServerWithNoOption() throws Exception {
        Path socket = dir.resolve("app.sock");
        HupwatchProcess hw = hupwatch(List.of(), TestServers.java("UnixJdkServer", socket.toString()));
        hw.awaitLine(Pattern.compile("adopted unix:" + Pattern.quote(socket.toString()) + " from generation 1"),
                Duration.ofSeconds(60));
        LoadGenerator load = LoadGenerator.h2loadUnix(socket, 8, 2000);
        cleanup.add(load);
        load.start();
        for (int g = 2; g <= SWAPS + 1; g++) {
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("generation " + g + " \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
            hw.awaitLine(Pattern.compile("generation " + (g - 1) + " \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
            assertTrue(Http.get(socket).startsWith("generation " + g + " "), hw.describe());
        }
        LoadGenerator.Result result = load.finish();
        assertTrue(result.requests() > 300, "the load ran: " + result);
        assertEquals(0, result.failed(), result + "\n" + hw.describe());
        hw.signal("TERM");
        hw.awaitExit(Duration.ofSeconds(40));
        assertTrue(!Files.exists(socket), "hupwatch removed the adopted socket file at exit, as for --bind");
    }

    /** A start script whose server opens the ports listed in a file, read anew at each start. */
    private List<String> serverWithPortsFrom(Path portsFile, int port) throws IOException {
        Path script = dir.resolve("start.sh");
        Files.writeString(script, "#!/bin/sh\nexec " + String.join(" ", TestServers.java("JdkHttpServer",
                Integer.toString(port))) + " $(cat " + portsFile + ")\n");
        script.toFile().setExecutable(true);
        return List.of(script.toString());
    }

    @Test
    void aPortTheNewReleaseNoLongerServesIsReleasedAndRefused() throws Exception {
        int port = TestServers.freePort();
        int extra = TestServers.freePort();
        Path ports = dir.resolve("ports");
        Files.writeString(ports, "--extra-port " + extra);
        // A release that drops a port is ready at the readiness timeout (it might still bind it late).
        HupwatchProcess hw = hupwatch(List.of("--jvm-agent", "on", "--ready-timeout", "6s"), serverWithPortsFrom(ports, port));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + extra + " from generation 1"), Duration.ofSeconds(60));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        assertTrue(Http.get(extra).startsWith("generation 1 "));
        Files.writeString(ports, "");
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready after .*not on tcp:\\S+:" + extra
                + " within the ready timeout: a port this release dropped"), Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("released tcp:\\S+:" + extra + ": generation 2 no longer serves it"),
                Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        assertTrue(Http.get(port).startsWith("generation 2 "));
        try {
            String answer = Http.get(extra);
            throw new AssertionError("the dropped port still answers: " + answer + "\n" + hw.describe());
        } catch (java.net.ConnectException expected) {
            // refused: nobody holds it any more
        }
    }

    @Test
    void aPortTheNewReleaseAddsIsAdoptedFromIt() throws Exception {
        int port = TestServers.freePort();
        int extra = TestServers.freePort();
        Path ports = dir.resolve("ports");
        Files.writeString(ports, "");
        HupwatchProcess hw = hupwatch(List.of("--jvm-agent", "on"), serverWithPortsFrom(ports, port));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1"), Duration.ofSeconds(60));
        Files.writeString(ports, "--extra-port " + extra);
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + extra + " from generation 2"), Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        assertTrue(Http.get(extra).startsWith("generation 2 "), hw.describe());
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) exited"), Duration.ofSeconds(60));
        assertTrue(Http.get(extra).startsWith("generation 3 "), "generation 3 claimed the adopted port\n" + hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("released")).isEmpty(), hw.describe());
    }

    @Test
    void generationOneCrashingBeforeItListensExitsWithItsStatus() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of(), TestServers.java("JdkHttpServer", Integer.toString(port),
                "--fail-after-ms", "300"));
        assertEquals(3, hw.awaitExit(Duration.ofSeconds(60)), hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("adopted")).isEmpty(), hw.describe());
    }

    @Test
    void aProcessOutsideTheGenerationCannotHandOverASocket() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of(), TestServers.java("JdkHttpServer", Integer.toString(port)));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1"), Duration.ofSeconds(60));
        Path link = agentLink(hw, 1);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(link));
            ch.write(ByteBuffer.wrap("ADOPT 0 tcp:0.0.0.0:9\n".getBytes(StandardCharsets.UTF_8)));
            ch.read(ByteBuffer.allocate(4096)); // hupwatch closes it
        } catch (IOException expected) {
            // closed by hupwatch
        }
        hw.awaitLine(Pattern.compile("refused pid " + ProcessHandle.current().pid() + ", which is not generation 1"),
                Duration.ofSeconds(10));
        assertTrue(hw.linesMatching(Pattern.compile("adopted tcp:\\S+:9 ")).isEmpty(), hw.describe());
    }

    @Test
    void aProcessOfTheGenerationOfferingSomethingElseIsRefused() throws Exception {
        int port = TestServers.freePort();
        // A start script that, besides the server, offers its own stdout (a pipe) as a socket.
        Path script = dir.resolve("start.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "link=$(printf '%s' \"$HUPWATCH_AGENT\" | tr ';' '\\n' | sed -n 's/^link=//p')\n"
                + "python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);"
                + " s.recv(65536); s.sendall(b\"ADOPT 1 tcp:0.0.0.0:9\\n\"); time.sleep(5)' \"$link\" &\n"
                + "exec " + String.join(" ", TestServers.java("JdkHttpServer", Integer.toString(port))) + "\n");
        script.toFile().setExecutable(true);
        HupwatchProcess hw = hupwatch(List.of("--jvm-agent", "on"), List.of(script.toString()));
        hw.awaitLine(Pattern.compile("refused fd 1 of generation 1 \\(pid \\d+\\) offered as tcp:0\\.0\\.0\\.0:9: it is not a"
                + " listening stream socket"), Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1"), Duration.ofSeconds(60));
    }

    @Test
    void withTheAgentOffNothingIsAdopted() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--jvm-agent", "off"), TestServers.java("JdkHttpServer", Integer.toString(port)));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready after .*warm-up"), Duration.ofSeconds(60));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        assertTrue(hw.linesMatching(Pattern.compile("adopted|hupwatch-agent")).isEmpty(), hw.describe());
    }

    /** The agent's handoff socket of a generation, from its JVM's environment. */
    private static Path agentLink(HupwatchProcess hw, int generation) throws IOException {
        Matcher m = Pattern.compile("generation " + generation + " \\(pid (\\d+)\\) ready").matcher(
                hw.awaitLine(Pattern.compile("generation " + generation + " \\(pid \\d+\\) ready"), Duration.ofSeconds(60)));
        assertTrue(m.find());
        String environ = Files.readString(Path.of("/proc/" + m.group(1) + "/environ"));
        for (String variable : environ.split("\0")) {
            if (variable.startsWith("HUPWATCH_AGENT=")) {
                for (String field : variable.substring("HUPWATCH_AGENT=".length()).split(";")) {
                    if (field.startsWith("link=")) {
                        return Path.of(field.substring(5));
                    }
                }
            }
        }
        throw new AssertionError("no HUPWATCH_AGENT link in generation " + generation + "'s environment");
    }
}

package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slim runtime ({@code jlink --add-modules java.base,jdk.httpserver}, no {@code java.instrument}), as
 * container images have: {@code -javaagent} would abort that JVM, so hupwatch says so in one line and
 * runs the server without the agent.
 */
@Timeout(120)
class SlimRuntimeTest {
    private static final Pattern SAID = Pattern.compile("has no java\\.instrument module");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** The jlink image, made once per build under integration-tests/target. */
    private static synchronized Path slimJava() throws Exception {
        Path image = HupwatchProcess.repo().resolve("integration-tests/target/slim-runtime");
        if (!Files.isExecutable(image.resolve("bin/java"))) {
            Path tmp = image.resolveSibling("slim-runtime." + ProcessHandle.current().pid());
            Process jlink = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jlink").toString(),
                    "--add-modules", "java.base,jdk.httpserver", "--no-header-files", "--no-man-pages", "--output",
                    tmp.toString()).inheritIO().start();
            assertTrue(jlink.waitFor(60, TimeUnit.SECONDS) && jlink.exitValue() == 0, "jlink made the slim runtime");
            try {
                Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException e) {
                // another run made it meanwhile
            }
        }
        return image.resolve("bin/java");
    }

    private static List<String> onSlim(String mainClass, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(slimJava().toString(), "-Xss256k", "-Xmx64m", "-cp",
                HupwatchProcess.repo().resolve("test-servers/target/classes").toString(),
                "io.hupwatch.testservers." + mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    @Serial // timing: the second JVM must fail its bind within the warm-up, or it counts as ready
    void withDefaultOptionsTheServerStartsAndServesWithoutTheAgentAndOneLineSaysWhy() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of(), onSlim("JdkHttpServer",
                Integer.toString(port))));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        assertEquals(1, hw.linesMatching(SAID).size(), "one line\n" + hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("Could not find agent library|hupwatch-agent")).isEmpty(),
                "no agent\n" + hw.describe());
        // It binds its own port: a new generation cannot, the reload fails and the old one keeps serving.
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("reload failed"), Duration.ofSeconds(60));
        assertTrue(Http.get(port).startsWith("generation 1 "), hw.describe());
    }

    @Test
    void aServerThatTakesHupwatchsSocketSwaps() throws Exception {
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "tcp:127.0.0.1:0", "--pass",
                "stdin"), onSlim("InheritedChannelServer")));
        String listening = hw.awaitLine(Pattern.compile("listening on tcp:127\\.0\\.0\\.1:\\d+"), Duration.ofSeconds(30));
        var m = Pattern.compile("tcp:127\\.0\\.0\\.1:(\\d+)").matcher(listening);
        m.find();
        int port = Integer.parseInt(m.group(1));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        assertTrue(Http.get(port).startsWith("generation 1 "), hw.describe());
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        assertTrue(Http.get(port).startsWith("generation 2 "), hw.describe());
        assertEquals(1, hw.linesMatching(SAID).size(), "one line\n" + hw.describe());
    }
}

package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Start scripts as operators write them: {@code java} run WITHOUT {@code exec} (the shell stays the
 * generation's first process, the JVM is its child), and paths with spaces. A generation is its
 * process tree: the stop signal reaches the JVM, and the generation has exited when it has.
 */
@Timeout(180)
class StartScriptTest {
    private static final Pattern LISTENING = Pattern.compile("jdk-http generation (\\d+) pid (\\d+) listening");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** A start script that runs the server as a child of the shell, then says it ended. */
    private Path startScript(Path where, List<String> server) throws Exception {
        Files.createDirectories(where.getParent());
        Files.writeString(where, "#!/bin/sh\n" + String.join(" ", server) + "\necho \"start script: java exited with $?\"\n");
        where.toFile().setExecutable(true);
        return where;
    }

    @Test
    @Serial
    void aScriptThatDoesNotExecJavaSwapsUnderLoadAndLeavesOneJvm() throws Exception {
        int port = TestServers.freePort();
        Path script = startScript(dir.resolve("start.sh"), TestServers.java("JdkHttpServer", Integer.toString(port)));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "tcp:127.0.0.1:" + port,
                "--jvm-agent", "on"), List.of(script.toString())));
        SwapsUnderLoad.run(hw, port, 2, cleanup, dir, () -> {
            for (int i = 0; i < 30; i++) {
                String body = Http.get(port);
                assertTrue(body.startsWith("generation 3 "), "answer " + i + " from the newest generation: " + body
                        + "\n" + hw.describe());
            }
            List<Long> running = jvmPids(hw).stream().filter(HupwatchProcess.ProcAlive::isRunning).toList();
            assertEquals(1, running.size(), "one JVM of the script left (of " + jvmPids(hw) + "): " + running + "\n"
                    + hw.describe());
            assertTrue(Http.get(port).contains(" pid " + running.get(0)), "the one left is the one answering");
        });
        assertTrue(jvmPids(hw).stream().noneMatch(HupwatchProcess.ProcAlive::isRunning), "no JVM left after TERM");
    }

    /** The pid of each JVM the script started, as each said it listened. */
    private static List<Long> jvmPids(HupwatchProcess hw) {
        return hw.linesMatching(LISTENING).stream().map(l -> {
            Matcher m = LISTENING.matcher(l);
            m.find();
            return Long.parseLong(m.group(2));
        }).distinct().toList();
    }

    @Test
    void aShellThatDoesNotExecGunicornLeavesNoOldGunicornAfterASwap() throws Exception {
        Path app = GunicornApp.copyInto(dir);
        // gunicorn serves fd 0 (--pass stdin) through fd://0; the shell stays its parent. (--pass systemd cannot
        // work here whatever hupwatch does: LISTEN_PID names the shell, so gunicorn would ignore LISTEN_FDS.)
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "tcp:127.0.0.1:0", "--pass",
                "stdin", "--warmup", "1500ms"), List.of("/bin/sh", "-c", "gunicorn --bind fd://0 --chdir " + app
                + " --workers 2 app:app; echo gunicorn exited")));
        String listening = hw.awaitLine(Pattern.compile("listening on tcp:127\\.0\\.0\\.1:\\d+"), Duration.ofSeconds(30));
        Matcher pm = Pattern.compile("tcp:127\\.0\\.0\\.1:(\\d+)").matcher(listening);
        pm.find();
        int port = Integer.parseInt(pm.group(1));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(30));
        List<Long> first = gunicornPids(hw);
        assertEquals(3, first.size(), "a master and 2 workers: " + first + "\n" + hw.describe());
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready"), Duration.ofSeconds(30));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(30));
        assertTrue(first.stream().noneMatch(HupwatchProcess.ProcAlive::isRunning), "no process of generation 1's gunicorn"
                + " left: " + first + "\n" + hw.describe());
        for (int i = 0; i < 10; i++) {
            assertTrue(Http.get(port).startsWith("generation 2 "), hw.describe());
        }
    }

    /** The master and worker pids gunicorn logged so far. */
    private static List<Long> gunicornPids(HupwatchProcess hw) {
        Pattern p = Pattern.compile("\\[(\\d+)\\] \\[INFO\\] (?:Starting gunicorn|Booting worker with pid: (\\d+))");
        return hw.linesMatching(p).stream().map(l -> {
            Matcher m = p.matcher(l);
            m.find();
            return Long.parseLong(m.group(2) != null ? m.group(2) : m.group(1));
        }).distinct().toList();
    }

    @Test
    void theAgentJarMayLieInADirectoryWithASpace() throws Exception {
        Path agent = Files.createDirectories(dir.resolve("with space")).resolve("hupwatch agent.jar");
        Files.copy(HupwatchProcess.repo().resolve("hupwatch-cli/target/hupwatch-agent.jar"), agent);
        int port = TestServers.freePort();
        Path script = dir.resolve("start.sh");
        Files.writeString(script, "#!/bin/sh\nexec " + String.join(" ", TestServers.java("JdkHttpServer",
                Integer.toString(port))) + "\n");
        script.toFile().setExecutable(true);
        List<String> command = List.of("env", "HUPWATCH_AGENT_JAR=" + agent,
                "JAVA_TOOL_OPTIONS=-Dtest.quoted='a b' -Dtest.plain=1", HupwatchProcess.script().toString(),
                "--bind", "tcp:127.0.0.1:" + port, "--jvm-agent", "on", "--", script.toString());
        HupwatchProcess hw = cleanup.add(HupwatchProcess.startCommand(dir, command));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready after .*accept"), Duration.ofSeconds(60));
        assertTrue(Http.get(port).startsWith("generation 1 "), hw.describe());
        assertTrue(hw.findLine(Pattern.compile("hupwatch-agent: .* serves tcp:"), 0).isPresent(),
                "the agent claimed the socket\n" + hw.describe());
    }
}

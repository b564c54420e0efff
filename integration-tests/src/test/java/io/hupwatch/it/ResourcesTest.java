package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A long-lived wrapper must not leak: after 200 reloads in a row, hupwatch's open fds, threads,
 * children and runtime directory are back where they were after a few warm-up reloads, none of its
 * children is a zombie, and its resident memory grew by at most 16 MiB.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResourcesTest extends CliTestSupport {
    private static final int WARMUP_RELOADS = 5;
    private static final int RELOADS = 200;
    private static final long MAX_RSS_GROWTH_KIB = 16 * 1024;

    /**
     * A minimal server of the handoff protocol: connects to HUPWATCH_SOCKET, receives the sockets
     * (and closes them: it serves nothing), says READY=1 on the connection, and stays until
     * hupwatch hangs up or TERM kills it.
     */
    private static final String HANDOFF_CHILD = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(os.environ["HUPWATCH_SOCKET"])
            data = b""
            while not data.endswith(b"end\\n"):
                msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(253 * 4))
                if not msg:
                    sys.exit(1)
                data += msg
                for level, kind, fds in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        for i in range(0, len(fds) - len(fds) % 4, 4):
                            os.close(int.from_bytes(fds[i:i + 4], sys.byteorder))
            s.sendall(b"READY=1\\n")
            while s.recv(4096):
                pass
            """;

    /** What hupwatch holds, from /proc. */
    record Footprint(int fds, int threads, List<Long> children, long rssKib, List<String> runtimeDir,
                     List<String> fdList, List<String> threadNames) {
        static Footprint of(long pid, Path runtimeDir) {
            List<String> entries;
            try (Stream<Path> s = Files.list(runtimeDir)) {
                entries = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            } catch (IOException e) {
                entries = List.of("(cannot list " + runtimeDir + ": " + e.getMessage() + ")");
            }
            return new Footprint(ProcFs.fdCount(pid), ProcFs.threads(pid), ProcFs.children(pid), ProcFs.rssKib(pid),
                    entries, ProcFs.fds(pid), ProcFs.threadNames(pid));
        }

        String brief() {
            return fds + " fds, " + threads + " threads, " + children.size() + " children, VmRSS " + rssKib / 1024 + " MiB ("
                    + rssKib + " kB), runtime dir " + runtimeDir.size() + " entries";
        }
    }

    private HupwatchProcess start(Path runtime, List<String> options, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("env", "XDG_RUNTIME_DIR=" + runtime, HupwatchProcess.script().toString()));
        cmd.addAll(options);
        cmd.add("--");
        cmd.addAll(command);
        return HupwatchProcess.startCommand(dir, cmd);
    }

    /**
     * Waits until hupwatch has one child (the serving generation, every old one reaped) and its
     * thread count has come down to at most {@code threadsAtMost}, then measures.
     */
    private static Footprint settled(HupwatchProcess hw, Path runtimeDir, int threadsAtMost) throws InterruptedException {
        HupwatchProcess.await("hupwatch down to one child", WAIT, () -> ProcFs.children(hw.pid()).size() == 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Thread.sleep(300);
        while (ProcFs.threads(hw.pid()) > threadsAtMost && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return Footprint.of(hw.pid(), runtimeDir);
    }

    private void reloadManyTimesAndCompare(String what, List<String> options, List<String> command) throws Exception {
        Path runtime = Files.createDirectories(dir.resolve("run"));
        Path control = dir.resolve("control.sock");
        List<String> opts = new ArrayList<>(options);
        opts.addAll(List.of("--bind", "web=tcp:127.0.0.1:0", "--control", control.toString(), "--drain-timeout", "5s"));
        try (HupwatchProcess hw = start(runtime, opts, command)) {
            hw.awaitLine(ready(1), WAIT);
            Path runtimeDir = runtime.resolve("hupwatch." + hw.pid());
            // Warm-up reloads with the real client.
            for (int i = 0; i < WARMUP_RELOADS; i++) {
                HupwatchCli.Result r = HupwatchCli.run(dir, "reload", "--control", control.toString());
                assertEquals(0, r.exit(), r.toString());
            }
            Footprint before = settled(hw, runtimeDir, Integer.MAX_VALUE);

            long t0 = System.nanoTime();
            for (int i = 0; i < RELOADS; i++) {
                String answer = ControlRequest.send(control, "reload");
                int expected = WARMUP_RELOADS + 2 + i;
                assertTrue(answer.startsWith("ok " + expected + " "), "reload " + (i + 1) + " of " + RELOADS
                        + " answered: " + answer + "\n" + hw.describe());
            }
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            HupwatchCli.Result last = HupwatchCli.run(dir, "reload", "--control", control.toString());
            assertEquals(0, last.exit(), last.toString());
            Footprint after = settled(hw, runtimeDir, before.threads() + 2);

            List<String> zombies = ProcFs.children(hw.pid()).stream().filter(ProcFs::isZombie)
                    .map(p -> p + " (" + ProcFs.comm(p) + ")").collect(Collectors.toList());
            System.out.println(getClass().getSimpleName() + " " + what + ": " + (RELOADS + 1) + " reloads in " + tookMs
                    + "ms; before: " + before.brief() + "; after: " + after.brief());

            assertTrue(zombies.isEmpty(), "zombies among hupwatch's children: " + zombies);
            assertEquals(1, after.children().size(), "one child, the serving generation: " + after.children());
            assertEquals(before.fds(), after.fds(), "open fds of hupwatch after " + (RELOADS + 1) + " reloads\nbefore: "
                    + before.fdList() + "\nafter:  " + after.fdList());
            assertTrue(Math.abs(after.threads() - before.threads()) <= 2, "threads of hupwatch: " + before.threads()
                    + " -> " + after.threads() + "\nbefore: " + before.threadNames() + "\nafter:  " + after.threadNames());
            assertEquals(before.runtimeDir().size(), after.runtimeDir().size(), "runtime directory " + runtimeDir
                    + "\nbefore: " + before.runtimeDir() + "\nafter:  " + after.runtimeDir());
            assertTrue(after.rssKib() - before.rssKib() <= MAX_RSS_GROWTH_KIB, "VmRSS grew by "
                    + (after.rssKib() - before.rssKib()) + " kB over " + (RELOADS + 1) + " reloads");

            hw.signal("TERM");
            assertEquals(143, hw.awaitExit(WAIT), hw.describe());
            assertNothingLeft(hw);
            assertFalse(Files.exists(runtimeDir), "the runtime directory is removed at exit");
            List<String> problems = hw.linesMatching(java.util.regex.Pattern.compile("\\[(WARN|ERROR)\\]|Exception"));
            assertTrue(problems.isEmpty(), "no warning, error or exception in the log of " + (RELOADS + 1) + " reloads ("
                    + problems.size() + " lines):\n" + String.join("\n", problems.subList(0, Math.min(10, problems.size()))));
        }
    }

    @Test
    void handoffChildReadyOnItsConnection() throws Exception {
        Path child = dir.resolve("handoff_child.py");
        Files.writeString(child, HANDOFF_CHILD);
        reloadManyTimesAndCompare("handoff + notify", List.of("--ready", "notify", "--ready-timeout", "10s"),
                List.of("/usr/bin/python3", child.toString()));
    }

    /** Under --pass handoff, a server that never connects to its handoff socket (one that does not use it, or died first). */
    @Test
    void handoffChildThatNeverConnectsReadyByExecProbe() throws Exception {
        reloadManyTimesAndCompare("handoff unused + exec:true", List.of("--ready", "exec:true", "--ready-timeout", "10s"),
                List.of("sleep", "300"));
    }

    @Test
    void systemdPassReadyByExecProbe() throws Exception {
        reloadManyTimesAndCompare("systemd + exec:true", List.of("--pass", "systemd", "--ready", "exec:true",
                "--ready-timeout", "10s"), List.of("sleep", "300"));
    }
}

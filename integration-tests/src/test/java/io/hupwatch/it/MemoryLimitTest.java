package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs in one memory limit, in a real memory cgroup that holds hupwatch and its generations under load:
 * the JDK HttpServer, G1, whose 64 MiB heap is touched at its start ({@code -XX:+AlwaysPreTouch}), so that
 * each generation holds the same from its start on (a light load would leave a fresh JVM's heap untouched,
 * and the figures would move from one generation to the next), and may shrink to 8 MiB:
 * <ol>
 *   <li>with room to spare, a swap keeps its probation, and the paused generation gives memory back (its
 *       RSS a second after the pause is below its RSS at the pause);</li>
 *   <li>under a limit with room for a swap but not for a probation (hupwatch's own figures, between its two
 *       thresholds), several swaps go through without a probation: no OOM kill, no failed request;</li>
 *   <li>under a limit below what a second generation needs, the reload fails at once, saying why, and the
 *       serving generation keeps serving.</li>
 * </ol>
 */
@Serial // load, and a memory cgroup whose limit must not see another test's processes
@Timeout(150)
class MemoryLimitTest {
    private static final long MIB = 1024 * 1024;
    private static final int SWAPS_WITHOUT_PROBATION = 5;
    private static final Pattern FIGURES = Pattern.compile("in use (\\d+) MiB, generation \\d+ \\(pid \\d+\\) holds (\\d+) MiB");
    private static final Pattern GAVE_BACK = Pattern.compile(
            "generation 1 \\(pid \\d+\\) paused, gave memory back: heap committed \\d+ -> \\d+ MiB .*, RSS (\\d+) -> (\\d+) MiB");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private Path control() {
        return dir.resolve("control.sock");
    }

    private HupwatchCli.Result reload() {
        return HupwatchCli.start(dir, "reload", "--control", control().toString()).await(Duration.ofSeconds(60));
    }

    private static Pattern gen(int n, String what) {
        return Pattern.compile("generation " + n + " \\(pid \\d+\\) " + what);
    }

    /** hupwatch started by a shell that first moves itself into {@code cgroup}, so everything it starts is in it. */
    private HupwatchProcess hupwatchIn(MemoryCgroup cgroup, int port) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
                cgroup.procs().toString(), HupwatchProcess.script().toString(), "--bind", "tcp:127.0.0.1:" + port,
                "--probation", "2s", "--drain-timeout", "10s", "--control", control().toString(), "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms64m", "-Xmx64m",
                "-XX:MinHeapSize=8m", "-XX:+AlwaysPreTouch", "-XX:TieredStopAtLevel=1",
                "-Xss256k", "-cp", HupwatchProcess.repo().resolve("test-servers/target/classes").toString(),
                "io.hupwatch.testservers.JdkHttpServer", Integer.toString(port)));
        return cleanup.add(HupwatchProcess.startCommand(dir, command));
    }

    @Test
    void swapsUnderAMemoryLimitNeverOomAndAReloadThatCannotFitFailsAtOnce() throws Exception {
        MemoryCgroup cgroup = cleanup.add(MemoryCgroup.create("hupwatch-memory-test"));
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatchIn(cgroup, port);
        hw.awaitLine(gen(1, "ready"), Duration.ofSeconds(60));
        cgroup.limit(1024 * MIB);
        ConcurrentCalls load = cleanup.add(new ConcurrentCalls(4) {
            @Override
            String call(int caller, long delayMs) throws Exception {
                return Http.get(port);
            }
        }.start());
        Thread.sleep(1500);

        // 1. room to spare: a probation, and the paused generation gives memory back
        HupwatchCli.Result first = reload();
        assertEquals(0, first.exit(), first + "\n" + hw.describe());
        String roomy = hw.awaitLine(Pattern.compile("memory limit 1024 MiB \\(.*\\).*: room for a new generation and a"
                + " probation"), Duration.ofSeconds(1));
        hw.awaitLine(gen(2, "on probation for 2s: generation 1 \\(pid \\d+\\) paused"), Duration.ofSeconds(1));
        Matcher gave = GAVE_BACK.matcher(hw.awaitLine(GAVE_BACK, Duration.ofSeconds(10)));
        assertTrue(gave.find());
        int rssAtPause = Integer.parseInt(gave.group(1));
        int rssAfter = Integer.parseInt(gave.group(2));
        assertTrue(rssAfter < rssAtPause, "the paused generation gave memory back: " + gave.group() + "\n" + hw.describe());
        hw.awaitLine(gen(1, "exited"), Duration.ofSeconds(20));

        // 2. room for a swap, not for a probation: between hupwatch's two thresholds, (used + footprint) / 0.9
        //    and (used + 1.5 footprint) / 0.9
        Matcher m = FIGURES.matcher(roomy);
        assertTrue(m.find(), roomy);
        long used = Long.parseLong(m.group(1));
        long footprint = Long.parseLong(m.group(2));
        long limit = (used + footprint * 5 / 4) * 10 / 9;
        long generationRss = ProcFs.rssKib(servingPid(hw, 2)) / 1024;
        cgroup.limit(limit * MIB);
        System.out.printf("memory limit %d MiB (%s): hupwatch and generation 1 used %d MiB, generation 1 held %d MiB;"
                + " a generation's RSS under load %d MiB, the limit is %.2f of it%n", limit, cgroup, used, footprint,
                generationRss, limit / (double) generationRss);
        int withoutProbation = 0;
        for (int g = 3; g < 3 + SWAPS_WITHOUT_PROBATION; g++) {
            Thread.sleep(200);
            HupwatchCli.Result r = reload();
            assertEquals(0, r.exit(), "swap to generation " + g + " under " + limit + " MiB: " + r + "\n" + hw.describe());
            if (hw.findLine(Pattern.compile("generation " + g + " \\(pid \\d+\\): no probation, the previous generation"
                    + " drains at once"), 0).isPresent()) {
                withoutProbation++;
            }
            hw.awaitLine(gen(g - 1, "exited"), Duration.ofSeconds(20));
        }
        assertTrue(withoutProbation > 0, "at least one swap had no room for a probation\n" + hw.describe());
        int serving = 2 + SWAPS_WITHOUT_PROBATION;

        // 3. a limit below two generations: the reload fails at once, saying why; the serving one serves on
        Matcher last = FIGURES.matcher(hw.linesMatching(FIGURES).get(hw.linesMatching(FIGURES).size() - 1));
        assertTrue(last.find());
        long tight = Long.parseLong(last.group(1)) + Long.parseLong(last.group(2)) / 2;
        cgroup.limit(tight * MIB);
        HupwatchCli.Result refused = reload();
        assertEquals(1, refused.exit(), refused + "\n" + hw.describe());
        assertTrue(refused.stderr().contains("cannot start generation " + (serving + 1) + ": not enough memory for a new"
                + " generation beside generation " + serving + " (pid"), refused.stderr());
        hw.awaitLine(Pattern.compile("reload failed: cannot start generation " + (serving + 1) + ": not enough memory"),
                Duration.ofSeconds(1));
        HupwatchCli.Result status = HupwatchCli.run(dir, "status", "--control", control().toString());
        assertTrue(status.stdout().contains("last failed reload: cannot start generation " + (serving + 1)
                + ": not enough memory"), status.stdout());
        Thread.sleep(500);
        assertTrue(Http.get(port).startsWith("generation " + serving + " "), "generation " + serving + " serves on");

        load.close();
        hw.linesMatching(Pattern.compile("memory limit|gave memory back|no probation|ready after|exited|reload failed"))
                .forEach(System.out::println);
        System.out.println("memory limit: " + load + "; OOM kills " + cgroup.oomKills());
        assertTrue(load.succeeded() > 300, "the load ran: " + load);
        assertEquals(0, load.failed(), "no request failed: " + load + "\n" + hw.describe());
        assertEquals(0, cgroup.oomKills(), "no OOM kill in " + cgroup + "\n" + hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("SIGKILL|status 137")).isEmpty(), "no generation was killed\n"
                + hw.describe());
        hw.signal("TERM");
        int exit = hw.awaitExit(Duration.ofSeconds(30));
        assertTrue(exit == 0 || exit == 143, "clean exit, got " + exit + "\n" + hw.describe());
        assertTrue(Files.exists(cgroup.procs()));
    }

    private static long servingPid(HupwatchProcess hw, int generation) {
        Matcher m = Pattern.compile("generation " + generation + " \\(pid (\\d+)\\) ready").matcher(
                hw.awaitLine(gen(generation, "ready"), Duration.ofSeconds(1)));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }
}

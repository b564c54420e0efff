package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a deploy changes between generations: the release a {@code current} symlink points to
 * ({@code --chdir}), the environment ({@code --env-file}), and the {@code --pidfile} a supervisor
 * reads; above all, a broken release under load must not cost a single request.
 */
class DeployInputsTest extends CliTestSupport {
    private static final Pattern LISTENING_TCP = Pattern.compile("listening on tcp:127\\.0\\.0\\.1:(\\d+)");

    /** Points {@code link} at {@code target} (relative) by renaming a new symlink over it, as deploy tools do. */
    private static void pointAt(Path link, String target) throws IOException {
        Path tmp = link.resolveSibling(link.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(target));
        Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A WSGI app whose responses name the generation, the pid and the release. */
    private static String app(String release) {
        return """
                import os
                RELEASE = "%s"
                def app(environ, start_response):
                    body = ("generation %%s pid %%d release %%s\\n" %% (os.environ.get("HUPWATCH_GENERATION"), os.getpid(), RELEASE)).encode()
                    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("Connection", "close")])
                    return [body]
                """.formatted(release);
    }

    /**
     * gunicorn under load while a broken release is deployed and then a good one. gunicorn runs with
     * {@code --preload}, so it imports the app before it boots any worker and {@code Booting worker}
     * means the app loaded. (Without {@code --preload} a worker prints {@code Booting worker} before
     * it imports the app, so that line would declare a broken release ready.)
     */
    @Test
    @Serial
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aBrokenReleaseUnderLoadFailsTheReloadWithoutFailingARequest() throws Exception {
        Path releases = dir.resolve("releases");
        for (String r : List.of("1", "2", "3")) {
            Files.createDirectories(releases.resolve(r));
        }
        Files.writeString(releases.resolve("1/app.py"), app("1"));
        Files.writeString(releases.resolve("2/app.py"), "raise RuntimeError('release 2 is broken')\n" + app("2"));
        Files.writeString(releases.resolve("3/app.py"), app("3"));
        Path current = dir.resolve("current");
        pointAt(current, "releases/1");
        Path control = dir.resolve("control.sock");

        List<AutoCloseable> cleanup = new ArrayList<>();
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--bind", "tcp:127.0.0.1:0", "--pass", "systemd",
                "--ready", "log:Booting worker", "--ready-timeout", "20s", "--drain-timeout", "10s",
                "--control", control.toString(), "--chdir", current.toString(), "--",
                "gunicorn", "--workers", "2", "--preload", "--graceful-timeout", "10", "app:app")) {
            Matcher m = LISTENING_TCP.matcher(hw.awaitLine(LISTENING_TCP, WAIT));
            assertTrue(m.find());
            int port = Integer.parseInt(m.group(1));
            hw.awaitLine(ready(1), WAIT);
            String first = Http.get(port);
            assertTrue(first.startsWith("generation 1 ") && first.trim().endsWith("release 1"), first);

            LoadGenerator load = LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 1, dir);
            cleanup.add(load);
            load.start();
            Thread.sleep(700);

            // Release 2 is broken: gunicorn exits while importing it; the reload fails, release 1 serves on.
            pointAt(current, "releases/2");
            HupwatchCli.Result broken = HupwatchCli.run(dir, "reload", "--control", control.toString(), "--timeout", "30s");
            assertEquals(1, broken.exit(), broken + "\n" + hw.describe());
            assertTrue(Pattern.compile("^hupwatch: reload failed: generation 2 \\(pid \\d+\\) exited with status \\d+ before it"
                    + " was ready; the old generation keeps serving$").matcher(broken.stderr().trim()).matches(), broken.toString());
            hw.awaitLine(gen(2, "runs in " + Pattern.quote(releases.resolve("2").toString()) + "$"), WAIT);
            hw.awaitLine(Pattern.compile("reload failed: generation 2 \\(pid \\d+\\) exited .*; generation 1 \\(pid \\d+\\)"
                    + " keeps serving"), WAIT);
            for (int i = 0; i < 5; i++) {
                String body = Http.get(port);
                assertTrue(body.startsWith("generation 1 ") && body.trim().endsWith("release 1"),
                        "the old generation still serves: " + body);
            }
            assertTrue(hw.linesMatching(gen(1, "draining")).isEmpty(), "generation 1 was never stopped\n" + hw.describe());
            Thread.sleep(700);

            // Release 3 is good.
            pointAt(current, "releases/3");
            HupwatchCli.Result good = HupwatchCli.run(dir, "reload", "--control", control.toString(), "--timeout", "30s");
            assertEquals(0, good.exit(), good + "\n" + hw.describe());
            assertTrue(good.stdout().trim().matches("reloaded: generation 3 \\(pid \\d+\\) is serving"), good.toString());
            hw.awaitLine(gen(3, "runs in " + Pattern.quote(releases.resolve("3").toString()) + "$"), WAIT);
            hw.awaitLine(gen(1, "exited with status 0"), WAIT);
            String body = Http.get(port);
            assertTrue(body.startsWith("generation 3 ") && body.trim().endsWith("release 3"), "release 3 serves: " + body);
            Thread.sleep(700);

            LoadGenerator.Result result = load.finish();
            System.out.println("DeployInputsTest broken release: " + result);
            assertTrue(result.requests() > 200, "the load ran: " + result);
            assertEquals(0, result.failed(), "no request failed across the broken and the good deploy: " + result
                    + "\n" + hw.describe());

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
        } finally {
            for (AutoCloseable c : cleanup) {
                c.close();
            }
        }
    }

    @Test
    void chdirFollowsTheCurrentSymlinkAndARelativeCommandIsFoundInTheNewRelease() throws Exception {
        Path releases = dir.resolve("releases");
        for (String r : List.of("a", "b")) {
            Path server = releases.resolve(r).resolve("server");
            Files.createDirectories(server.getParent());
            Files.writeString(server, "#!/bin/sh\n"
                    + "echo \"release=" + r + " gen=$HUPWATCH_GENERATION pid=$$ cwd=$(pwd -P)\" >> " + dir.resolve("served") + "\n"
                    + "trap 'exit 0' TERM\n"
                    + "while :; do sleep 0.05; done\n");
            Files.setPosixFilePermissions(server, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path current = dir.resolve("current");
        pointAt(current, "releases/a");
        // --chdir relative to hupwatch's own working directory (the test directory).
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--warmup", QUICK, "--drain-timeout", "1s",
                "--chdir", "current", "--", "./server")) {
            hw.awaitLine(ready(1), WAIT);
            hw.awaitLine(gen(1, "runs in " + Pattern.quote(releases.resolve("a").toString()) + "$"), WAIT);
            hw.awaitLine(gen(1, "started: \\./server$"), WAIT);
            assertEquals(List.of("release=a gen=1 cwd=" + releases.resolve("a").toRealPath()), served());

            // A release that is not there (yet): that reload fails, release a serves on.
            pointAt(current, "releases/missing");
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - reload failed: cannot start generation 2: .*--chdir.*;"
                    + " generation 1 \\(pid \\d+\\) keeps serving"), WAIT);
            assertTrue(hw.linesMatching(gen(1, "draining")).isEmpty(), hw.describe());

            pointAt(current, "releases/b");
            hw.signal("HUP");
            hw.awaitLine(ready(3), WAIT);
            hw.awaitLine(gen(3, "runs in " + Pattern.quote(releases.resolve("b").toString()) + "$"), WAIT);
            hw.awaitLine(gen(1, "exited with status 0"), WAIT);
            assertEquals(List.of("release=a gen=1 cwd=" + releases.resolve("a").toRealPath(),
                    "release=b gen=3 cwd=" + releases.resolve("b").toRealPath()), served());
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
        }
    }

    /** The lines of {@code served}, without the pids. */
    private List<String> served() throws IOException {
        Path f = dir.resolve("served");
        HupwatchProcess.await("a served line", WAIT, () -> Files.exists(f));
        return Files.readAllLines(f).stream().map(l -> l.replaceFirst(" pid=\\d+", "")).toList();
    }

    @Test
    void envFileIsReadAnewAtEachReloadAMalformedOneFailsThatReloadAndNoValueIsLogged() throws Exception {
        Path envFile = dir.resolve("app.env");
        Path control = dir.resolve("control.sock");
        Files.writeString(envFile, "# deploy 1\nGREETING=hello-one\nexport DB_PASSWORD='s3cr3t-value-1'\n");
        try (ShellChild child = ShellChild.write(dir, "envchild.sh",
                "echo \"$HUPWATCH_GENERATION ${GREETING-unset} ${DB_PASSWORD-unset}\" >> \"$dir/env-seen\"");
             HupwatchProcess hw = HupwatchProcess.start(dir, "-v", "--warmup", QUICK, "--drain-timeout", "1s",
                     "--env-file", envFile.toString(), "--control", control.toString(), "--", child.path().toString())) {
            hw.awaitLine(ready(1), WAIT);
            assertEquals(List.of("1 hello-one s3cr3t-value-1"), Files.readAllLines(dir.resolve("env-seen")));

            Files.writeString(envFile, "GREETING=hello-two\nDB_PASSWORD=s3cr3t-value-2\n");
            HupwatchCli.Result ok = HupwatchCli.run(dir, "reload", "--control", control.toString());
            assertEquals(0, ok.exit(), ok.toString());
            Event s2 = child.await("start", 2, WAIT);
            assertEquals(List.of("1 hello-one s3cr3t-value-1", "2 hello-two s3cr3t-value-2"),
                    Files.readAllLines(dir.resolve("env-seen")), "generation 2 sees the file as it is now");
            child.await("term", 1, WAIT);

            // A line without '=' (a pasted secret, say): that reload fails, generation 2 serves on.
            Files.writeString(envFile, "s3cr3t-value-3-pasted-without-a-key\nGREETING=hello-three\n");
            HupwatchCli.Result failed = HupwatchCli.run(dir, "reload", "--control", control.toString());
            assertEquals(1, failed.exit(), failed.toString());
            assertTrue(failed.stderr().contains("--env-file " + envFile + " line 1 is not KEY=VALUE"), failed.toString());
            assertTrue(failed.stderr().trim().endsWith("; the old generation keeps serving"), failed.toString());
            hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - reload failed: cannot start generation 3: --env-file "
                    + Pattern.quote(envFile.toString()) + " line 1 is not KEY=VALUE.*; generation 2 \\(pid " + s2.pid()
                    + "\\) keeps serving"), WAIT);
            assertEquals(List.of(1, 2), child.startedGenerations(), "no generation started from the malformed file");
            assertRunning(s2.pid(), "generation 2");
            assertTrue(child.events("term", 2).isEmpty());

            // No file at all: that reload fails too.
            Files.delete(envFile);
            HupwatchCli.Result missing = HupwatchCli.run(dir, "reload", "--control", control.toString());
            assertEquals(1, missing.exit(), missing.toString());
            assertTrue(missing.stderr().contains("--env-file " + envFile), missing.toString());
            hw.awaitLine(Pattern.compile("reload failed: cannot start generation 4: .*--env-file " + Pattern.quote(envFile.toString())
                    + ".*; generation 2 \\(pid " + s2.pid() + "\\) keeps serving"), WAIT);
            assertRunning(s2.pid(), "generation 2");

            Files.writeString(envFile, "GREETING=hello-four\nDB_PASSWORD=\"s3cr3t-value-4\"\n");
            HupwatchCli.Result again = HupwatchCli.run(dir, "reload", "--control", control.toString());
            assertEquals(0, again.exit(), again.toString());
            Event s5 = child.await("start", 5, WAIT);
            assertTrue(again.stdout().contains("generation 5 (pid " + s5.pid() + ")"), again.toString());
            child.await("term", 2, WAIT);
            assertEquals("5 hello-four s3cr3t-value-4", Files.readAllLines(dir.resolve("env-seen")).get(2));

            HupwatchCli.Result status = HupwatchCli.run(dir, "status", "--control", control.toString(), "--json");
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());

            List<String> everything = new ArrayList<>(hw.stderr());
            everything.addAll(hw.stdout());
            for (HupwatchCli.Result r : List.of(ok, failed, missing, again, status)) {
                everything.add(r.stdout());
                everything.add(r.stderr());
            }
            for (String text : everything) {
                assertFalse(text.contains("s3cr3t-value") || text.contains("hello-"),
                        "an --env-file value in hupwatch's output (even with -v): " + text);
            }
        }
    }

    // ---- --pidfile ----------------------------------------------------------------------------

    @Test
    void pidfileIsWrittenOnceGenerationOneIsReadyGuardsAgainstASecondInstanceAndIsRemovedAtExit() throws Exception {
        ChildScript child = ChildScript.in(dir).write();
        Path pidfile = dir.resolve("run/hupwatch.pid");
        Files.createDirectories(pidfile.getParent());
        try (HupwatchProcess hw = start(child, "--warmup", "1s", "--drain-timeout", "1s", "--pidfile", pidfile.toString())) {
            child.await("start", 1, WAIT);
            assertFalse(Files.exists(pidfile), "no pidfile before generation 1 is ready");
            hw.awaitLine(ready(1), WAIT);
            HupwatchProcess.await("the pidfile", WAIT, () -> Files.exists(pidfile));
            assertEquals(hw.pid() + "\n", Files.readString(pidfile));

            // Its own child script: closing the second instance kills what its script recorded, by pid.
            ChildScript other = ChildScript.in(dir).name("second.sh").write();
            try (HupwatchProcess second = start(other, "--warmup", QUICK, "--pidfile", pidfile.toString())) {
                assertEquals(1, second.awaitExit(WAIT), second.describe());
                List<String> err = second.stderr();
                assertEquals(1, err.size(), "one line: " + err);
                assertTrue(err.get(0).contains("pid " + hw.pid()), "names the running hupwatch: " + err);
                assertEquals(List.of(), other.events(), "the second hupwatch started nothing");
            }
            assertEquals(hw.pid() + "\n", Files.readString(pidfile), "the second instance left the pidfile alone");
            assertTrue(hw.isAlive());

            swap(hw, child);
            assertEquals(hw.pid() + "\n", Files.readString(pidfile), "the pid is hupwatch's, whatever generation serves");
            assertTermExitsCleanly(hw);
            assertFalse(Files.exists(pidfile), "the pidfile is removed at exit");
            try (var left = Files.list(pidfile.getParent())) {
                assertEquals(List.of(), left.toList(), "no temporary file left next to the pidfile");
            }
        }
    }

    @Test
    void aStalePidfileIsReplaced() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        Process unrelated = new ProcessBuilder("sleep", "60").start();
        try {
            for (long stale : List.of(gone.pid(), unrelated.pid())) {
                ChildScript child = ChildScript.in(dir).name("child-" + stale + ".sh").write();
                Path pidfile = dir.resolve("hupwatch.pid");
                Files.writeString(pidfile, stale + "\n");
                try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "1s", "--pidfile",
                        pidfile.toString())) {
                    awaitReady(hw, child, 1);
                    HupwatchProcess.await("the pidfile to name hupwatch", WAIT, () -> {
                        try {
                            return Files.readString(pidfile).trim().equals(Long.toString(hw.pid()));
                        } catch (IOException e) {
                            return false;
                        }
                    });
                    assertTermExitsCleanly(hw);
                    assertFalse(Files.exists(pidfile), "removed at exit");
                }
            }
        } finally {
            unrelated.destroyForcibly();
        }
    }
}

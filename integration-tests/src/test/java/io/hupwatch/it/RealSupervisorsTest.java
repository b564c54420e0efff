package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * hupwatch under the real supervisors from Debian, as the README's examples run it: supervisord
 * ({@code supervisorctl signal HUP web}, {@code supervisorctl stop web}) and runit ({@code sv hup},
 * {@code sv down}), with gunicorn over {@code --pass systemd}, swapped three times under wrk load.
 * The supervisor must see one pid throughout, no request may fail, and stopping the program through
 * the supervisor must drain it and leave no process behind.
 */
@Serial // wrk across swaps
class RealSupervisorsTest {
    private static final int RELOADS = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Generation 1 may have to wait for scripts/hupwatch to build the jar first. */
    private static final Duration FIRST_WAIT = Duration.ofSeconds(120);
    private static final Pattern STARTED = Pattern.compile("generation (\\d+) \\(pid (\\d+)\\) started");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    @Timeout(150)
    void supervisordSignalHupSwapsUnderLoadAndStopDrains() throws Exception {
        Path app = appDir();
        int port = TestServers.freePort();
        Path conf = dir.resolve("supervisord.conf");
        Path sock = dir.resolve("supervisor.sock");
        Path webLog = dir.resolve("web.log");
        Files.writeString(conf, String.join("\n",
                "[supervisord]",
                "nodaemon=true",
                "logfile=" + dir.resolve("supervisord.log"),
                "pidfile=" + dir.resolve("supervisord.pid"),
                "childlogdir=" + dir,
                "",
                "[unix_http_server]",
                "file=" + sock,
                "",
                "[supervisorctl]",
                "serverurl=unix://" + sock,
                "",
                "[rpcinterface:supervisor]",
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
                "",
                "[program:web]",
                "command=" + HupwatchProcess.script() + " --bind tcp:127.0.0.1:" + port
                        + " --pass systemd --ready \"log:Booting worker\" --drain-timeout 10s"
                        + " -- gunicorn --chdir " + app + " --workers 2 app:app",
                "stopsignal=TERM",
                "stopwaitsecs=20",
                "autorestart=false",
                "startsecs=1",
                "redirect_stderr=true",
                "stdout_logfile=" + webLog,
                "stdout_logfile_maxbytes=0",
                ""));

        Supervised sup = Supervised.start(List.of("supervisord", "-n", "-c", conf.toString()), dir, app);
        cleanup.add(sup);
        LogSource log = new LogSource("web.log", () -> readLines(webLog), sup);

        String ready1 = log.await(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), FIRST_WAIT);
        Cmd pidCmd = ctl(conf, "pid", "web");
        assertEquals(0, pidCmd.exit(), "supervisorctl pid web: " + pidCmd + "\n" + log.describe());
        long pid = Long.parseLong(pidCmd.out().trim());
        assertTrue(HupwatchProcess.ProcAlive.cmdline(pid).contains("hupwatch.jar"),
                "the pid supervisord watches is hupwatch's JVM: " + HupwatchProcess.ProcAlive.cmdline(pid));
        sup.track(pid);

        reloadUnderLoad(port, log, () -> {
            Cmd c = ctl(conf, "signal", "HUP", "web");
            assertEquals(0, c.exit(), "supervisorctl signal HUP web: " + c);
            assertTrue(c.out().contains("web: signalled"), "supervisorctl signal HUP web: " + c);
        });

        Cmd pidAfter = ctl(conf, "pid", "web");
        assertEquals(Long.toString(pid), pidAfter.out().trim(),
                "supervisord still watches the same pid after " + RELOADS + " swaps: " + pidAfter);
        assertTrue(HupwatchProcess.ProcAlive.cmdline(pid).contains("hupwatch.jar"));
        Cmd status = ctl(conf, "status", "web");
        assertTrue(status.out().contains("RUNNING") && status.out().contains("pid " + pid),
                "supervisorctl status web: " + status);

        List<Long> generations = log.generationPids();
        assertEquals(RELOADS + 1, generations.size(), "one gunicorn per generation: " + generations);
        sup.snapshot();

        long stopStart = System.nanoTime();
        Cmd stop = ctl(conf, "stop", "web");
        long stopMillis = (System.nanoTime() - stopStart) / 1_000_000;
        assertEquals(0, stop.exit(), "supervisorctl stop web: " + stop + "\n" + log.describe());
        assertTrue(stop.out().contains("web: stopped"), "supervisorctl stop web: " + stop);
        log.await(Pattern.compile("generation " + (RELOADS + 1) + " \\(pid \\d+\\) draining: sent SIGTERM"), WAIT);
        log.await(Pattern.compile("all generations have exited; hupwatch exits with status 0"), WAIT);
        Cmd stopped = ctl(conf, "status", "web");
        assertTrue(readLines(dir.resolve("supervisord.log")).stream()
                        .anyMatch(l -> l.contains("stopped: web (exit status 0)")),
                "supervisord saw hupwatch exit 0 (gunicorn's status after its drain):\n"
                        + String.join("\n", readLines(dir.resolve("supervisord.log"))));
        assertTrue(stopped.out().contains("STOPPED"), "supervisorctl status web after stop: " + stopped);
        assertNothingLeft(sup, pid, generations, app, log);
        System.out.println("supervisord: stop took " + stopMillis + " ms; " + ready1);

        Cmd shutdown = ctl(conf, "shutdown");
        assertEquals(0, shutdown.exit(), "supervisorctl shutdown: " + shutdown);
        assertTrue(sup.process.waitFor(20, TimeUnit.SECONDS), "supervisord exits after shutdown");
    }

    @Test
    @Timeout(150)
    void runitSvHupSwapsUnderLoadAndSvDownDrains() throws Exception {
        Path app = appDir();
        int port = TestServers.freePort();
        Path svc = dir.resolve("svc");
        Files.createDirectories(svc);
        Path run = svc.resolve("run");
        Files.writeString(run, "#!/bin/sh\nexec " + HupwatchProcess.script() + " --bind tcp:127.0.0.1:" + port
                + " --pass systemd --ready \"log:Booting worker\" --drain-timeout 10s"
                + " -- gunicorn --chdir " + app + " --workers 2 app:app 2>&1\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));

        Supervised sup = Supervised.start(List.of("runsv", svc.toString()), dir, app);
        cleanup.add(sup);
        LogSource log = new LogSource("runsv output", sup::lines, sup);

        log.await(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), FIRST_WAIT);
        Cmd st = sv("status", svc);
        Matcher m = Pattern.compile("^run: " + Pattern.quote(svc.toString()) + ": \\(pid (\\d+)\\) \\d+s")
                .matcher(st.out());
        assertTrue(m.find(), "sv status: " + st + "\n" + log.describe());
        long pid = Long.parseLong(m.group(1));
        assertTrue(HupwatchProcess.ProcAlive.cmdline(pid).contains("hupwatch.jar"),
                "the pid runsv watches is hupwatch's JVM (the run script execs): "
                        + HupwatchProcess.ProcAlive.cmdline(pid));
        sup.track(pid);

        reloadUnderLoad(port, log, () -> {
            Cmd c = sv("hup", svc);
            assertEquals(0, c.exit(), "sv hup: " + c);
        });

        Cmd after = sv("status", svc);
        Matcher m2 = Pattern.compile("^run: " + Pattern.quote(svc.toString()) + ": \\(pid (\\d+)\\)").matcher(after.out());
        assertTrue(m2.find() && Long.parseLong(m2.group(1)) == pid,
                "runsv still watches pid " + pid + " after " + RELOADS + " swaps: " + after);
        List<Long> generations = log.generationPids();
        assertEquals(RELOADS + 1, generations.size(), "one gunicorn per generation: " + generations);
        sup.snapshot();

        Cmd down = sv("down", svc);
        assertEquals(0, down.exit(), "sv down: " + down);
        log.await(Pattern.compile("generation " + (RELOADS + 1) + " \\(pid \\d+\\) draining: sent SIGTERM"), WAIT);
        log.await(Pattern.compile("all generations have exited; hupwatch exits with status 0"), WAIT);
        HupwatchProcess.await("sv status says down", WAIT, () -> sv("status", svc).out().startsWith("down: "));
        Cmd downStatus = sv("status", svc);
        assertTrue(downStatus.out().startsWith("down: " + svc + ": "), "sv status after sv down: " + downStatus);
        assertNothingLeft(sup, pid, generations, app, log);
        assertTrue(sup.process.isAlive(), "runsv itself keeps running (the service is only down)");
    }

    /**
     * Starts wrk, swaps {@link #RELOADS} times with {@code hup} (each time waiting for the new
     * generation's ready line and the old one's exit, then asking who serves), and checks that no
     * request failed.
     */
    private void reloadUnderLoad(int port, LogSource log, Runnable hup) throws Exception {
        String first = Http.get(port);
        assertTrue(first.startsWith("generation 1 "), "generation 1 serves: " + first);
        LoadGenerator load = LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir);
        cleanup.add(load);
        load.start();
        Thread.sleep(700);
        for (int g = 2; g <= RELOADS + 1; g++) {
            hup.run();
            log.await(Pattern.compile("generation " + g + " \\(pid \\d+\\) ready"), WAIT);
            log.await(Pattern.compile("generation " + (g - 1) + " \\(pid \\d+\\) exited"), WAIT);
            log.snapshot();
            String body = Http.get(port);
            assertTrue(body.startsWith("generation " + g + " "),
                    "after reload " + (g - 1) + " generation " + g + " serves: " + body + "\n" + log.describe());
            Thread.sleep(400);
        }
        LoadGenerator.Result result = load.finish();
        System.out.println(getClass().getSimpleName() + " (" + log.name + "): " + result);
        assertTrue(result.requests() > 500, "the load ran: " + result);
        assertEquals(0, result.failed(), "no request failed during " + RELOADS + " reloads: " + result + "\n"
                + log.describe());
    }

    /** hupwatch, every generation and every descendant seen while the program ran are gone. */
    private static void assertNothingLeft(Supervised sup, long hupwatchPid, List<Long> generations, Path app,
            LogSource log) {
        HupwatchProcess.await("hupwatch (pid " + hupwatchPid + ") exits", WAIT,
                () -> !HupwatchProcess.ProcAlive.isRunning(hupwatchPid));
        List<Long> gens = new ArrayList<>(generations);
        HupwatchProcess.await("every generation exits: " + gens, WAIT,
                () -> !HupwatchProcess.ProcAlive.anyRunning(gens));
        List<String> left = sup.seenStillRunning();
        assertTrue(left.isEmpty(), "processes of the program still running: " + left + "\n" + log.describe());
        List<String> byPath = HupwatchProcess.ProcAlive.runningWithCmdline(app.toString());
        assertTrue(byPath.isEmpty(), "processes naming " + app + " still running: " + byPath + "\n" + log.describe());
    }

    private Path appDir() throws IOException {
        return GunicornApp.copyInto(dir);
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            // a line cut in the middle of a UTF-8 sequence: read it again next time
            return List.of();
        }
    }

    /** Output and exit status of a short command. */
    record Cmd(int exit, String out) {
        @Override
        public String toString() {
            return "exit " + exit + ": " + out.trim();
        }
    }

    private Cmd ctl(Path conf, String... args) {
        List<String> cmd = new ArrayList<>(List.of("supervisorctl", "-c", conf.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private Cmd sv(String what, Path svc) {
        return run(List.of("sv", what, svc.toString()));
    }

    private Cmd run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish");
            }
            return new Cmd(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Log lines from a file or a buffer, with waits that also remember the supervisor's descendants. */
    private static final class LogSource {
        final String name;
        private final Supplier<List<String>> lines;
        private final Supervised sup;

        LogSource(String name, Supplier<List<String>> lines, Supervised sup) {
            this.name = name;
            this.lines = lines;
            this.sup = sup;
        }

        String await(Pattern pattern, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                snapshot();
                for (String line : lines.get()) {
                    if (pattern.matcher(line).find()) {
                        return line;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no line matching /" + pattern + "/ within " + timeout + "\n" + describe());
                }
                if (!sup.process.isAlive()) {
                    throw new AssertionError(sup.command + " exited with " + sup.process.exitValue()
                            + " while waiting for /" + pattern + "/\n" + describe());
                }
                HupwatchProcess.sleep(20);
            }
        }

        /** Remembers the supervisor's descendants and the generations the log named so far. */
        void snapshot() {
            sup.snapshot();
            for (long pid : generationPids()) {
                sup.trackIfOurs(pid);
            }
        }

        List<Long> generationPids() {
            Map<Integer, Long> byGeneration = new LinkedHashMap<>();
            for (String line : lines.get()) {
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    byGeneration.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
                }
            }
            return new ArrayList<>(byGeneration.values());
        }

        String describe() {
            return "--- " + name + " ---\n" + String.join("\n", lines.get());
        }
    }

    /**
     * A supervisor (supervisord, runsv) started by the test, its output read into a thread-safe
     * list, and every process of the program it ran remembered as a {@link ProcessHandle} (which
     * carries the start time, so a reused pid is neither reported nor killed).
     */
    private static final class Supervised implements AutoCloseable {
        final Process process;
        final List<String> command;
        private final Path app;
        private final List<String> output = new CopyOnWriteArrayList<>();
        private final Map<Long, ProcessHandle> seen = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread reader;

        private Supervised(Process process, List<String> command, Path app) {
            this.process = process;
            this.command = command;
            this.app = app;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        output.add(line);
                    }
                } catch (IOException ignored) {
                    // closed under us
                }
            }, "supervisor-output-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        static Supervised start(List<String> command, Path workDir, Path app) {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
            pb.environment().remove("NOTIFY_SOCKET");
            pb.environment().remove("HUPWATCH_JAVA_OPTS");
            pb.environment().remove("LISTEN_FDS");
            pb.environment().remove("LISTEN_PID");
            try {
                Process p = pb.start();
                p.getOutputStream().close();
                return new Supervised(p, command, app);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
        }

        List<String> lines() {
            return List.copyOf(output);
        }

        void snapshot() {
            try {
                process.descendants().forEach(ph -> seen.putIfAbsent(ph.pid(), ph));
            } catch (RuntimeException ignored) {
                // the tree changed under us: the next snapshot catches up
            }
        }

        void track(long pid) {
            ProcessHandle.of(pid).ifPresent(ph -> seen.putIfAbsent(pid, ph));
        }

        /** A pid the log named: ours only while its command line names this test's app directory. */
        void trackIfOurs(long pid) {
            if (!seen.containsKey(pid) && HupwatchProcess.ProcAlive.cmdline(pid).contains(app.toString())) {
                track(pid);
            }
        }

        List<String> seenStillRunning() {
            return seen.values().stream()
                    .filter(ph -> ph.isAlive() && HupwatchProcess.ProcAlive.isRunning(ph.pid()))
                    .map(ph -> ph.pid() + ": " + HupwatchProcess.ProcAlive.cmdline(ph.pid()).trim())
                    .collect(Collectors.toList());
        }

        /** SIGKILLs the supervisor and everything it started, collected before anything is killed. */
        @Override
        public void close() {
            snapshot();
            List<ProcessHandle> victims = new ArrayList<>(seen.values());
            process.destroyForcibly();
            for (ProcessHandle ph : victims) {
                ph.destroyForcibly();
            }
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (ProcessHandle ph : victims) {
                while (ph.isAlive() && HupwatchProcess.ProcAlive.isRunning(ph.pid())
                        && System.nanoTime() - deadline < 0) {
                    HupwatchProcess.sleep(10);
                }
            }
            try {
                reader.join(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

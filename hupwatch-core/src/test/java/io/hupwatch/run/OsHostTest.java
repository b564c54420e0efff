package io.hupwatch.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.os.SignalTraps;
import io.hupwatch.sockets.SocketSet;
import io.hupwatch.spawn.LaunchSettings;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.PosixSignal;
import io.hupwatch.supervisor.SpawnException;
import io.hupwatch.supervisor.SpawnRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real host against real processes: spawning, exit statuses, signals and timers. */
@Timeout(30)
class OsHostTest {
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private static final LaunchSettings PLAIN = new LaunchSettings(new io.hupwatch.supervisor.Readiness.Delay(), null, null);
    private final OsHost host = new OsHost(events::add,
            SocketSet.open(List.of(), io.hupwatch.supervisor.PassMode.HANDOFF, (g, line) -> { }), PLAIN);
    private final List<Host.Child> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killWhatWeStarted() {
        for (Host.Child c : started) {
            c.signal(PosixSignal.KILL);
        }
        host.close();
    }

    private Host.Child spawn(int generation, String script) throws SpawnException {
        Host.Child c = host.spawn(new SpawnRequest(generation, List.of("/bin/sh", "-c", script), Map.of()));
        started.add(c);
        return c;
    }

    private Event next() throws InterruptedException {
        Event e = events.poll(10, TimeUnit.SECONDS);
        assertTrue(e != null, "no event within 10s");
        return e;
    }

    @Test
    void reportsTheExitStatusOfEachGeneration() throws Exception {
        spawn(7, "exit 5");
        assertEquals(new Event.ChildExited(7, 5), next());
    }

    @Test
    void theStartUpWarmUpBindsEveryCallItUsesAndLeavesSpawningAsItWas() throws Exception {
        // The warm-up swallows its errors when it runs in the background; run directly, it must not have any.
        StartupWarmer.warm("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        StartupWarmer.warm("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        spawn(3, "exit 4");
        assertEquals(new Event.ChildExited(3, 4), next());
    }

    @Test
    void aChildKilledBySignalNReports128PlusN() throws Exception {
        spawn(1, "kill -KILL $$");
        assertEquals(new Event.ChildExited(1, 137), next());
    }

    @Test
    void sendsAnySignalThroughLibc() throws Exception {
        Path log = dir.resolve("log");
        Host.Child c = spawn(1, "trap 'echo usr2 > " + log + "; exit 0' USR2; echo up > " + log
                + ".up; while :; do sleep 0.05; done");
        awaitFile(dir.resolve("log.up"));
        c.signal(PosixSignal.USR2);
        assertEquals(new Event.ChildExited(1, 0), next());
        assertEquals("usr2", Files.readString(log).trim());
        assertFalse(c.isAlive());
        c.signal(PosixSignal.USR1); // to an exited child: nothing happens, nothing is thrown
    }

    @Test
    void stopAndKillSignals() throws Exception {
        Host.Child c = spawn(1, "trap '' TERM; while :; do sleep 0.05; done");
        Thread.sleep(200);
        c.signal(PosixSignal.TERM);
        assertEquals(null, events.poll(300, TimeUnit.MILLISECONDS), "TERM is ignored by this child");
        c.signal(PosixSignal.KILL);
        assertEquals(new Event.ChildExited(1, 137), next());
    }

    @Test
    void givesChildrenTheirVariablesAndWithholdsHupwatchsOwn() throws Exception {
        Path out = dir.resolve("env");
        Host.Child c = host.spawn(new SpawnRequest(3, List.of("/bin/sh", "-c", "env > " + out),
                Map.of("HUPWATCH_GENERATION", "3", "HUPWATCH_PID", "99")));
        started.add(c);
        next();
        String env = Files.readString(out);
        assertTrue(env.contains("HUPWATCH_GENERATION=3\n"), env);
        assertTrue(env.contains("HUPWATCH_PID=99\n"), env);
        assertFalse(env.contains("NOTIFY_SOCKET="), env);
        assertFalse(env.contains("LISTEN_FDS="), env);
    }

    @Test
    void timersPostTheirEventUnlessCancelled() throws Exception {
        Host.Timer cancelled = host.schedule(Duration.ofMillis(50), new Event.ReadyCheck(1));
        host.schedule(Duration.ofMillis(100), new Event.ReadyCheck(2));
        cancelled.cancel();
        cancelled.cancel();
        assertEquals(new Event.ReadyCheck(2), next());
        assertEquals(null, events.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void aMissingCommandIs127() {
        SpawnException e = assertThrows(SpawnException.class, () -> host.spawn(
                new SpawnRequest(1, List.of("no-such-command-hupwatch-test"), Map.of())));
        assertEquals(127, e.exitCode());
        assertTrue(e.getMessage().startsWith("command not found: no-such-command-hupwatch-test"), e.getMessage());
        SpawnException abs = assertThrows(SpawnException.class, () -> host.spawn(
                new SpawnRequest(1, List.of(dir.resolve("nope").toString()), Map.of())));
        assertEquals(127, abs.exitCode());
    }

    @Test
    void aFileThatIsNotExecutableIs126() throws Exception {
        Path f = Files.writeString(dir.resolve("server.sh"), "#!/bin/sh\necho hi\n");
        SpawnException e = assertThrows(SpawnException.class, () -> host.spawn(
                new SpawnRequest(1, List.of(f.toString()), Map.of())));
        assertEquals(126, e.exitCode());
        assertTrue(e.getMessage().contains("chmod +x"), e.getMessage());
        SpawnException d = assertThrows(SpawnException.class, () -> host.spawn(
                new SpawnRequest(1, List.of(dir.toString()), Map.of())));
        assertEquals(126, d.exitCode());
        assertTrue(d.getMessage().contains("directory"), d.getMessage());
    }

    @Test
    void aMissingInterpreterIsNamed() throws Exception {
        Path f = Files.writeString(dir.resolve("server.sh"), "#!/no/such/interpreter\n");
        f.toFile().setExecutable(true);
        SpawnException e = assertThrows(SpawnException.class, () -> host.spawn(
                new SpawnRequest(1, List.of(f.toString()), Map.of())));
        assertEquals(127, e.exitCode());
        assertTrue(e.getMessage().contains("interpreter"), e.getMessage());
    }

    @Test
    void readsTheIgnoredSignalMask() {
        // Whatever it holds, the mask must be readable here (Linux /proc), and KILL can never be ignored.
        long mask = SignalTraps.ignoredAtStartup();
        assertEquals(0, mask & (1L << (PosixSignal.KILL.number() - 1)));
    }

    private static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(p)) {
            assertTrue(System.nanoTime() < deadline, "no " + p);
            Thread.sleep(10);
        }
    }

    @Test
    void childrenStartWithNoSignalBlockedOrIgnoredAndNoStrayFds() throws Exception {
        Path out = dir.resolve("status");
        spawn(1, "grep -E 'SigBlk|SigIgn' /proc/self/status > " + out + "; ls /proc/self/fd >> " + out);
        next();
        String text = Files.readString(out);
        // Every JVM thread blocks SIGQUIT; a child must not inherit that (a QUIT stop signal would never arrive).
        assertTrue(text.contains("SigBlk:\t0000000000000000"), text);
        assertTrue(text.contains("SigIgn:\t0000000000000000"), text);
        List<String> fds = text.lines().filter(l -> l.matches("\\d+")).toList();
        assertTrue(fds.stream().allMatch(fd -> Integer.parseInt(fd) <= 3), "only stdio (and ls's own dir fd): " + fds);
    }

    @Test
    void systemdModePlacesEverySocketFromFd3() throws Exception {
        Path out = dir.resolve("env");
        try (SocketSet sockets = SocketSet.open(List.of(
                io.hupwatch.supervisor.BindAddress.parse("web=tcp:127.0.0.1:0", 0),
                io.hupwatch.supervisor.BindAddress.parse("admin=unix:" + dir.resolve("a.sock"), 1)),
                io.hupwatch.supervisor.PassMode.SYSTEMD, (g, l) -> { });
                OsHost systemd = new OsHost(events::add, sockets, PLAIN)) {
            Host.Child c = systemd.spawn(new SpawnRequest(1, List.of("/bin/sh", "-c",
                    "echo $LISTEN_FDS $LISTEN_FDNAMES $LISTEN_PID $$ > " + out + "; ls -l /proc/$$/fd/3 /proc/$$/fd/4 >> " + out),
                    Map.of()));
            started.add(c);
            assertEquals(new Event.ChildExited(1, 0), next());
            List<String> lines = Files.readAllLines(out);
            String[] first = lines.get(0).split(" ");
            assertEquals("2", first[0]);
            assertEquals("web:admin", first[1]);
            assertEquals(first[3], first[2], "LISTEN_PID is the server's own pid");
            assertEquals(String.valueOf(c.pid()), first[2], "the trampoline execs: same pid");
            assertTrue(lines.get(1).contains("socket:") && lines.get(2).contains("socket:"), lines.toString());
        }
    }
}

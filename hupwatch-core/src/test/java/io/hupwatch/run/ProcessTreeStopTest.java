package io.hupwatch.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.sockets.SocketSet;
import io.hupwatch.spawn.LaunchSettings;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.PassMode;
import io.hupwatch.supervisor.PosixSignal;
import io.hupwatch.supervisor.Readiness;
import io.hupwatch.supervisor.SpawnRequest;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** A generation is its process tree, with real processes: a shell that does not exec, a daemonized child. */
@Timeout(30)
class ProcessTreeStopTest {
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final OsHost host = new OsHost(events::add, SocketSet.open(List.of(), PassMode.HANDOFF, (g, line) -> { }),
            new LaunchSettings(new Readiness.Delay(), null, null));
    private final List<Long> pids = new ArrayList<>();
    private final List<Host.Child> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killWhatWeStarted() {
        started.forEach(c -> c.signal(PosixSignal.KILL));
        pids.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        host.close();
    }

    private Host.Child spawn(int generation, String script) throws Exception {
        Host.Child c = host.spawn(new SpawnRequest(generation, List.of("/bin/sh", "-c", script), Map.of(
                "HUPWATCH_PID", Long.toString(ProcessHandle.current().pid()),
                "HUPWATCH_GENERATION", Integer.toString(generation))));
        started.add(c);
        pids.add(c.pid());
        return c;
    }

    private long pidFrom(Path file) throws Exception {
        for (int i = 0; i < 200 && (!Files.exists(file) || Files.readString(file).isBlank()); i++) {
            Thread.sleep(25);
        }
        long pid = Long.parseLong(Files.readString(file).trim());
        pids.add(pid);
        return pid;
    }

    private static void assertGone(long pid) throws InterruptedException {
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(20);
        }
        // A zombie is not alive to ProcessHandle, but /proc still lists it: only its stat says.
        assertFalse(Files.exists(Path.of("/proc/" + pid)) && !isZombie(pid), "pid " + pid + " is still running");
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void theStopSignalReachesTheProcessAShellStartedWithoutExecAndTheGenerationExitsWhenBothHave() throws Exception {
        Path sleeper = dir.resolve("sleeper");
        // The last command is not the only one, so sh forks it rather than exec'ing it.
        Host.Child c = spawn(4, "sleep 300 & echo $! > " + sleeper + "; wait; echo done");
        long sleepPid = pidFrom(sleeper);
        c.signal(PosixSignal.TERM);
        assertEquals(new Event.ChildExited(4, 143), events.poll(10, TimeUnit.SECONDS));
        assertGone(c.pid());
        assertGone(sleepPid);
    }

    @Test
    void aDaemonizedProcessKeepsItsGenerationAliveUntilItIsStoppedToo() throws Exception {
        Path daemon = dir.resolve("daemon");
        Host.Child c = spawn(5, "setsid sleep 300 & echo $! > " + daemon + "; exit 3");
        long daemonPid = pidFrom(daemon);
        assertNull(events.poll(500, TimeUnit.MILLISECONDS), "the generation exited while its daemon runs");
        assertTrue(c.isAlive());
        c.signal(PosixSignal.TERM);
        assertEquals(new Event.ChildExited(5, 3), events.poll(10, TimeUnit.SECONDS), "the leader's status");
        assertGone(daemonPid);
        assertFalse(c.isAlive());
    }
}

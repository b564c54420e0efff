package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.HupwatchProcess.ProcAlive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * hupwatch as PID 1 of a container ({@code unshare --pid --fork --mount-proc}, as Docker runs its
 * entrypoint): every orphan of the container becomes its child, and it must reap them, or the
 * container fills with zombies. Signals must still work (a PID 1 gets only the signals it handles),
 * and TERM must stop it cleanly with the serving generation's status.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerPid1Test extends CliTestSupport {

    @Test
    void asPid1ItReapsOrphansSwapsOnHupAndStopsOnTerm() throws Exception {
        // A sleep whose command line names the test directory, so leftovers are recognisable.
        Path sleep = dir.resolve("csleep");
        Files.copy(Path.of("/bin/sleep"), sleep);
        Files.setPosixFilePermissions(sleep, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String server = "for i in 1 2 3; do (" + sleep + " 0.3 &); done; exec " + sleep + " 300";
        List<String> command = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                HupwatchProcess.script().toString(), "--warmup", "300ms", "--drain-timeout", "2s", "--", "/bin/sh", "-c", server);
        try (HupwatchProcess unshare = HupwatchProcess.startCommand(dir, command)) {
            // hupwatch's pid on the host: the java under unshare whose pid in the new namespace is 1.
            AtomicLong found = new AtomicLong();
            HupwatchProcess.await("hupwatch as PID 1 under unshare", WAIT, () -> {
                for (long pid : ProcFs.descendants(unshare.pid())) {
                    List<Long> ns = ProcFs.nsPids(pid);
                    if (ns.size() == 2 && ns.get(1) == 1 && ProcFs.comm(pid).equals("java")) {
                        found.set(pid);
                        return true;
                    }
                }
                return false;
            });
            long hupwatch = found.get();

            // Watch hupwatch's children from now on: the orphans must show up there, and go away.
            Set<Long> orphans = ConcurrentHashMap.newKeySet();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    for (long child : ProcFs.children(hupwatch)) {
                        if (ProcAlive.cmdline(child).startsWith(sleep + " 0.3")) {
                            orphans.add(child);
                        }
                    }
                    HupwatchProcess.sleep(5);
                }
            }, "pid1-watcher");
            watcher.setDaemon(true);
            watcher.start();
            try {
                unshare.awaitLine(Pattern.compile("hupwatch - hupwatch is PID 1: it reaps orphaned processes"), WAIT);
                unshare.awaitLine(ready(1), WAIT);
                HupwatchProcess.sleep(2000);
                assertTrue(orphans.size() >= 3, "the 3 orphans of generation 1 became hupwatch's children: " + orphans);
                assertNoZombieChild(hupwatch, "2s after 3 orphans of generation 1 exited");
                for (long pid : orphans) {
                    assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))), "orphan " + pid + " was reaped");
                }
                List<Long> before = ProcFs.children(hupwatch);
                assertEquals(1, before.size(), "only generation 1 is left under hupwatch: " + before);

                // Signals reach PID 1: HUP swaps generations.
                HupwatchProcess.sendSignal("HUP", hupwatch);
                unshare.awaitLine(ready(2), WAIT);
                unshare.awaitLine(gen(1, "exited with status 143 \\(SIGTERM\\)"), WAIT);
                int orphansOfBoth = orphans.size();
                HupwatchProcess.sleep(1000);
                assertTrue(orphansOfBoth >= 6, "the orphans of generation 2 became hupwatch's children too: " + orphans);
                assertNoZombieChild(hupwatch, "after the swap");
                List<Long> after = ProcFs.children(hupwatch);
                assertEquals(1, after.size(), "only generation 2 is left under hupwatch: " + after);
                assertFalse(before.equals(after), "generation 2 replaced generation 1");
            } finally {
                watching.set(false);
                watcher.join(1000);
            }

            // TERM: hupwatch stops generation 2 and exits with its status, which unshare passes on.
            HupwatchProcess.sendSignal("TERM", hupwatch);
            int status = unshare.awaitExit(WAIT);
            assertEquals(143, status, "unshare exits with hupwatch's status, generation 2's SIGTERM\n" + unshare.describe());
            unshare.awaitLine(Pattern.compile("hupwatch - all generations have exited; hupwatch exits with status 143 \\(SIGTERM\\)$"),
                    Duration.ZERO);
            assertFalse(ProcAlive.isRunning(hupwatch), "hupwatch is gone");
            assertTrue(unshare.linesMatching(Pattern.compile("\\[(WARN|ERROR)\\]|Exception")).isEmpty(), unshare.describe());
            HupwatchProcess.await("nothing of the container left", WAIT,
                    () -> ProcAlive.runningWithCmdline(dir.toString()).isEmpty());
            assertNothingLeft(unshare);
            System.out.println(getClass().getSimpleName() + ": hupwatch host pid " + hupwatch + " reaped " + orphans.size()
                    + " orphans; unshare exited " + status);
        }
    }

    private static void assertNoZombieChild(long hupwatch, String when) {
        List<String> zombies = ProcFs.children(hupwatch).stream().filter(ProcFs::isZombie)
                .map(p -> p + " (" + ProcFs.comm(p) + ")").collect(Collectors.toList());
        assertTrue(zombies.isEmpty(), "zombies among the children of hupwatch (PID 1) " + when + ": " + zombies);
    }
}

package io.hupwatch.spawn;

import io.hupwatch.os.Native;
import io.hupwatch.os.WaitPid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * hupwatch is a child subreaper ({@code PR_SET_CHILD_SUBREAPER}; as PID 1 in a container it is one
 * anyway): a process of a generation whose parent exits (the JVM of a start script that did not
 * {@code exec} it) becomes hupwatch's child, so it stays in reach of the stop signal, and nobody else
 * will reap it. On SIGCHLD this reaps the zombies among hupwatch's children that it did
 * not start itself, each by its own pid: never {@code waitpid(-1)}, which could take the status of
 * a generation (or of a process the JDK waits for).
 */
public final class OrphanReaper {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hupwatch-reaper");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicBoolean QUEUED = new AtomicBoolean();

    private static volatile boolean adopting;

    private OrphanReaper() {
    }

    /** Whether what a generation leaves behind becomes hupwatch's child (a subreaper, or PID 1). */
    public static boolean adoptsOrphans() {
        return adopting;
    }

    /** Makes hupwatch a subreaper (unless it is PID 1) and reaps its orphaned children from now on. */
    public static void install() {
        if (ProcessHandle.current().pid() == 1) {
            adopting = true;
            log.info("hupwatch is PID 1: it reaps orphaned processes");
        } else if (Native.libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0) {
            adopting = true;
        } else {
            log.warn("prctl(PR_SET_CHILD_SUBREAPER) failed: {}; a process a generation leaves behind is"
                    + " found by its environment only", Native.lastError());
        }
        sun.misc.Signal.handle(new sun.misc.Signal("CHLD"), s -> {
            if (QUEUED.compareAndSet(false, true)) {
                WORKER.execute(OrphanReaper::reapOnce);
            }
        });
    }

    static void reapOnce() {
        QUEUED.set(false);
        KnownChildren.scanning(OrphanReaper::scan);
    }

    private static void scan() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    for (String pid : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                        if (!pid.isEmpty()) {
                            reapIfOrphanZombie(Long.parseLong(pid));
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    log.debug("reaper: {}", e.toString());
                }
            });
        } catch (IOException e) {
            log.debug("reaper: {}", e.toString());
        }
    }

    private static void reapIfOrphanZombie(long pid) {
        if (KnownChildren.contains(pid) || !isZombie(pid)) {
            return;
        }
        if (WaitPid.reapIfExited((int) pid)) {
            log.debug("reaped orphaned process {}", pid);
        }
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}

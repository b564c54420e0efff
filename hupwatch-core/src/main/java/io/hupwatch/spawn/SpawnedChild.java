package io.hupwatch.spawn;

import io.hupwatch.os.LibC;
import io.hupwatch.os.Native;
import io.hupwatch.os.ProcessTable;
import io.hupwatch.os.ProcessTable.ProcessEntry;
import io.hupwatch.os.ResidentMemory;
import io.hupwatch.os.WaitPid;
import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.PosixSignal;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generation's processes, started by {@link PosixSpawner}: its first process (the leader) and the
 * rest of its {@link GenerationMembers}. One daemon thread waits for exactly the leader's pid (never
 * {@code waitpid(-1)}, which could take a status the JDK is waiting for) and reaps it; the generation
 * has exited once no process of its tree is left (a start script that runs {@code java} without
 * {@code exec} exits before its JVM), and then reports the leader's status: the exit code, or 128+N
 * when signal N killed it. Daemons that left the generation on purpose ({@link DetachedDaemons}) are
 * waited for up to the drain timeout after the first process exited on its own, then let go of, in
 * one line (a generation hupwatch stops is SIGKILLed whole at its drain timeout instead).
 */
public final class SpawnedChild implements Host.Child {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int ESRCH = 3;
    private static final long POLL_MILLIS = 100;
    /** After the drain timeout, daemons are looked for once a second. */
    private static final long DAEMON_CHECK_POLLS = 10;

    private final int pid;
    private final int generation;
    private final GenerationMembers tree;
    private final ProcessTable table;
    private final Duration drainTimeout;
    private volatile boolean reaped;
    private volatile boolean gone;
    /** Whether hupwatch sent the tree a stop signal: its drain timeout and SIGKILL then decide, daemons included. */
    private volatile boolean stopping;

    /** @param onExit gets the leader's status once the whole tree has exited */
    public SpawnedChild(int pid, int generation, GenerationMembers tree, ProcessTable table, Duration drainTimeout,
            IntConsumer onExit) {
        this.pid = pid;
        this.table = table;
        this.drainTimeout = drainTimeout;
        this.generation = generation;
        this.tree = tree;
        KnownChildren.add(pid);
        Thread waiter = new Thread(() -> {
            int status = awaitExit();
            awaitTree(status);
            gone = true;
            onExit.accept(status);
        }, "hupwatch-wait-" + pid);
        waiter.setDaemon(true);
        waiter.start();
    }

    private int awaitExit() {
        int status;
        try {
            status = WaitPid.untilExit(pid);
        } catch (IOException e) {
            reaped = true;
            log.error("{}; treating it as exited", e.getMessage());
            return 255;
        }
        reaped = true;
        KnownChildren.remove(pid);
        return decode(status);
    }

    /** Waits until no process of the generation is left (the leader has been reaped already). */
    private void awaitTree(int status) {
        List<ProcessEntry> left = tree.members(true);
        if (left.isEmpty()) {
            return;
        }
        log.info("generation {}: pid {} exited with {}, {} left of it ({}); the generation has exited when they"
                + " have", generation, pid, io.hupwatch.supervisor.ExitStatus.describe(status),
                left.size() == 1 ? "1 process" : left.size() + " processes", pids(left));
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        long polls = 0;
        while (!left.isEmpty()) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            left = tree.members(false);
            boolean pastDeadline = System.nanoTime() - deadline > 0;
            if (!stopping && pastDeadline && !left.isEmpty() && polls++ % DAEMON_CHECK_POLLS == 0) {
                left = withoutDaemons(left);
            }
        }
    }

    /** Lets go of the daemons among {@code left}, saying which: what is left then. */
    private List<ProcessEntry> withoutDaemons(List<ProcessEntry> left) {
        List<ProcessEntry> daemons = DetachedDaemons.among(tree.members(true), tree.leader(), table);
        if (daemons.isEmpty()) {
            return left;
        }
        log.warn("generation {}: not waiting for {}, which left the generation (a session of its own, none of"
                + " hupwatch's sockets) and still runs {} after pid {} exited", generation,
                DetachedDaemons.describe(daemons), io.hupwatch.supervisor.Durations.format(drainTimeout), pid);
        tree.letGo(daemons);
        return tree.members(false);
    }

    private static String pids(List<ProcessEntry> processes) {
        return processes.stream().map(e -> "pid " + e.pid()).collect(Collectors.joining(", "));
    }

    /** A waitpid status as a shell reports it: the exit code, or 128+N for death by signal N. */
    static int decode(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return !gone;
    }

    /** The sum over the generation's processes ({@link ResidentMemory}); one look at /proc. */
    @Override
    public long privateMemory() {
        return gone ? -1 : tree.members(false).stream().mapToLong(e -> ResidentMemory.privateBytes(e.pid())).sum();
    }

    /**
     * To every process of the generation; a stop signal is followed by SIGCONT, so that a stopped
     * process (SIGTSTP, or SIGTTIN from reading a terminal) gets it too.
     */
    @Override
    public void signal(PosixSignal signal) {
        if (gone) {
            return;
        }
        if (signal != PosixSignal.CONT && signal != PosixSignal.STOP) {
            stopping = true;
        }
        if (signal == PosixSignal.KILL || signal == PosixSignal.CONT || signal == PosixSignal.STOP) {
            tree.signal(signal.number());
        } else {
            tree.signal(signal.number(), PosixSignal.CONT.number());
        }
    }

    /** To the leader alone, as long as it runs; once it has exited, to what is left of the generation. */
    @Override
    public void forward(PosixSignal signal) {
        if (gone) {
            return;
        }
        if (!reaped) {
            LibC libc = Native.libc();
            if (libc.kill(pid, signal.number()) != 0 && Native.lastErrno() != ESRCH) {
                log.warn("kill({}, {}) failed: {}", pid, signal.displayName(), Native.lastError());
            }
        } else {
            tree.signal(signal.number());
        }
    }
}

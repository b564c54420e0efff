package io.hupwatch.spawn;

import io.hupwatch.os.LibC;
import io.hupwatch.os.Native;
import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.PosixSignal;
import java.util.function.IntConsumer;
import jnr.ffi.byref.IntByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generation's process, started by {@link PosixSpawner}. One daemon thread waits for exactly this
 * pid (never {@code waitpid(-1)}, which could take a status the JDK is waiting for), reaps it and
 * reports its status: the exit code, or 128+N when signal N killed it. Signals go only to a process
 * not yet reaped, so never to a reused pid.
 */
public final class SpawnedChild implements Host.Child {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int EINTR = 4;
    private static final int ESRCH = 3;

    private final int pid;
    private volatile boolean reaped;

    public SpawnedChild(int pid, IntConsumer onExit) {
        this.pid = pid;
        KnownChildren.add(pid);
        Thread waiter = new Thread(() -> onExit.accept(awaitExit()), "hupwatch-wait-" + pid);
        waiter.setDaemon(true);
        waiter.start();
    }

    private int awaitExit() {
        LibC libc = Native.libc();
        IntByReference status = new IntByReference(0);
        while (true) {
            int r = libc.waitpid(pid, status, 0);
            if (r == pid) {
                reaped = true;
                KnownChildren.remove(pid);
                return decode(status.intValue());
            }
            if (Native.lastErrno() != EINTR) {
                reaped = true;
                log.error("waitpid({}) failed: {}; treating it as exited", pid, Native.lastError());
                return 255;
            }
        }
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
        return !reaped;
    }

    @Override
    public void signal(PosixSignal signal) {
        if (reaped) {
            return;
        }
        LibC libc = Native.libc();
        if (libc.kill(pid, signal.number()) != 0 && Native.lastErrno() != ESRCH) {
            log.warn("kill({}, {}) failed: {}", pid, signal.displayName(), Native.lastError());
        }
    }
}

package io.hupwatch.internal;

import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.PosixSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A generation's process. Signals go only to a process the JDK has not yet seen exit, never to a reused pid. */
final class OsChild implements Host.Child {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int ESRCH = 3;

    private final Process process;

    OsChild(Process process) {
        this.process = process;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void signal(PosixSignal signal) {
        if (!process.isAlive()) {
            return;
        }
        switch (signal) {
            case TERM -> process.destroy();
            case KILL -> process.destroyForcibly();
            default -> {
                LibC libc = Native.libc();
                if (libc.kill((int) process.pid(), signal.number()) != 0 && Native.lastErrno() != ESRCH) {
                    log.warn("kill({}, {}) failed: {}", process.pid(), signal.displayName(), Native.lastError());
                }
            }
        }
    }
}

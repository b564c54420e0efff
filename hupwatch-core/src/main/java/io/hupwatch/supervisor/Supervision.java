package io.hupwatch.supervisor;

import io.hupwatch.internal.OsHost;
import io.hupwatch.internal.SignalTraps;
import java.util.EnumSet;
import java.util.Set;

/** Runs a server under hupwatch for real: signal traps, the OS host and the event loop, wired together. */
public final class Supervision {
    /** The signals hupwatch acts on: HUP, TERM and INT itself, the rest forwarded to the serving generation. */
    public static final Set<PosixSignal> HANDLED = EnumSet.of(PosixSignal.HUP, PosixSignal.TERM, PosixSignal.INT,
            PosixSignal.USR1, PosixSignal.USR2, PosixSignal.WINCH, PosixSignal.TTIN, PosixSignal.TTOU);

    private Supervision() {
    }

    /**
     * Supervises until the last generation has exited.
     *
     * @return the status hupwatch should exit with
     * @throws IllegalStateException when supervision cannot begin (a signal cannot be handled)
     */
    public static int run(SupervisorConfig config) {
        EventLoop loop = new EventLoop();
        SignalTraps.install(HANDLED, loop);
        try (OsHost host = new OsHost(loop)) {
            return loop.run(new Supervisor(config, host, ProcessHandle.current().pid()));
        }
    }
}

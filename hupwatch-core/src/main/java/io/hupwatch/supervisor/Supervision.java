package io.hupwatch.supervisor;

import io.hupwatch.internal.OsHost;
import io.hupwatch.internal.SignalTraps;
import io.hupwatch.internal.SocketSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.EnumSet;
import java.util.Set;

/** Runs a server under hupwatch for real: signal traps, the OS host and the event loop, wired together. */
public final class Supervision {
    /** The signals hupwatch acts on: HUP, TERM and INT itself, the rest forwarded to the serving generation. */
    public static final Set<PosixSignal> HANDLED = EnumSet.of(PosixSignal.HUP, PosixSignal.TERM, PosixSignal.INT,
            PosixSignal.USR1, PosixSignal.USR2, PosixSignal.WINCH, PosixSignal.TTIN, PosixSignal.TTOU);

    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private Supervision() {
    }

    /**
     * Supervises until the last generation has exited.
     *
     * @return the status hupwatch should exit with
     * @throws StartupException when supervision cannot begin (a socket cannot be bound, ...)
     * @throws IllegalStateException when a signal cannot be handled
     */
    public static int run(SupervisorConfig config) {
        EventLoop loop = new EventLoop();
        try (SocketSet sockets = SocketSet.open(config.binds(), config.pass(), Supervision::onChildMessage)) {
            if (!config.binds().isEmpty()) {
                log.info("listening on {}; each generation gets {} by --pass {}", sockets.addresses().stream()
                        .map(a -> a.display() + " (" + a.name() + ")").collect(Collectors.joining(", ")),
                        config.binds().size() == 1 ? "it" : "them", config.pass().cliName());
            }
            SignalTraps.install(HANDLED, loop);
            try (OsHost host = new OsHost(loop, sockets)) {
                return loop.run(new Supervisor(config, host, ProcessHandle.current().pid()));
            }
        }
    }

    private static void onChildMessage(int generation, String line) {
        log.debug("generation {} says: {}", generation, line);
    }
}

package io.hupwatch.os;

import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.PosixSignal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns signals sent to hupwatch into events. The handlers only post; the event loop does the work.
 *
 * <p>A signal that was already ignored when the JVM started (HUP under {@code nohup}, INT in a
 * background job of a script) is accepted by the JVM's handler registration and then never
 * delivered, so such a signal is first put back to its default disposition through libc.
 */
public final class SignalTraps {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private SignalTraps() {
    }

    /**
     * @throws IllegalStateException when a signal cannot be handled, naming it and the likely cause
     */
    public static void install(Set<PosixSignal> signals, EventSink sink) {
        long ignored = ignoredAtStartup();
        for (PosixSignal sig : signals) {
            if ((ignored & (1L << (sig.number() - 1))) != 0) {
                Native.libc().signal(sig.number(), null);
                log.debug("{} was ignored when hupwatch started; restored its default so it can be handled",
                        sig.displayName());
            }
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(sig.name()), s -> sink.post(new Event.SignalReceived(sig)));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("cannot handle " + sig.displayName() + ": " + e.getMessage()
                        + " (remove -Xrs from the JVM options if it is there)", e);
            }
        }
    }

    /** The SigIgn mask of this process, read from /proc: bit N-1 set means signal N is ignored. */
    public static long ignoredAtStartup() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.debug("cannot read the ignored-signal mask from /proc/self/status: {}", e.toString());
        }
        return 0;
    }
}

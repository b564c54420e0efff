package io.hupwatch.ops;

import io.hupwatch.os.UnixDatagram;
import io.hupwatch.supervisor.Lifecycle;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd (hupwatch's own {@code NOTIFY_SOCKET}, a path or an {@code @abstract} name) what
 * hupwatch is doing, so that {@code Type=notify} and {@code Type=notify-reload} units work and
 * {@code systemctl reload} waits for the swap.
 */
public final class SystemdNotifier implements Lifecycle {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final String socket;

    private SystemdNotifier(String socket) {
        this.socket = socket;
    }

    /** The notifier for hupwatch's own NOTIFY_SOCKET, or a silent one when there is none. */
    public static Lifecycle fromEnvironment() {
        String s = System.getenv("NOTIFY_SOCKET");
        return s == null || s.isEmpty() ? Lifecycle.NONE : new SystemdNotifier(s);
    }

    @Override
    public void started(int generation, long pid) {
        send("READY=1\nMAINPID=" + ProcessHandle.current().pid() + "\nSTATUS=generation " + generation + " (pid "
                + pid + ") serving");
    }

    @Override
    public void reloading() {
        // MONOTONIC_USEC is CLOCK_MONOTONIC, which is what System.nanoTime reads on Linux.
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=reloading");
    }

    @Override
    public void reloaded(boolean ok, String summary) {
        send("READY=1\nSTATUS=" + summary);
    }

    @Override
    public void status(String text) {
        send("STATUS=" + text);
    }

    @Override
    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    private void send(String message) {
        try {
            UnixDatagram.send(socket, message);
        } catch (IOException e) {
            log.warn("cannot notify systemd at {}: {}", socket, e.getMessage());
        }
    }
}

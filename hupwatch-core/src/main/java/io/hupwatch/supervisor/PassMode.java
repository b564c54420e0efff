package io.hupwatch.supervisor;

import java.util.Locale;

/** How each generation receives the sockets hupwatch holds ({@code --pass}). */
public enum PassMode {
    /** SCM_RIGHTS over the per-generation unix socket named by {@code HUPWATCH_SOCKET}. */
    HANDOFF,
    /** The single socket is the child's fd 0 ({@code System.inheritedChannel()}, inetd style). */
    STDIN,
    /** fds 3, 4, ... with {@code LISTEN_FDS}, {@code LISTEN_PID} and {@code LISTEN_FDNAMES} (systemd socket activation). */
    SYSTEMD;

    public static PassMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a pass mode: use handoff, stdin or systemd");
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

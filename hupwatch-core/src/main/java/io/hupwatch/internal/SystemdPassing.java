package io.hupwatch.internal;

import io.hupwatch.supervisor.SpawnException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --pass systemd}: socket activation as systemd does it. The socket reaches the child as
 * fd 0 and a small {@code /bin/sh} trampoline moves it to fd 3, points stdin at /dev/null, sets
 * {@code LISTEN_FDS=1} and {@code LISTEN_PID} to its own pid, and execs the command (so the pid
 * stays the same and LISTEN_PID names the server itself).
 */
final class SystemdPassing implements SocketPassing {
    static final String TRAMPOLINE =
            "exec 3<&0 </dev/null; LISTEN_FDS=1; LISTEN_PID=$$; export LISTEN_FDS LISTEN_PID; exec \"$@\"";

    private final ListeningSocket socket;

    SystemdPassing(ListeningSocket socket) {
        this.socket = socket;
    }

    @Override
    public Process start(ProcessBuilder builder, int generation) throws IOException, SpawnException {
        List<String> command = builder.command();
        Executables.check(command.get(0), builder.environment().get("PATH"));
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", TRAMPOLINE, "hupwatch-systemd"));
        wrapped.addAll(command);
        builder.command(wrapped);
        builder.environment().put("LISTEN_FDNAMES", socket.address().name());
        return StdinSwap.start(builder, socket.fd());
    }
}

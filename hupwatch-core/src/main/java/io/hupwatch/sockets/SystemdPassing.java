package io.hupwatch.sockets;

import io.hupwatch.spawn.Launch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * {@code --pass systemd}: socket activation as systemd does it. The sockets are the child's fds
 * 3, 4, ... with {@code LISTEN_FDS} and {@code LISTEN_FDNAMES}; a one-line {@code /bin/sh}
 * trampoline sets {@code LISTEN_PID} to its own pid and execs the command, so the pid stays the
 * same and LISTEN_PID names the server itself (only the started process knows its pid before exec).
 */
final class SystemdPassing implements SocketPassing {
    static final String TRAMPOLINE = "LISTEN_PID=$$; export LISTEN_PID; exec \"$@\"";
    private static final int FIRST_FD = 3;

    private final List<ListeningSocket> sockets;

    SystemdPassing(List<ListeningSocket> sockets) {
        this.sockets = List.copyOf(sockets);
    }

    @Override
    public IntConsumer prepare(Launch launch, int generation) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", TRAMPOLINE, "hupwatch-systemd"));
        wrapped.addAll(launch.command);
        launch.command.clear();
        launch.command.addAll(wrapped);
        for (int i = 0; i < sockets.size(); i++) {
            launch.placeFd(FIRST_FD + i, sockets.get(i).fd());
        }
        launch.environment.put("LISTEN_FDS", Integer.toString(sockets.size()));
        launch.environment.put("LISTEN_FDNAMES",
                sockets.stream().map(s -> s.address().name()).collect(Collectors.joining(":")));
        return pid -> { };
    }
}

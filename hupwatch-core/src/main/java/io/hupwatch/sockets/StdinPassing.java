package io.hupwatch.sockets;

import io.hupwatch.spawn.Launch;
import java.util.function.IntConsumer;

/** {@code --pass stdin}: the one bound socket is the child's fd 0, as inetd and {@code System.inheritedChannel()} expect. */
final class StdinPassing implements SocketPassing {
    private final ListeningSocket socket;

    StdinPassing(ListeningSocket socket) {
        this.socket = socket;
    }

    @Override
    public IntConsumer prepare(Launch launch, int generation) {
        launch.placeFd(0, socket.fd());
        return pid -> { };
    }
}

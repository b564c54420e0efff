package io.hupwatch.internal;

import java.io.IOException;

/** {@code --pass stdin}: the one bound socket is the child's fd 0, as inetd and {@code System.inheritedChannel()} expect. */
final class StdinPassing implements SocketPassing {
    private final ListeningSocket socket;

    StdinPassing(ListeningSocket socket) {
        this.socket = socket;
    }

    @Override
    public Process start(ProcessBuilder builder, int generation) throws IOException {
        return StdinSwap.start(builder, socket.fd());
    }
}

package io.hupwatch.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** {@code --pass handoff}: each generation gets its own handoff socket, named by {@code HUPWATCH_SOCKET}. */
final class HandoffPassing implements SocketPassing {
    private final RuntimeDir runtimeDir;
    private final List<ListeningSocket> sockets;
    private final BiConsumer<Integer, String> onMessage;
    private final Map<Integer, HandoffServer> servers = new ConcurrentHashMap<>();

    HandoffPassing(RuntimeDir runtimeDir, List<ListeningSocket> sockets, BiConsumer<Integer, String> onMessage) {
        this.runtimeDir = runtimeDir;
        this.sockets = sockets;
        this.onMessage = onMessage;
    }

    @Override
    public Process start(ProcessBuilder builder, int generation) throws IOException {
        Path path = runtimeDir.path().resolve("generation-" + generation + ".sock");
        HandoffServer server = new HandoffServer(path, generation, sockets, onMessage);
        builder.environment().put("HUPWATCH_SOCKET", path.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            server.close();
            throw e;
        }
        server.childStarted(process.pid());
        servers.put(generation, server);
        return process;
    }

    @Override
    public void exited(int generation) {
        HandoffServer server = servers.remove(generation);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public void close() {
        servers.values().forEach(HandoffServer::close);
        servers.clear();
    }
}

package io.hupwatch.sockets;

import io.hupwatch.spawn.Launch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

/** {@code --pass handoff}: each generation gets its own handoff socket, named by {@code HUPWATCH_SOCKET}. */
final class HandoffPassing implements SocketPassing {
    private final RuntimeDir runtimeDir;
    private final List<ListeningSocket> sockets;
    private final BiConsumer<Integer, String> onMessage;
    private final AgentMessages agentMessages;
    private final Map<Integer, HandoffServer> servers = new ConcurrentHashMap<>();

    HandoffPassing(RuntimeDir runtimeDir, List<ListeningSocket> sockets, BiConsumer<Integer, String> onMessage) {
        this(runtimeDir, sockets, onMessage, AgentMessages.NONE);
    }

    /** @param agentMessages what hupwatch's Java agent says about sockets on this connection, if it is attached */
    HandoffPassing(RuntimeDir runtimeDir, List<ListeningSocket> sockets, BiConsumer<Integer, String> onMessage,
            AgentMessages agentMessages) {
        this.runtimeDir = runtimeDir;
        this.sockets = sockets;
        this.onMessage = onMessage;
        this.agentMessages = agentMessages;
    }

    @Override
    public IntConsumer prepare(Launch launch, int generation) throws IOException {
        Path path = runtimeDir.path().resolve("generation-" + generation + ".sock");
        HandoffServer server = new HandoffServer(path, generation, sockets, onMessage, agentMessages, true);
        servers.put(generation, server);
        launch.environment.put("HUPWATCH_SOCKET", path.toString());
        return server::childStarted;
    }

    @Override
    public void startFailed(int generation) {
        exited(generation);
    }

    @Override
    public void exited(int generation) {
        HandoffServer server = servers.remove(generation);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public boolean tellAgent(int generation, String line) {
        HandoffServer server = servers.get(generation);
        return server != null && server.tellAgent(line);
    }

    @Override
    public void close() {
        servers.values().forEach(HandoffServer::close);
        servers.clear();
    }
}

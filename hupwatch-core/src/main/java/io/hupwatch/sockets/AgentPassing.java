package io.hupwatch.sockets;

import io.hupwatch.os.SocketIdentity;
import io.hupwatch.spawn.JvmAgent;
import io.hupwatch.spawn.Launch;
import io.hupwatch.supervisor.SpawnException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pass mode plus hupwatch's Java agent, for the generations the agent attaches to: the agent is
 * added to the command, every held socket is open in the child (where the pass mode put it, else on
 * fds 3, 4, ...), and the agent reports over a handoff socket of the generation (the pass mode's own
 * in handoff mode, else one made for it). What the agent needs is in {@code HUPWATCH_AGENT}. Without
 * {@code --bind}, the agent hands over the sockets its server opens ({@link Adoptions}), and later
 * generations get those.
 */
final class AgentPassing implements SocketPassing {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final String HANDOFF_VARIABLE = "HUPWATCH_SOCKET";

    private final SocketPassing mode;
    private final JvmAgent agent;
    private final RuntimeDir runtimeDir;
    private final List<ListeningSocket> sockets;
    private final BiConsumer<Integer, String> onMessage;
    private final AgentMessages agentMessages;
    private final boolean adopt;
    private final Map<Integer, HandoffServer> links = new ConcurrentHashMap<>();

    /**
     * @param sockets the held sockets, a live list (adopted ones join it)
     * @param adopt   whether the agent hands over the sockets its server opens (no --bind)
     */
    AgentPassing(SocketPassing mode, JvmAgent agent, RuntimeDir runtimeDir, List<ListeningSocket> sockets,
            BiConsumer<Integer, String> onMessage, AgentMessages agentMessages, boolean adopt) {
        this.mode = mode;
        this.agent = agent;
        this.runtimeDir = runtimeDir;
        this.sockets = sockets;
        this.onMessage = onMessage;
        this.agentMessages = agentMessages;
        this.adopt = adopt;
    }

    @Override
    public IntConsumer prepare(Launch launch, int generation) throws IOException, SpawnException {
        if (!agent.attachesTo(launch.command)) {
            return mode.prepare(launch, generation);
        }
        // before the pass mode, which may wrap the command in a shell trampoline
        agent.addTo(launch);
        agentMessages.starting(generation);
        IntConsumer modeStarted = mode.prepare(launch, generation);
        List<String> held = new ArrayList<>();
        List<ListeningSocket> now = List.copyOf(sockets);
        for (ListeningSocket s : now) {
            String identity = SocketIdentity.of(s.fd());
            held.add(childFd(launch, s.fd()) + (identity == null ? "" : ":" + identity) + "@" + s.address().display());
        }
        String own = launch.environment.get(HANDOFF_VARIABLE);
        Path link;
        IntConsumer linkStarted = pid -> { };
        if (own != null) {
            link = Path.of(own);
        } else {
            link = runtimeDir.path().resolve("agent-" + generation + ".sock");
            HandoffServer server = new HandoffServer(link, generation, now, onMessage, agentMessages, false);
            links.put(generation, server);
            linkStarted = server::childStarted;
        }
        launch.environment.put(JvmAgent.VARIABLE, agent.settings(generation, link, held, adopt));
        log.debug("generation {} gets hupwatch's Java agent ({})", generation, agent.jar());
        IntConsumer linkHook = linkStarted;
        return pid -> {
            modeStarted.accept(pid);
            linkHook.accept(pid);
        };
    }

    /** Where socket {@code ownFd} is in the child: where the pass mode put it, else on the next free fd from 3. */
    private static int childFd(Launch launch, int ownFd) {
        int highest = 2;
        for (int[] pair : launch.fds) {
            if (pair[1] == ownFd) {
                return pair[0];
            }
            highest = Math.max(highest, pair[0]);
        }
        launch.placeFd(highest + 1, ownFd);
        return highest + 1;
    }

    @Override
    public void startFailed(int generation) {
        mode.startFailed(generation);
        closeLink(generation);
        agentMessages.exited(generation);
    }

    @Override
    public void exited(int generation) {
        mode.exited(generation);
        closeLink(generation);
        agentMessages.exited(generation);
    }

    @Override
    public boolean tellAgent(int generation, String line) {
        HandoffServer server = links.get(generation);
        return server != null ? server.tellAgent(line) : mode.tellAgent(generation, line);
    }

    private void closeLink(int generation) {
        HandoffServer server = links.remove(generation);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public void close() {
        mode.close();
        links.values().forEach(HandoffServer::close);
        links.clear();
    }
}

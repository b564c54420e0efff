package io.hupwatch.sockets;

import io.hupwatch.spawn.JvmAgent;
import io.hupwatch.supervisor.BindAddress;
import io.hupwatch.supervisor.JvmAgentMode;
import io.hupwatch.supervisor.PassMode;
import io.hupwatch.supervisor.StartupException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything hupwatch holds for socket passing: the bound sockets, its private runtime directory
 * and the pass mode. Opened before generation 1, closed (socket files removed) at exit.
 */
public final class SocketSet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    /** The held sockets: the bound ones, then those adopted from generations. */
    private final List<ListeningSocket> sockets;
    private final RuntimeDir runtimeDir;
    private final SocketPassing passing;
    private final Adoptions adoptions;
    /** The agent's readiness reports, or null without the agent. */
    private final AcceptReadiness readiness;

    private SocketSet(List<ListeningSocket> sockets, RuntimeDir runtimeDir, SocketPassing passing, Adoptions adoptions,
            AcceptReadiness readiness) {
        this.sockets = sockets;
        this.runtimeDir = runtimeDir;
        this.passing = passing;
        this.adoptions = adoptions;
        this.readiness = readiness;
    }

    private static List<String> displays(List<ListeningSocket> sockets) {
        return sockets.stream().map(s -> s.address().display()).toList();
    }

    /**
     * Binds every address, or none: on any failure what was bound is released again.
     *
     * @param onMessage receives (generation, line) for each line a child sends on its handoff connection
     * @throws StartupException naming the address and the reason
     */
    public static SocketSet open(List<BindAddress> binds, PassMode mode, BiConsumer<Integer, String> onMessage) {
        return open(binds, mode, onMessage, false);
    }

    /** @param needRuntimeDir whether to create the private runtime directory even without sockets */
    public static SocketSet open(List<BindAddress> binds, PassMode mode, BiConsumer<Integer, String> onMessage,
            boolean needRuntimeDir) {
        return open(binds, mode, onMessage, needRuntimeDir, null);
    }

    /**
     * @param agent hupwatch's Java agent, for the generations it attaches to (they report over a handoff
     *              socket, so the runtime directory is made; without --bind they hand over the sockets
     *              their server opens); null: none
     */
    public static SocketSet open(List<BindAddress> binds, PassMode mode, BiConsumer<Integer, String> onMessage,
            boolean needRuntimeDir, JvmAgent agent) {
        boolean withAgent = agent != null && agent.mode() != JvmAgentMode.OFF;
        needRuntimeDir |= withAgent;
        if (binds.isEmpty()) {
            RuntimeDir dir = null;
            try {
                dir = needRuntimeDir ? RuntimeDir.create() : null;
                List<ListeningSocket> held = new CopyOnWriteArrayList<>();
                if (!withAgent) {
                    return new SocketSet(held, dir, SocketPassing.NONE, null, null);
                }
                Adoptions adoptions = new Adoptions(held, dir.path());
                AcceptReadiness ready = new AcceptReadiness(adoptions, () -> Set.copyOf(displays(held)), adoptions::served,
                        adoptions::isAdopted, onMessage);
                return new SocketSet(held, dir, new AgentPassing(SocketPassing.NONE, agent, dir, held, ready,
                        ready, true), adoptions, ready);
            } catch (IOException e) {
                if (dir != null) {
                    dir.close();
                }
                throw new StartupException("cannot create hupwatch's runtime directory: " + e.getMessage());
            }
        }
        List<ListeningSocket> bound = new ArrayList<>();
        RuntimeDir dir = null;
        try {
            for (BindAddress b : binds) {
                bound.add(SocketBinder.bind(b));
            }
            // Needed for handoff sockets, notify sockets and the spare links of unix socket files only.
            if (needRuntimeDir || mode == PassMode.HANDOFF || binds.stream().anyMatch(b -> b.kind() == BindAddress.Kind.UNIX)) {
                dir = RuntimeDir.create();
                for (ListeningSocket s : bound) {
                    s.keepSpareLink(dir.path());
                }
            }
            // With --bind, hupwatch holds exactly those (nothing is adopted), and a generation accepts on all of them.
            List<String> all = displays(bound);
            AcceptReadiness ready = new AcceptReadiness(AgentMessages.NONE, () -> Set.copyOf(all), null, a -> false,
                    onMessage);
            SocketPassing passing = switch (mode) {
                case STDIN -> new StdinPassing(bound.get(0));
                case SYSTEMD -> new SystemdPassing(bound);
                case HANDOFF -> new HandoffPassing(dir, bound, ready);
            };
            if (withAgent) {
                passing = new AgentPassing(passing, agent, dir, List.copyOf(bound), ready, ready, false);
            }
            return new SocketSet(new CopyOnWriteArrayList<>(bound), dir, passing, null, ready);
        } catch (SocketBinder.BindException e) {
            release(bound, dir);
            throw new StartupException(e.getMessage());
        } catch (IOException | RuntimeException e) {
            release(bound, dir);
            throw new StartupException("cannot set up the sockets: " + e.getMessage());
        }
    }

    private static void release(List<ListeningSocket> bound, RuntimeDir dir) {
        bound.forEach(ListeningSocket::close);
        if (dir != null) {
            dir.close();
        }
    }

    public List<BindAddress> addresses() {
        return sockets.stream().map(ListeningSocket::address).toList();
    }

    /** The sockets held now (a copy: generations add sockets, and adopted ones may be released). */
    public List<ListeningSocket> held() {
        return List.copyOf(sockets);
    }

    /** Whether hupwatch holds any socket now. */
    public boolean holdsAny() {
        return !sockets.isEmpty();
    }

    /**
     * The held sockets for {@code hupwatch status}, as {@code NAME ADDRESS}, adopted ones marked: a live
     * view, since generations add sockets.
     */
    public List<String> describe() {
        return new java.util.AbstractList<>() {
            @Override
            public String get(int index) {
                ListeningSocket s = sockets.get(index);
                return s.address().name() + " " + s.address().display()
                        + (adoptions != null && adoptions.isAdopted(s) ? " (adopted)" : "");
            }

            @Override
            public int size() {
                return sockets.size();
            }
        };
    }

    /** {@code generation} is now the serving one: adopted sockets it does not serve are released. */
    public void serving(int generation) {
        if (readiness != null) {
            readiness.serving(generation);
        }
        if (adoptions != null) {
            adoptions.serving(generation);
        }
    }

    /**
     * At the readiness timeout ({@code --ready auto}): the adopted ports {@code generation} never bound
     * while it accepts on the others (a release that dropped them), or null.
     */
    public String droppedPorts(int generation) {
        return readiness == null ? null : readiness.dropped(generation);
    }

    /** Sends {@code line} to hupwatch's Java agent in {@code generation}; false when it has no link there. */
    public boolean tellAgent(int generation, String line) {
        return passing.tellAgent(generation, line);
    }

    /** hupwatch's private directory, or null when nothing needed one. */
    public java.nio.file.Path runtimeDir() {
        return runtimeDir == null ? null : runtimeDir.path();
    }

    public SocketPassing passing() {
        return passing;
    }

    /** After a generation exits: free what was held for it, and repair a socket path it removed. */
    public void generationExited(int generation) {
        passing.exited(generation);
        sockets.forEach(ListeningSocket::restoreFile);
    }

    @Override
    public void close() {
        passing.close();
        sockets.forEach(ListeningSocket::close);
        if (runtimeDir != null) {
            runtimeDir.close();
        }
        log.debug("sockets closed");
    }
}

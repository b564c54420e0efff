package io.hupwatch.sockets;

import io.hupwatch.handoff.HandoffProtocol;
import io.hupwatch.os.UnixStreamConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The links of hupwatch's Java agents in one generation (each connection that said {@code AGENT 1}): a
 * generation may run several JVMs, and {@code PAUSE} and {@code RESUME} reach every one that serves the
 * held sockets (it said {@code CLAIMED}, {@code ADOPT} or {@code ACCEPTING}: see
 * {@link HandoffProtocol#servesSockets}), also one that does so while the generation is paused (it is
 * told {@code PAUSE} at once). A JVM that never serves them (a launcher that forked the server's JVM) is
 * neither paused nor waited for. Reported to the supervisor, as lines of the generation: {@code RESUMED}
 * once every agent told {@code RESUME} has answered it (a link that closes meanwhile no longer counts; at
 * least one must answer), and {@code AGENTS_GONE} once the last link of a JVM that served them has closed
 * (its server JVMs are gone, however long the rest of its process tree, a launcher JVM included, lingers).
 * See {@code NotifyMessages}, which makes events of them.
 */
final class AgentLinks {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** The line reported once the last link of a serving agent has closed ({@code NotifyMessages.AGENTS_GONE}). */
    static final String GONE = "AGENTS_GONE";

    private final int generation;
    private final BiConsumer<Integer, String> report;
    private final Set<UnixStreamConnection> links = new HashSet<>();
    /** The links of those that serve the held sockets: the ones paused, resumed and waited for. */
    private final Set<UnixStreamConnection> serving = new LinkedHashSet<>();
    private boolean paused;
    /** The links told RESUME that have not answered yet; null while no answer is awaited. */
    private Set<UnixStreamConnection> awaiting;
    private boolean answered;

    AgentLinks(int generation, BiConsumer<Integer, String> report) {
        this.generation = generation;
        this.report = report;
    }

    /** {@code link} said {@code AGENT 1}. */
    synchronized void hello(UnixStreamConnection link) {
        links.add(link);
    }

    /**
     * The agent of {@code link} said a line that shows its JVM serves the held sockets; while the generation
     * is paused, it is paused too.
     */
    synchronized void serves(UnixStreamConnection link) {
        if (links.contains(link) && serving.add(link) && paused && send(link, HandoffProtocol.PAUSE)) {
            log.info("generation {}: an agent that began to serve while it is paused is paused too", generation);
        }
    }

    /**
     * Sends {@code line} ({@link HandoffProtocol#PAUSE}, {@link HandoffProtocol#RESUME}) to every agent that
     * serves the held sockets.
     *
     * @return whether it reached any
     */
    synchronized boolean tell(String line) {
        Set<UnixStreamConnection> told = new HashSet<>();
        for (UnixStreamConnection link : List.copyOf(serving)) {
            if (send(link, line)) {
                told.add(link);
            }
        }
        if (line.equals(HandoffProtocol.PAUSE)) {
            paused = !told.isEmpty();
        } else if (line.equals(HandoffProtocol.RESUME)) {
            paused = false;
            awaiting = told.isEmpty() ? null : told;
            answered = false;
        }
        return !told.isEmpty();
    }

    /** {@code link} answered {@code RESUMED}. */
    synchronized void resumed(UnixStreamConnection link) {
        if (awaiting != null && awaiting.remove(link)) {
            answered = true;
            reportIfAllAnswered();
        }
    }

    /** {@code link} closed (the peer's end-of-file, or an error). */
    synchronized void closed(UnixStreamConnection link) {
        if (!links.remove(link) || !serving.remove(link)) {
            return;
        }
        if (awaiting != null) {
            awaiting.remove(link);
            reportIfAllAnswered();
        }
        if (serving.isEmpty()) {
            report.accept(generation, GONE);
        }
    }

    private void reportIfAllAnswered() {
        if (awaiting.isEmpty() && answered) {
            awaiting = null;
            report.accept(generation, HandoffProtocol.RESUMED);
        }
    }

    private boolean send(UnixStreamConnection link, String line) {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            synchronized (link) {
                while (b.hasRemaining()) {
                    link.write(b);
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            log.debug("cannot tell an agent of generation {} {}: {}", generation, line, e.toString());
            return false;
        }
    }
}

package io.hupwatch.sockets;

import io.hupwatch.os.Native;
import io.hupwatch.os.PidFds;
import io.hupwatch.supervisor.BindAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sockets learnt from the generations (no {@code --bind}): the agent offers each listening socket
 * the server opens on a fixed port ({@code ADOPT FD ADDRESS}); hupwatch takes a copy of that fd from
 * the sender ({@code pidfd_getfd}, after the handoff socket's own check that the sender belongs to
 * the generation) and holds it from then on, exactly as if {@code --bind} had named it. Each
 * generation's agent says which held sockets its server bound ({@code CLAIMED ADDRESS}); once a
 * generation is the serving one, the adopted sockets it does not serve are released.
 */
final class Adoptions implements AgentMessages {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final List<ListeningSocket> held;
    private final Path runtimeDir;
    private final Set<ListeningSocket> adopted = ConcurrentHashMap.newKeySet();
    /** generation -> the addresses its server serves (claimed at bind, or adopted from it). */
    private final Map<Integer, Set<String>> served = new ConcurrentHashMap<>();
    /** The generations started and not yet exited. */
    private final Set<Integer> running = ConcurrentHashMap.newKeySet();
    /** The serving generation whose swap is not done yet (an older one still runs), or 0. */
    private int releasePending;

    /** @param held the live list of held sockets, which adopted ones join */
    Adoptions(List<ListeningSocket> held, Path runtimeDir) {
        this.held = held;
        this.runtimeDir = runtimeDir;
    }

    @Override
    public boolean handle(int generation, long pid, String line) {
        if (line.startsWith("CLAIMED ")) {
            serves(generation, line.substring("CLAIMED ".length()));
            return true;
        }
        if (line.startsWith("ADOPT ")) {
            String[] words = line.split(" ", 3);
            if (words.length == 3 && words[1].matches("\\d{1,9}")) {
                adopt(generation, pid, Integer.parseInt(words[1]), words[2]);
            } else {
                log.warn("generation {} (pid {}) sent a malformed line: {}", generation, pid, line);
            }
            return true;
        }
        return false;
    }

    private void serves(int generation, String address) {
        served.computeIfAbsent(generation, g -> ConcurrentHashMap.newKeySet()).add(address);
    }

    private synchronized void adopt(int generation, long pid, int childFd, String text) {
        BindAddress address;
        try {
            address = BindAddress.parse(text, held.size());
        } catch (IllegalArgumentException e) {
            log.warn("refused the socket generation {} (pid {}) offered: {}", generation, pid, e.getMessage());
            return;
        }
        for (ListeningSocket s : held) {
            if (s.address().display().equals(address.display())) {
                serves(generation, address.display());
                return; // already held: the agent claims it rather than offers it, unless two binds raced
            }
        }
        int fd;
        try {
            fd = PidFds.take(pid, childFd);
        } catch (IOException e) {
            log.warn("cannot adopt {} from generation {} (pid {}): {}", address.display(), generation, pid, e.getMessage());
            return;
        }
        String wrong = OfferCheck.wrong(fd, address);
        if (wrong != null) {
            Native.libc().close(fd);
            log.warn("refused fd {} of generation {} (pid {}) offered as {}: {}", childFd, generation, pid,
                    address.display(), wrong);
            return;
        }
        try {
            Native.closeOnExec(fd);
        } catch (IOException e) {
            log.debug("fd {}: {}", fd, e.getMessage());
        }
        ListeningSocket socket = ListeningSocket.adopted(address, fd);
        if (address.kind() == BindAddress.Kind.UNIX && runtimeDir != null) {
            socket.keepSpareLink(runtimeDir);
        }
        held.add(socket);
        adopted.add(socket);
        serves(generation, address.display());
        log.info("adopted {} from generation {} (pid {})", address.display(), generation, pid);
    }

    /** The addresses {@code generation} serves: claimed at bind, or handed over by it. */
    Set<String> served(int generation) {
        return Set.copyOf(served.getOrDefault(generation, Set.of()));
    }

    /** Whether hupwatch holds {@code display} because a generation handed it over. */
    boolean isAdopted(String display) {
        return adopted.stream().anyMatch(s -> s.address().display().equals(display));
    }

    boolean isAdopted(ListeningSocket socket) {
        return adopted.contains(socket);
    }

    /**
     * {@code generation} is now the serving one. Once the swap is done (every older generation has
     * exited: a server may bind its last port just after it first accepts), the adopted sockets it
     * does not serve are released, so a port a new release no longer serves refuses connections again.
     */
    synchronized void serving(int generation) {
        releasePending = generation;
        releaseIfSwapDone();
    }

    private void releaseIfSwapDone() {
        int generation = releasePending;
        if (generation == 0 || running.stream().anyMatch(g -> g < generation)) {
            return;
        }
        releasePending = 0;
        Set<String> mine = served.getOrDefault(generation, Set.of());
        for (ListeningSocket s : List.copyOf(adopted)) {
            if (!mine.contains(s.address().display())) {
                held.remove(s);
                adopted.remove(s);
                s.close();
                log.info("released {}: generation {} no longer serves it", s.address().display(), generation);
            }
        }
    }

    @Override
    public void starting(int generation) {
        running.add(generation);
    }

    @Override
    public synchronized void exited(int generation) {
        served.remove(generation);
        running.remove(generation);
        releaseIfSwapDone();
    }
}

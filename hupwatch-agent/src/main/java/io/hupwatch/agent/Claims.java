package io.hupwatch.agent;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Claim at bind: when the server binds an address hupwatch holds, its fd becomes hupwatch's socket
 * ({@code dup2}), so every generation serves the same kernel socket and its accept queue. A wildcard
 * bind claims a held socket on that port whatever its address; a specific address only an identical
 * one; anything else is the server's own. The claimed socket is non-blocking for every holder, keeps
 * hupwatch's backlog, and stays in the epoll sets the server had already put its fd in. With
 * adoption on, a socket the server binds on a fixed port hupwatch does not hold is offered to
 * hupwatch as soon as it listens.
 */
final class Claims implements Function<Object[], Object> {
    private final AgentSettings settings;
    /** The sockets hupwatch holds that this process has: those of the settings, then those it handed over. */
    private final java.util.List<AgentSettings.Held> held;
    /** held fd -> its socket's inode, for the held sockets this process really has. */
    private final Map<Integer, Long> inodes;
    private final Listener listener;
    /** fd number in this process -> the held socket it now is. */
    private final Map<Integer, AgentSettings.Held> claimed = new ConcurrentHashMap<>();
    private final Set<String> saidOnce = ConcurrentHashMap.newKeySet();
    /** held fd -> the address it is bound to. */
    private final Map<Integer, InetAddress> realAddresses = new ConcurrentHashMap<>();

    /** The sockets hupwatch holds that this process lacks (a launcher started it without them), until asked for. */
    private final java.util.List<AgentSettings.Held> missing;
    private boolean asked;

    /** fd number -> the address to offer, for the server's binds of fixed ports hupwatch does not hold. */
    private final Map<Integer, String> adoptable = new ConcurrentHashMap<>();
    private final HupwatchLink link;

    /** Told of each claim, of each socket handed to hupwatch, and of each held socket received from it. */
    interface Listener {
        void claimed(AgentSettings.Held held, int fd);

        void adopted(String address, int fd, long inode);

        void received(String address, long inode);
    }

    /**
     * @param missing the sockets of hupwatch's settings this process does not have; asked for at the first
     *                bind of one of their addresses
     */
    Claims(AgentSettings settings, java.util.List<AgentSettings.Held> missing, Map<Integer, Long> inodes,
            HupwatchLink link, Listener listener) {
        this.settings = settings;
        this.missing = new java.util.concurrent.CopyOnWriteArrayList<>(missing);
        this.held = new java.util.concurrent.CopyOnWriteArrayList<>(settings.held());
        this.inodes = inodes;
        this.link = link;
        this.listener = listener;
    }

    @Override
    public Object apply(Object[] a) {
        return switch ((String) a[0]) {
            case "bind" -> bindTcp(JdkNatives.fdVal((FileDescriptor) a[1]), (InetAddress) a[2], (Integer) a[3]);
            case "bindUnix" -> bindUnix(JdkNatives.fdVal((FileDescriptor) a[1]), (Path) a[2]);
            case "listen" -> backlog(JdkNatives.fdVal((FileDescriptor) a[1]), (Integer) a[2]);
            case "blocking" -> !isHeld(JdkNatives.fdVal((FileDescriptor) a[1]));
            case "keepFile" -> keepFile((Path) a[1]);
            default -> null;
        };
    }

    /** A bind from Netty's native transport. */
    boolean bindNetty(int fd, SocketAddress address) {
        if (address instanceof InetSocketAddress isa) {
            return isa.getAddress() != null && bindTcp(fd, isa.getAddress(), isa.getPort());
        }
        if (address != null && address.getClass().getSimpleName().equals("DomainSocketAddress")) {
            try {
                Object path = address.getClass().getMethod("path").invoke(address);
                return bindUnix(fd, Path.of((String) path));
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
        return false;
    }

    boolean bindTcp(int fd, InetAddress address, int port) {
        if (port == 0 || JdkNatives.socketType(fd) != JdkNatives.SOCK_STREAM) {
            return false;
        }
        if (missing.stream().anyMatch(h -> h.tcp() != null && h.tcp().getPort() == port)) {
            askForMissing();
        }
        AgentSettings.Held match = null;
        AgentSettings.Held samePort = null;
        for (AgentSettings.Held h : held) {
            if (h.tcp() == null || h.tcp().getPort() != port || !inodes.containsKey(h.fd())) {
                continue;
            }
            samePort = h;
            if (address.isAnyLocalAddress() || address.equals(heldAddress(h))) {
                match = h;
                break;
            }
        }
        if (match == null) {
            if (samePort != null) {
                if (saidOnce.add(address.getHostAddress() + ":" + port)) {
                    AgentLog.info("left the server's bind of " + hostPort(address, port) + " alone: hupwatch holds "
                            + samePort.display() + ", which is wider than the address the server asked for; bind the"
                            + " wildcard address in the server, or name the same address in --bind");
                }
            } else if (settings.adopt()) {
                adoptable.put(fd, "tcp:" + hostPort(address, port));
            }
            return false;
        }
        return claim(fd, match, hostPort(address, port));
    }

    /**
     * The held socket's own address (getsockname: hupwatch may have named a host), found at the first
     * bind rather than in premain, where asking would load the JDK's socket classes before the agent
     * can change them.
     */
    private InetAddress heldAddress(AgentSettings.Held h) {
        return realAddresses.computeIfAbsent(h.fd(), fd -> {
            Object local = JdkNatives.localAddress(fd);
            return local instanceof InetSocketAddress isa ? isa.getAddress() : h.tcp().getAddress();
        });
    }

    boolean bindUnix(int fd, Path path) {
        Path wanted = path.toAbsolutePath().normalize();
        if (missing.stream().anyMatch(h -> wanted.equals(h.unix()))) {
            askForMissing();
        }
        for (AgentSettings.Held h : held) {
            if (h.unix() != null && h.unix().equals(wanted) && inodes.containsKey(h.fd())
                    && JdkNatives.socketType(fd) == JdkNatives.SOCK_STREAM) {
                return claim(fd, h, wanted.toString());
            }
        }
        if (settings.adopt() && JdkNatives.socketType(fd) == JdkNatives.SOCK_STREAM) {
            adoptable.put(fd, "unix:" + wanted);
        }
        return false;
    }

    /**
     * This JVM binds an address hupwatch holds but lacks the socket (a launcher started it without hupwatch's
     * fds): it asks hupwatch for them on its link, once, and keeps those that are what hupwatch named.
     */
    private synchronized void askForMissing() {
        if (asked) {
            return;
        }
        asked = true;
        SocketFetch.held(settings, missing).forEach((h, inode) -> {
            held.add(h);
            inodes.put(h.fd(), inode);
            listener.received(h.display(), inode);
        });
        missing.clear();
    }

    private synchronized boolean claim(int fd, AgentSettings.Held held, String asked) {
        if (!ProcFs.isFile(held.fd(), held.identity(), inodes.getOrDefault(held.fd(), -1L))) {
            // closed (or the number reused) since: never dup2 from an fd number alone
            inodes.remove(held.fd());
            AgentLog.info("no longer has hupwatch's " + held.display() + " (fd " + held.fd() + " is another file now);"
                    + " the server binds " + asked + " itself");
            return false;
        }
        try {
            // the held socket is non-blocking already (premain made it so for every holder)
            ProcFs.dup2KeepingEpoll(held.fd(), fd, ProcFs.watchesOf(ProcFs.epollWatches(), fd, -1));
        } catch (IOException | RuntimeException e) {
            AgentLog.info("could not serve " + held.display() + " for the server's bind of " + asked + ": " + e
                    + "; the server binds it itself");
            return false;
        }
        claimed.put(fd, held);
        AgentLog.info("serves " + held.display() + ", held by hupwatch (the server bound " + asked + ")");
        link.send("CLAIMED " + held.display());
        listener.claimed(held, fd);
        return true;
    }

    /**
     * A claimed socket keeps hupwatch's backlog: a server's smaller one would shrink the shared queue.
     * A socket to hand over is made to listen here, with hupwatch's backlog, and offered to hupwatch.
     */
    int backlog(int fd, int backlog) {
        if (isHeld(fd)) {
            return Math.max(backlog, settings.backlog());
        }
        String address = adoptable.remove(fd);
        if (address == null) {
            return backlog;
        }
        int wanted = Math.max(backlog, settings.backlog());
        AgentSettings.Held same = heldAt(address);
        if (same != null) {
            // another socket of an SO_REUSEPORT group (one per event loop) whose first one was handed over
            // meanwhile: it becomes that one, so that every socket of the group is shared and drained
            return claim(fd, same, address.substring(address.indexOf(':') + 1)) ? wanted : backlog;
        }
        long inode = ProcFs.socketInode(fd);
        try {
            JdkNatives.listen(fd, wanted);
        } catch (java.io.IOException e) {
            return backlog; // the server's own listen fails the same way, and says so
        }
        link.send("ADOPT " + fd + " " + address);
        adoptedHere(fd, address, inode);
        listener.adopted(address, fd, inode);
        return wanted;
    }

    /**
     * After the readiness timeout, when adopting: the held sockets of {@code inodes} the server never bound
     * are a port this release dropped. hupwatch releases them; this JVM closes its copies and forgets them
     * (a later bind of that address is the server's own).
     */
    synchronized void dropUnbound(Set<Long> never) {
        for (AgentSettings.Held h : held) {
            Long inode = inodes.get(h.fd());
            if (inode != null && never.contains(inode) && !claimed.containsValue(h)) {
                inodes.remove(h.fd());
                JdkNatives.close(h.fd());
            }
        }
    }

    /**
     * A socket handed over is served exactly like a claimed one: non-blocking for every holder, its backlog
     * kept, and a copy held here, so that the server closing it and binding that address again (a
     * connector restart) claims it rather than failing with "address in use" against hupwatch's copy.
     */
    private void adoptedHere(int fd, String address, long inode) {
        try {
            JdkNatives.setBlocking(fd, false);
            int copy = JdkNatives.dup(fd);
            AgentSettings.Held h = AgentSettings.held(copy + "@" + address);
            held.add(h);
            inodes.put(copy, inode);
            claimed.put(fd, h);
        } catch (IOException | RuntimeException e) {
            AgentLog.info("cannot keep a copy of " + address + " (" + e + "); binding it again in this JVM will fail");
        }
    }

    /** The socket hupwatch holds at exactly {@code address} that this process has, or null. */
    private AgentSettings.Held heldAt(String address) {
        for (AgentSettings.Held h : held) {
            if (h.display().equals(address) && inodes.containsKey(h.fd())) {
                return h;
            }
        }
        return null;
    }

    /** Whether {@code fd} is (still) one of the sockets hupwatch holds. */
    boolean isHeld(int fd) {
        AgentSettings.Held h = claimed.get(fd);
        if (h == null) {
            for (AgentSettings.Held each : held) {
                if (each.fd() == fd) {
                    h = each;
                }
            }
        }
        // fd numbers are reused: check that it still is that socket
        Long inode = h == null ? null : inodes.get(h.fd());
        return inode != null && ProcFs.socketInode(fd) == inode;
    }

    /** hupwatch's socket files outlive every generation: a server's delete of one is skipped. */
    boolean keepFile(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (held.stream().noneMatch(h -> p.equals(h.unix())) && missing.stream().noneMatch(h -> p.equals(h.unix()))) {
            return false;
        }
        if (saidOnce.add("keep " + p)) {
            AgentLog.info("kept " + p + " when the server deleted it: it is hupwatch's socket, shared by"
                    + " every generation");
        }
        return true;
    }

    Map<Integer, AgentSettings.Held> claimed() {
        return claimed;
    }

    private static String hostPort(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}

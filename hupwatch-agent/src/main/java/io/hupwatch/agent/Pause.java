package io.hupwatch.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * PAUSE and RESUME from hupwatch (the previous generation during a probation): the JVM stops accepting
 * on the shared sockets and keeps running, warm, until hupwatch either resumes it (the new generation
 * failed: it accepts again at once) or sends the stop signal (the drain then finds it already paused).
 * Pausing is the drain's first step: every fd of a held socket is pointed ({@code dup2}) at the drain's
 * private stand-in socket, epoll registrations moved along; a copy ({@code dup}) of each held socket is
 * kept, and RESUME points every fd back at it, moving the registrations back. Kept-alive connections
 * are answered {@code Connection: close} while paused (as while draining), and no longer on RESUME.
 * RESUME points back only an fd that still names the stand-in (a number closed and reused since is left
 * alone), and undoes nothing once a drain has begun.
 */
final class Pause {
    private final Drain drain;
    /** The fds pointed away, each with a copy of the held socket it named; empty when not paused. */
    private final PausedFds saved = new PausedFds(PausedFds.REAL);
    private Runnable keepAliveBack = () -> { };

    Pause(Drain drain) {
        this.drain = drain;
    }

    synchronized boolean paused() {
        return !saved.isEmpty();
    }

    /** How many fds are pointed away now. */
    synchronized int count() {
        return saved.size();
    }

    synchronized void pause() {
        if (!saved.isEmpty() || drain.isDraining()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            int stand = drain.standIn();
            drain.clearStandIn();
            List<ProcFs.EpollWatch> watches = ProcFs.epollWatches();
            for (Map.Entry<Integer, Long> e : ProcFs.socketFds().entrySet()) {
                if (!drain.isHeld(e.getValue())) {
                    continue;
                }
                int copy = JdkNatives.dup(e.getKey());
                ProcFs.dup2KeepingEpoll(stand, e.getKey(), ProcFs.watchesOf(watches, e.getKey(), e.getValue()));
                saved.add(e.getKey(), copy);
            }
        } catch (IOException | RuntimeException e) {
            AgentLog.info("cannot pause (" + e + "); resuming at once");
            resumeNow();
            return;
        }
        keepAliveBack = ServerHooks.pausing();
        AgentLog.info("paused: not accepting on " + saved.size() + " fd(s) of the shared sockets, kept warm ("
                + (System.nanoTime() - t0) / 1000 + " us)");
        HeapReturn.afterPause(this::paused);
    }

    /**
     * Accepts again, unless a drain has begun.
     *
     * @return whether this JVM accepts on the shared sockets now (false: it is draining), which the link
     *         answers hupwatch with
     */
    synchronized boolean resume() {
        if (drain.isDraining()) {
            return false; // the stop signal came first: this JVM is on its way out
        }
        if (saved.isEmpty()) {
            return true;
        }
        long t0 = System.nanoTime();
        Set<Object> addresses = new HashSet<>();
        for (int copy : saved.copies()) {
            Object a = JdkNatives.localAddress(copy);
            if (a != null) {
                addresses.add(a);
            }
        }
        int fds = resumeNow();
        drain.wakeStandInWaiters();
        addresses.forEach(Pause::wakeAcceptors);
        keepAliveBack.run();
        keepAliveBack = () -> { };
        AgentLog.info("resumed: accepting again on " + fds + " fd(s) (" + (System.nanoTime() - t0) / 1000 + " us)");
        return true;
    }

    /**
     * One empty connection to a held socket, from this JVM, closed at once. A thread that was already in
     * {@code poll} on the held socket when the pause began is queued on that socket only (poll registers
     * once, at its start): connections that arrived while paused woke it to find the stand-in, and it
     * sleeps on until the next connection. This one wakes it now; the server accepts it and sees it closed.
     */
    private static void wakeAcceptors(Object address) {
        SocketAddress target;
        StandardProtocolFamily family;
        if (address instanceof InetSocketAddress isa) {
            // a wildcard socket (IPv4 or dual-stack IPv6) takes loopback connections
            InetAddress host = isa.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : isa.getAddress();
            target = new InetSocketAddress(host, isa.getPort());
            family = host instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        } else {
            target = UnixDomainSocketAddress.of(address.toString());
            family = StandardProtocolFamily.UNIX;
        }
        try (SocketChannel c = SocketChannel.open(family)) {
            c.configureBlocking(false);
            c.connect(target);
        } catch (IOException | RuntimeException e) {
            AgentLog.info("cannot wake the acceptors of " + address + " (" + e.getMessage() + ")");
        }
    }

    /** Points every fd that still names the stand-in back at its held socket; returns how many. */
    private int resumeNow() {
        long standInode;
        try {
            standInode = ProcFs.socketInode(drain.standIn());
        } catch (IOException e) {
            standInode = -1;
        }
        return saved.pointBack(standInode);
    }
}

package io.hupwatch.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Drain-first: on the stop signal, before the server's own shutdown runs, this JVM stops accepting on
 * the shared sockets — and only this JVM: every fd of it that is a held socket is pointed ({@code dup2})
 * at a private listening socket nobody connects to, and the epoll sets that watched it watch that one
 * instead. Connections still queued on the shared socket go to the next generation; no acceptor here
 * takes one it would then drop. The shared socket itself is never closed or shut down from here.
 * Then it waits, up to the grace, for the connections this JVM had accepted to finish (a server with
 * no graceful shutdown would drop them), and hands the signal to the JVM's own handler.
 */
final class Drain implements SignalHandler {
    private final Signal signal;
    private final Set<Long> heldInodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<Integer> ports = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<String> paths = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final long graceMillis;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile SignalHandler previous;
    private volatile ServerSocketChannel dummy;
    private volatile HupwatchLink link;
    /** A pause (probation) that may have pointed the fds away already; null: none. */
    volatile Pause pause;
    /** Tells hupwatch that this JVM no longer accepts (STOPPING=1 on the link); null: nobody to tell. */
    volatile Runnable onStopped;

    Drain(AgentSettings settings, Set<Long> heldInodes, long graceMillis) {
        this.signal = new Signal(settings.stopSignal());
        this.heldInodes.addAll(heldInodes);
        this.graceMillis = graceMillis;
        for (AgentSettings.Held h : settings.held()) {
            if (h.tcp() != null) {
                ports.add(h.tcp().getPort());
            } else {
                paths.add(h.unix().toString());
            }
        }
    }

    /** A socket handed to hupwatch is shared from now on: this JVM stops accepting on it too. */
    void shared(String address, long inode) {
        heldInodes.add(inode);
        if (address.startsWith("unix:")) {
            paths.add(address.substring(5));
        } else {
            ports.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        }
    }

    /** Where to report, at the end of the drain, how many connections were still open ({@code DRAIN_LEFT=N}). */
    void reportTo(HupwatchLink l) {
        link = l;
    }

    /** Takes over the stop signal, keeping the JVM's handler to call after the drain. */
    void install() {
        previous = Signal.handle(signal, this);
    }

    /** Makes the stand-in socket and loads the drain's classes now, not cold at the stop signal. */
    void prepare() throws IOException {
        if (dummy == null) {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            ch.configureBlocking(false);
            dummy = ch;
            JdkNatives.fdOf(ch);
        }
    }

    boolean isDraining() {
        return draining.get();
    }

    /** Whether {@code inode} is a held (shared) socket. */
    boolean isHeld(long inode) {
        return heldInodes.contains(inode);
    }

    /** The fd of the stand-in socket nobody connects to. */
    int standIn() throws IOException {
        prepare();
        return JdkNatives.fdOf(dummy);
    }

    /**
     * Wakes the threads that wait in {@code poll}/{@code accept} on the stand-in (a blocking JDK accept on
     * an O_NONBLOCK fd polls it, and a poll sleeps on the file it began with, not on the fd number): one
     * connection to it, after the fds point back at the shared sockets, sends them to accept there. The
     * connection waits in the stand-in's queue until {@link #clearStandIn()}.
     */
    void wakeStandInWaiters() {
        ServerSocketChannel d = dummy;
        if (d == null) {
            return;
        }
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(d.getLocalAddress())) {
            // connected: the waiters are woken; closing our end is fine, they accept elsewhere
        } catch (IOException e) {
            AgentLog.info("cannot wake the threads waiting on the stand-in socket (" + e.getMessage() + ")");
        }
    }

    /** Takes and closes what waits in the stand-in's queue, so that no server accepts it while pointed there. */
    void clearStandIn() {
        ServerSocketChannel d = dummy;
        if (d == null) {
            return;
        }
        try {
            java.nio.channels.SocketChannel c;
            while ((c = d.accept()) != null) {
                c.close();
            }
        } catch (IOException e) {
            // nothing waiting, or already gone
        }
    }

    @Override
    public void handle(Signal sig) {
        if (draining.compareAndSet(false, true)) {
            try {
                ServerHooks.draining();
                Pause p = pause;
                int accepted = p != null && p.paused() ? p.count() : stopAccepting();
                Runnable tell = onStopped;
                if (tell != null && accepted >= 0) {
                    tell.run();
                }
                if (accepted >= 0) {
                    Http2GoAway.sendOnEveryConnection();
                    awaitConnections();
                }
            } catch (Throwable t) {
                AgentLog.info("drain failed (" + t + "); the server's own shutdown runs now");
            }
        }
        SignalHandler p = previous;
        if (p == SignalHandler.SIG_DFL) {
            Runtime.getRuntime().exit(128 + sig.getNumber());
        } else if (p != null && p != SignalHandler.SIG_IGN) {
            p.handle(sig);
        }
    }

    /** @return how many fds were pointed away, or -1 when this JVM had none */
    private int stopAccepting() throws IOException {
        prepare();
        clearStandIn();
        int stand = JdkNatives.fdOf(dummy);
        int moved = 0;
        List<ProcFs.EpollWatch> watches = ProcFs.epollWatches();
        for (Map.Entry<Integer, Long> e : ProcFs.socketFds().entrySet()) {
            if (!heldInodes.contains(e.getValue())) {
                continue;
            }
            ProcFs.dup2KeepingEpoll(stand, e.getKey(), ProcFs.watchesOf(watches, e.getKey(), e.getValue()));
            moved++;
        }
        return moved == 0 ? -1 : moved;
    }

    private void awaitConnections() throws InterruptedException {
        long deadline = System.nanoTime() + graceMillis * 1_000_000;
        // an accept that began before the switch installs its fd a moment later
        Thread.sleep(20);
        int open = ProcFs.ownedConnections(heldInodes, ports, paths);
        int first = open;
        while (open > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            open = ProcFs.ownedConnections(heldInodes, ports, paths);
        }
        if (open > 0) {
            AgentLog.info("stopped accepting; " + open + " of its " + first + " connection(s) still open after "
                    + graceMillis + " ms: the server's own shutdown takes them over");
        }
        HupwatchLink l = link;
        if (l != null) {
            l.send("DRAIN_LEFT=" + open);
        }
    }
}

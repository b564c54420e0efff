package io.hupwatch.agent;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readiness without a warm-up guess: the generation is ready when this JVM waits to accept on every
 * socket hupwatch holds, however it got it (claimed at bind, fd 0, LISTEN_FDS, the child API, or
 * adopted from it) — seen in its own /proc as an epoll set watching the socket for input, or a thread
 * in accept or poll on it. With nothing held yet, it waits for the first socket. Sampled every 10 ms
 * for 2 s after a claim or adoption, else every 50 ms (100 ms after 10 s); reported once.
 */
final class ReadinessWatch implements Runnable {
    private final Set<Long> sockets = ConcurrentHashMap.newKeySet();
    private final Runnable ready;
    /** When the last claim or adoption happened; 0 before the first. */
    private final AtomicLong lastChange = new AtomicLong();
    private final long started = System.nanoTime();

    ReadinessWatch(Set<Long> held, Runnable ready) {
        this.sockets.addAll(held);
        this.ready = ready;
    }

    /** A claim happened: sample often again. */
    void kick() {
        lastChange.set(System.nanoTime());
    }

    /** The server listens on a socket hupwatch takes over: it must accept on that one too. */
    void watch(long inode) {
        sockets.add(inode);
        kick();
    }

    void start() {
        Thread t = new Thread(this, "hupwatch-agent-readiness");
        t.setDaemon(true);
        t.start();
    }

    /** Often just after a claim (the server is about to accept), seldom otherwise. */
    private long period() {
        long now = System.nanoTime();
        long change = lastChange.get();
        if (change != 0 && now - change < 2_000_000_000L) {
            return 10;
        }
        return now - Math.max(change, started) < 10_000_000_000L ? 50 : 100;
    }

    @Override
    public void run() {
        try {
            while (true) {
                Thread.sleep(period());
                if (sockets.isEmpty()) {
                    continue;
                }
                Map<Integer, Long> fds = ProcFs.socketFds();
                if (ProcFs.acceptedOn(fds).containsAll(sockets)) {
                    ready.run();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.hupwatch.agent;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readiness without a warm-up guess: the generation is ready when this JVM waits to accept on every
 * socket hupwatch holds, however it got it (claimed at bind, fd 0, LISTEN_FDS, the child API) —
 * seen in its own /proc as an epoll set watching the socket for input, or a thread in accept or
 * poll on it. Sampled every 10 ms for 2 s after a claim, else every 50 ms (100 ms after 10 s); reported once.
 */
final class ReadinessWatch implements Runnable {
    private final Set<Long> held;
    private final Runnable ready;
    /** When the last claim happened; 0 before the first. */
    private final AtomicLong lastClaim = new AtomicLong();
    private final long started = System.nanoTime();

    ReadinessWatch(Set<Long> held, Runnable ready) {
        this.held = Set.copyOf(held);
        this.ready = ready;
    }

    /** A claim happened: sample often again. */
    void kick() {
        lastClaim.set(System.nanoTime());
    }

    void start() {
        Thread t = new Thread(this, "hupwatch-agent-readiness");
        t.setDaemon(true);
        t.start();
    }

    /** Often just after a claim (the server is about to accept), seldom otherwise. */
    private long period() {
        long now = System.nanoTime();
        long claim = lastClaim.get();
        if (claim != 0 && now - claim < 2_000_000_000L) {
            return 10;
        }
        return now - Math.max(claim, started) < 10_000_000_000L ? 50 : 100;
    }

    @Override
    public void run() {
        try {
            while (true) {
                Thread.sleep(period());
                Map<Integer, Long> sockets = ProcFs.socketFds();
                if (ProcFs.acceptedOn(sockets).containsAll(held)) {
                    ready.run();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

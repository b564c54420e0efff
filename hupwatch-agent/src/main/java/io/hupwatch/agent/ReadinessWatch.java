package io.hupwatch.agent;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Readiness without a warm-up guess: reports each socket hupwatch holds (or took over from this JVM)
 * once this JVM waits to accept on it, however it got it (claimed at bind, fd 0, LISTEN_FDS, the child
 * API) — seen in its own /proc as an epoll set watching the socket for input, or a thread in accept or
 * poll on it. hupwatch decides from these reports when the generation is ready (on every socket the
 * serving generation serves: a port that opens late counts too). Sampled every 10 ms for 2 s after a
 * claim or adoption, else every 50 ms (100 ms after 10 s); it ends once every socket is reported and
 * the readiness timeout is over, when the held sockets the server never bound are handed to
 * {@code atDeadline}.
 */
final class ReadinessWatch implements Runnable {
    /** inode -> address as hupwatch names it, of the sockets to report. */
    private final Map<Long, String> sockets = new ConcurrentHashMap<>();
    private final Set<Long> reported = ConcurrentHashMap.newKeySet();
    private final Consumer<String> report;
    private final Consumer<Set<Long>> atDeadline;
    /** When the last claim or adoption happened; 0 before the first. */
    private final AtomicLong lastChange = new AtomicLong();
    private final long started = System.nanoTime();
    private final long deadline;
    private boolean deadlinePassed;
    private Thread thread;

    /**
     * @param held       inode -> address of the held sockets this process has
     * @param report     sends one accepting socket's address to hupwatch
     * @param readyMillis the readiness timeout (0: none)
     * @param atDeadline gets the inodes never accepted on, once the timeout is over
     */
    ReadinessWatch(Map<Long, String> held, Consumer<String> report, long readyMillis, Consumer<Set<Long>> atDeadline) {
        this.sockets.putAll(held);
        this.report = report;
        this.atDeadline = atDeadline;
        this.deadline = readyMillis > 0 ? started + readyMillis * 1_000_000 : 0;
    }

    /** A claim happened: sample often again. */
    void kick() {
        lastChange.set(System.nanoTime());
    }

    /** The server listens on a socket hupwatch takes over: report it too once it accepts there. */
    void watch(long inode, String address) {
        sockets.put(inode, address);
        kick();
        start();
    }

    /** Starts sampling, unless it already runs. */
    synchronized void start() {
        if (thread == null || !thread.isAlive()) {
            thread = new Thread(this, "hupwatch-agent-readiness");
            thread.setDaemon(true);
            thread.start();
        }
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
                if (!sockets.isEmpty() && !reported.containsAll(sockets.keySet())) {
                    sample();
                }
                boolean over = deadline != 0 && System.nanoTime() - deadline >= 0;
                if (over && !deadlinePassed) {
                    deadlinePassed = true;
                    Set<Long> never = ConcurrentHashMap.newKeySet();
                    sockets.keySet().stream().filter(i -> !reported.contains(i)).forEach(never::add);
                    sockets.keySet().removeAll(never);
                    atDeadline.accept(never);
                }
                if ((over || deadline == 0) && reported.containsAll(sockets.keySet()) && !sockets.isEmpty()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample() {
        Set<Long> accepting = ProcFs.acceptedOn(ProcFs.socketFds());
        for (Map.Entry<Long, String> e : sockets.entrySet()) {
            if (accepting.contains(e.getKey()) && reported.add(e.getKey())) {
                report.accept(e.getValue());
            }
        }
    }
}

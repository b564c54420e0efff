package io.hupwatch;

import io.hupwatch.handoff.FdChannels;
import io.hupwatch.handoff.HandoffClient;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The child side of hupwatch, for a JVM server started with {@code --pass handoff}.
 *
 * <pre>{@code
 * Hupwatch hw = Hupwatch.connect();                       // the sockets hupwatch holds
 * ServerSocketChannel web = hw.serverSocketChannel("web"); // Jetty: connector.open(web)
 * int fd = hw.nonBlockingFd("admin");                      // Netty: new EpollServerSocketChannel(fd)
 * Hupwatch.drainOnShutdown(stopAccepting, Duration.ofMillis(500), stopServer);
 * hw.ready();                                             // with --ready notify: swap now
 * hw.onWrapperGone(() -> System.exit(1));
 * }</pre>
 *
 * <p>A server must never unlink a shared unix socket path nor {@code shutdown(2)} a shared socket:
 * both would break it for every other generation.
 */
public final class Hupwatch implements Closeable {
    /** The variable naming the handoff socket of this generation. */
    public static final String SOCKET_VARIABLE = "HUPWATCH_SOCKET";

    private final HandoffClient client;

    private Hupwatch(HandoffClient client) {
        this.client = client;
    }

    /** Whether this process was started by hupwatch with {@code --pass handoff}. */
    public static boolean isSupervised() {
        String s = System.getenv(SOCKET_VARIABLE);
        return s != null && !s.isEmpty();
    }

    /**
     * Connects to the hupwatch that started this process and receives its sockets.
     *
     * @throws IllegalStateException when not started by hupwatch with {@code --pass handoff}
     * @throws IOException           when the handoff fails (the message says why)
     */
    public static Hupwatch connect() throws IOException {
        if (!isSupervised()) {
            throw new IllegalStateException(SOCKET_VARIABLE + " is not set: start this server with"
                    + " hupwatch --pass handoff --bind ... -- COMMAND");
        }
        return connect(System.getenv(SOCKET_VARIABLE));
    }

    /** Connects to the handoff socket at {@code socketPath}. */
    public static Hupwatch connect(String socketPath) throws IOException {
        return new Hupwatch(HandoffClient.connect(socketPath));
    }

    /** This process's generation: 1, 2, ... */
    public int generation() {
        return client.generation();
    }

    /** The names of the sockets, in {@code --bind} order. */
    public List<String> socketNames() {
        List<String> names = new ArrayList<>();
        client.sockets().forEach(s -> names.add(s.name()));
        return names;
    }

    /** The address of socket {@code name} as hupwatch shows it ({@code tcp:0.0.0.0:8080}, {@code unix:/run/x.sock}). */
    public String address(String name) {
        return socket(name).address();
    }

    /** The raw fd of socket {@code name} (blocking, as hupwatch bound it). */
    public int fd(String name) {
        return socket(name).fd();
    }

    /** The raw fd of socket {@code name}, set to O_NONBLOCK as Netty's epoll channels need. */
    public int nonBlockingFd(String name) throws IOException {
        return FdChannels.nonBlocking(socket(name).fd());
    }

    /**
     * Socket {@code name} as a JDK {@link ServerSocketChannel} (for Jetty's {@code ServerConnector.open}).
     * One per JVM: the JDK wraps a foreign fd only through {@code System.inheritedChannel()}.
     */
    public ServerSocketChannel serverSocketChannel(String name) throws IOException {
        return FdChannels.serverSocketChannel(socket(name).fd(), name);
    }

    /**
     * Tells hupwatch this generation is ready to serve (with {@code --ready notify}, the swap waits for
     * this). The same as sd_notify's {@code READY=1}.
     */
    public void ready() throws IOException {
        client.send("READY=1");
    }

    /** A one-line status text for hupwatch's log and {@code hupwatch status} (sd_notify's {@code STATUS=}). */
    public void status(String text) throws IOException {
        client.send("STATUS=" + text.replace('\n', ' '));
    }

    /** Runs {@code action} on a daemon thread once hupwatch is gone (it exited or was killed). */
    public void onWrapperGone(Runnable action) {
        Thread t = new Thread(() -> {
            client.awaitClose();
            action.run();
        }, "hupwatch-watch");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Whether this generation is draining: from the start of {@link #drainOnShutdown}'s drain, or of
     * hupwatch's Java agent's (it sets the system property {@code hupwatch.draining}). A server answers
     * kept-alive connections with {@code Connection: close} from then on, so each client's next request
     * goes, on a new connection, to the next generation (Jetty 12: an {@code HttpConfiguration}
     * customizer; Netty: {@code HttpUtil.setKeepAlive(response, false)}; see the README's recipes).
     */
    public static boolean draining() {
        return draining || Boolean.getBoolean("hupwatch.draining");
    }

    private static volatile boolean draining;

    /**
     * Installs a two-phase drain that runs when the JVM shuts down (hupwatch's stop signal, TERM):
     * first {@link #draining()} turns true and {@code stopAccepting} runs (e.g. Jetty
     * {@code connector.setAccepting(false)}), then a pause of {@code grace} so the connections already
     * accepted can send their requests (and kept-alive ones get {@code Connection: close} on their next
     * response), then {@code stop}.
     * Without the pause a server may answer 503 to, or reset, requests it had already accepted.
     * Works in every pass mode, not only handoff.
     */
    public static void drainOnShutdown(Runnable stopAccepting, Duration grace, Runnable stop) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                draining = true;
                stopAccepting.run();
                Thread.sleep(grace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stop.run();
                FdChannels.restoreStdio();
            }
        }, "hupwatch-drain"));
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    private HandoffClient.Received socket(String name) {
        for (HandoffClient.Received s : client.sockets()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("hupwatch passed no socket named '" + name + "'; it passed "
                + socketNames() + " (names come from --bind NAME=...)");
    }
}

package io.hupwatch.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TCP ports for the tests' servers: free when handed out, never handed out twice in a run, and below
 * the kernel's ephemeral range, so no client's connect (wrk's thousands of connections, another test's)
 * takes one as its source port between the hand-out and the bind. Each test JVM of a run (the pom's
 * {@code hupwatch.it.fork}: 1, 2) walks a quarter of the range of its own, from a random point, so two
 * tests running side by side never get the same port, and test JVMs of other checkouts on the same
 * machine rarely meet.
 */
final class FreePorts {
    /** Ports below this are left to well-known services. */
    private static final int LOWEST = 10_000;
    private static final int SLICES = 4;
    private static final int LOW;
    private static final int HIGH;
    private static int next;

    static {
        int slice = (Integer.getInteger("hupwatch.it.fork", 1) - 1) % SLICES;
        int size = (Math.max(LOWEST + SLICES * 1_000, ephemeralLow()) - LOWEST) / SLICES;
        LOW = LOWEST + slice * size;
        HIGH = LOW + size;
        next = LOW + ThreadLocalRandom.current().nextInt(size);
    }

    private FreePorts() {
    }

    /** The next port of the walk that nothing listens on (bound and closed again to make sure). */
    static synchronized int next() throws IOException {
        for (int tries = 0; tries < HIGH - LOW; tries++) {
            int port = next;
            next = next + 1 < HIGH ? next + 1 : LOW;
            try (ServerSocket probe = new ServerSocket(port)) {
                return probe.getLocalPort();
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        throw new IOException("no free port in " + LOW + "-" + (HIGH - 1) + " after one whole walk");
    }

    /** The low end of net.ipv4.ip_local_port_range (32768 when it cannot be read). */
    private static int ephemeralLow() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}

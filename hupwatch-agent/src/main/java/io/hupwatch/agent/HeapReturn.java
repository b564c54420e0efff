package io.hupwatch.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A paused JVM gives memory back: once paused (kept warm for a probation, taking no new connections), it
 * runs a full collection ({@code System.gc()}), after which the collector uncommits the heap it no longer
 * needs (G1, the default, since JDK 12; Serial and Parallel shrink a step per full collection) and the
 * pages go back to the kernel. The JIT code, the loaded classes and the pools stay: a rollback finds the
 * JVM as warm as before. Runs on a thread of its own so that the link's answer to PAUSE is not held up;
 * {@code -XX:+DisableExplicitGC} makes it a no-op, as the user asked.
 */
final class HeapReturn {
    private static final long MIB = 1024 * 1024;

    private HeapReturn() {
    }

    /** Collects and uncommits on a new daemon thread, then logs the committed heap and RSS before and after. */
    static void afterPause() {
        Thread t = new Thread(HeapReturn::collect, "hupwatch-heap-return");
        t.setDaemon(true);
        t.start();
    }

    private static void collect() {
        long heapBefore = Runtime.getRuntime().totalMemory();
        long rssBefore = residentKib();
        long t0 = System.nanoTime();
        System.gc();
        long heapAfter = Runtime.getRuntime().totalMemory();
        long rssAfter = residentKib();
        AgentLog.info("paused, gave memory back: heap committed " + heapBefore / MIB + " -> " + heapAfter / MIB
                + " MiB, RSS " + rssBefore / 1024 + " -> " + rssAfter / 1024 + " MiB ("
                + (System.nanoTime() - t0) / 1_000_000 + " ms)");
    }

    /** VmRSS of this JVM in KiB, or -1. */
    private static long residentKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the figure is only for the log
        }
        return -1;
    }
}

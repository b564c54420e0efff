package io.hupwatch.agent;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * A paused JVM gives memory back: once paused (kept warm for a probation, taking no new connections), it
 * runs a full collection ({@code System.gc()}) with the heap's free-ratio flags lowered for the while,
 * after which the collector uncommits the heap it no longer needs and the pages go back to the kernel (G1,
 * the default, at once, down to {@code -XX:MinHeapSize}, on a thread of its own). Serial and Parallel shrink in steps ({@code -XX:+ShrinkHeapInSteps}, the default:
 * nothing at the first full collection, then 10%, 40%, the rest), so the collection is repeated, up to
 * {@value #MAX_COLLECTIONS} times, while the committed heap still shrinks (G1 is done after two); they never
 * go below the initial heap ({@code -Xms}; by default a 64th of the RAM, often all of {@code -Xmx}). The JIT
 * code, the loaded classes and the pools stay: a rollback finds the JVM as warm as before. Runs on a thread
 * of its own so that the link's answer to PAUSE is not held up, and stops repeating once the JVM serves
 * again; {@code -XX:+DisableExplicitGC} makes it a no-op, as its user asked.
 */
final class HeapReturn {
    private static final long MIB = 1024 * 1024;
    static final int MAX_COLLECTIONS = 4;
    /** G1 uncommits on a thread of its own after the collection: the RSS is read this much later. */
    private static final long UNCOMMIT_WAIT_MILLIS = 1000;

    private HeapReturn() {
    }

    /**
     * Collects and uncommits on a new daemon thread, then logs the committed heap and RSS before and after;
     * stops repeating the collection once {@code paused} says the JVM serves again (a rollback).
     */
    static void afterPause(BooleanSupplier paused) {
        Thread t = new Thread(() -> collect(paused), "hupwatch-heap-return");
        t.setDaemon(true);
        t.start();
    }

    private static void collect(BooleanSupplier paused) {
        long heapBefore = Runtime.getRuntime().totalMemory();
        long rssBefore = residentKib();
        long t0 = System.nanoTime();
        int collections = 0;
        long committed = heapBefore;
        Runnable restore = keepLittleFree();
        try {
            while (collections < MAX_COLLECTIONS && paused.getAsBoolean()) {
                System.gc();
                collections++;
                long now = Runtime.getRuntime().totalMemory();
                if (collections > 1 && now >= committed) {
                    break; // a collection that gave nothing back: the next would not either
                }
                committed = now;
            }
        } finally {
            restore.run();
        }
        long heapAfter = Runtime.getRuntime().totalMemory();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        try {
            Thread.sleep(UNCOMMIT_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AgentLog.info("paused, gave memory back: heap committed " + heapBefore / MIB + " -> " + heapAfter / MIB
                + " MiB (" + collections + " full collections, " + millis + " ms), RSS " + rssBefore / 1024 + " -> "
                + residentKib() / 1024 + " MiB");
    }

    /**
     * Lets the collections shrink the heap to what is live plus a tenth ({@code MinHeapFreeRatio=0},
     * {@code MaxHeapFreeRatio=10}, both manageable: G1 keeps up to 70% free by default, which leaves a
     * Spring Boot heap as it was); returns what puts the JVM's own values back, right after the collections,
     * so that a JVM that serves again sizes its heap as before. Does nothing on a runtime without
     * {@code jdk.management} (a jlink image): the classes that need it are only touched here.
     */
    private static Runnable keepLittleFree() {
        try {
            return FreeRatios.lower();
        } catch (LinkageError | RuntimeException e) {
            return () -> { };
        }
    }

    private static final class FreeRatios {
        static Runnable lower() {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            String min = vm.getVMOption("MinHeapFreeRatio").getValue();
            String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
            vm.setVMOption("MinHeapFreeRatio", "0");
            vm.setVMOption("MaxHeapFreeRatio", "10");
            return () -> {
                vm.setVMOption("MaxHeapFreeRatio", max);
                vm.setVMOption("MinHeapFreeRatio", min);
            };
        }
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

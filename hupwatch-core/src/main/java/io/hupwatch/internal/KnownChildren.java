package io.hupwatch.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The pids hupwatch started and waits for itself, which the orphan reaper must never touch. */
final class KnownChildren {
    private static final Set<Long> PIDS = ConcurrentHashMap.newKeySet();

    private KnownChildren() {
    }

    static void add(long pid) {
        PIDS.add(pid);
    }

    static void remove(long pid) {
        PIDS.remove(pid);
    }

    static boolean contains(long pid) {
        return PIDS.contains(pid);
    }
}

package io.hupwatch.spawn;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** The pids hupwatch started and waits for itself, which the orphan reaper must never touch. */
public final class KnownChildren {
    private static final Set<Long> PIDS = ConcurrentHashMap.newKeySet();
    /** Starting and registering hold it shared; the reaper's scan holds it exclusively. */
    private static final ReadWriteLock LOCK = new ReentrantReadWriteLock();

    private KnownChildren() {
    }

    public static void add(long pid) {
        PIDS.add(pid);
    }

    public static void remove(long pid) {
        PIDS.remove(pid);
    }

    /**
     * Runs a start that registers its pid before returning, so that the orphan reaper can never see
     * (and reap) a child of hupwatch's between its start and its registration.
     */
    public static <T, E extends Exception> T starting(ThrowingSupplier<T, E> start) throws E {
        return holding(LOCK.readLock(), start);
    }

    /**
     * Like {@link #starting}, with no other start at the same time: hupwatch itself sits in a
     * generation's cgroup meanwhile, and whatever else it started then would land there too.
     */
    public static <T, E extends Exception> T startingAlone(ThrowingSupplier<T, E> start) throws E {
        return holding(LOCK.writeLock(), start);
    }

    private static <T, E extends Exception> T holding(Lock lock, ThrowingSupplier<T, E> start) throws E {
        lock.lock();
        try {
            return start.get();
        } finally {
            lock.unlock();
        }
    }

    static void scanning(Runnable scan) {
        LOCK.writeLock().lock();
        try {
            scan.run();
        } finally {
            LOCK.writeLock().unlock();
        }
    }

    @FunctionalInterface
    public interface ThrowingSupplier<T, E extends Exception> {
        T get() throws E;
    }

    static boolean contains(long pid) {
        return PIDS.contains(pid);
    }
}

package io.hupwatch.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many threads making calls back to back over a client's shared, long-lived connections, as a
 * service's client does; counts the calls that succeeded and the ones that failed in any way.
 * A call's answer is the server's {@code generation G pid P}.
 */
abstract class ConcurrentCalls implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    ConcurrentCalls(int threadCount) {
        for (int i = 0; i < threadCount; i++) {
            int caller = i;
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        call(caller, 0);
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        if (failures.size() < 5) {
                            failures.add(e.toString());
                        }
                    }
                }
            }, "caller-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    /** One call by caller {@code caller}, answered after {@code delayMs}: the answer. */
    abstract String call(int caller, long delayMs) throws Exception;

    ConcurrentCalls start() {
        threads.forEach(Thread::start);
        return this;
    }

    /** One call on the first caller's connection: its answer. */
    String which() {
        return slow(0).join();
    }

    /** A call on the first caller's connection that the server answers after {@code delayMs}. */
    CompletableFuture<String> slow(long delayMs) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call(0, delayMs);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    long succeeded() {
        return ok.get();
    }

    long failed() {
        return failed.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public String toString() {
        return succeeded() + " calls, " + failed() + " failed" + (failures.isEmpty() ? "" : " " + failures);
    }

    /** Stops the callers (after their call under way). */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(15));
        }
    }
}

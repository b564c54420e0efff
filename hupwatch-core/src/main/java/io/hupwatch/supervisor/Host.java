package io.hupwatch.supervisor;

import java.time.Duration;

/**
 * The operating system as the supervisor sees it. The real one spawns processes and sends signals;
 * the one in the unit tests only records what was asked, so the state machine runs without forking.
 *
 * <p>A host reports back by posting events: {@link Event.ChildExited} when a spawned child exits,
 * and the event given to {@link #schedule} when its delay is over.
 */
public interface Host {

    /**
     * Starts one generation of the server.
     *
     * @throws SpawnException when the command cannot be started; its exit code says why
     */
    Child spawn(SpawnRequest request) throws SpawnException;

    /** Posts {@code event} after {@code delay}, unless cancelled first. */
    Timer schedule(Duration delay, Event event);

    /** A monotonic clock, in nanoseconds. */
    long nanoTime();

    /** A running (or exited) generation's process. */
    interface Child {
        long pid();

        boolean isAlive();

        /** Sends {@code signal} unless the process has already exited. */
        void signal(PosixSignal signal);
    }

    /** A scheduled event; cancelling is idempotent. */
    interface Timer {
        void cancel();
    }
}

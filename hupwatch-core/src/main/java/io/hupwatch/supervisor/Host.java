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

    /**
     * Whether hupwatch holds any listening socket now. With {@code --ready auto}, a generation started
     * while it holds none is also ready after the warm-up (a JVM that opens no socket is still served).
     */
    default boolean holdsSockets() {
        return true;
    }

    /** Generation {@code number} is now the serving one (the host may release what only older ones used). */
    default void serving(int number) {
    }

    /**
     * Generation {@code number} serves again after a rollback or a failed start: what only the candidate
     * opened may be released, as after a swap.
     */
    default void servingAgain(int number) {
    }

    /**
     * At the readiness timeout of {@code --ready auto}: the ports generation {@code number} never bound
     * though it accepts on the others, when those may be dropped (adopted ones a release no longer
     * serves); null when it is simply not ready.
     */
    default String droppedPorts(int number) {
        return null;
    }

    /**
     * Asks generation {@code number} to stop accepting, keeping it running and warm (hupwatch's Java agent
     * points its sockets elsewhere). Must not block.
     *
     * @return whether it was asked: false when nothing in it can be told (no agent link)
     */
    default boolean pause(int number) {
        return false;
    }

    /**
     * Generation {@code number}, paused before, accepts again at once. Must not block. Once every agent told
     * has answered, the host posts {@link Event.AgentResumed}.
     *
     * @return whether it was told: false when no agent of it can be reached
     */
    default boolean resume(int number) {
        return false;
    }

    /**
     * Runs the readiness check of generation {@code number} once more, off the caller's thread; posts
     * {@link Event.ProbeFailed} if it fails, {@link Event.ProbePassed} if it passes. Does nothing when the
     * readiness mode has no check to repeat.
     */
    default void probeAgain(int number) {
    }

    /**
     * The memory limit hupwatch runs under and its use now, read before a reload (a few small files: it
     * runs on the event loop); null when there is no memory cgroup to read.
     */
    default MemoryUse memoryUse() {
        return null;
    }

    /**
     * A running (or exited) generation: its first process and what it started. It has exited (and
     * {@link Event.ChildExited} is posted) when none of its processes is left.
     */
    interface Child {
        long pid();

        boolean isAlive();

        /**
         * Sends {@code signal} (the stop signal, SIGKILL) to every process of the generation, unless
         * it has already exited.
         */
        void signal(PosixSignal signal);

        /**
         * What the generation's processes hold in memory that another generation would need again (their
         * anonymous and shared-memory pages), in bytes; -1 when unknown. Quick: it runs on the event loop.
         */
        default long privateMemory() {
            return -1;
        }

        /** Forwards {@code signal} (USR1, WINCH...) to the generation's own process. */
        default void forward(PosixSignal signal) {
            signal(signal);
        }
    }

    /** A scheduled event; cancelling is idempotent. */
    interface Timer {
        void cancel();
    }
}

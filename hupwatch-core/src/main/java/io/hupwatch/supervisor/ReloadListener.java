package io.hupwatch.supervisor;

/**
 * Told by the {@link ReloadHistory} when a reload ends and when a generation exits, for whoever counts
 * them (the metrics). Called on the event loop thread: implementations must be quick and must not block.
 */
public interface ReloadListener {
    /**
     * A reload ended.
     *
     * @param outcome    one of {@link ReloadRecord#ENDED}
     * @param readyNanos from its generation's start to ready, or -1 when it never was ready
     */
    default void reloadEnded(String outcome, long readyNanos) {
    }

    /**
     * A generation exited.
     *
     * @param cause      {@code stopped} (after the stop signal, in time), {@code killed} (SIGKILLed while
     *                   stopping), {@code failed_start} (before it was ready), {@code serving_exited} (the
     *                   serving generation, on its own)
     * @param drainNanos from the stop signal to its exit, or -1 when it was not sent one
     */
    default void generationExited(String cause, long drainNanos) {
    }

    ReloadListener NONE = new ReloadListener() {
    };
}

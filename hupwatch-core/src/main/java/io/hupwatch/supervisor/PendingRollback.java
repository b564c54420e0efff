package io.hupwatch.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A rollback under way: RESUME was sent to the generation kept warm, and its agents' answer ({@code RESUMED})
 * is awaited, for at most {@link Rollback#RESUME_ACK}, before anything is stopped. Part of the
 * {@link Rollback}, on the supervisor's thread.
 */
final class PendingRollback {
    /** Why the rollback was wanted: "asked for on the control socket", "its readiness check failed...". */
    final String why;
    private final List<Consumer<ReloadOutcome>> waiters = new ArrayList<>();
    private final Host.Timer timeout;

    PendingRollback(String why, Consumer<ReloadOutcome> waiter, Host.Timer timeout) {
        this.why = why;
        this.timeout = timeout;
        add(waiter);
    }

    /** One more client waiting for the outcome ({@code hupwatch rollback} asked again); null: none. */
    void add(Consumer<ReloadOutcome> waiter) {
        if (waiter != null) {
            waiters.add(waiter);
        }
    }

    /** Ends the wait: the timer is cancelled, and every waiter learns {@code outcome}. */
    void answer(ReloadOutcome outcome) {
        timeout.cancel();
        waiters.forEach(w -> w.accept(outcome));
        waiters.clear();
    }
}

package io.hupwatch.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reload bookkeeping, used only on the event loop thread: the one follow-up reload into which
 * requests made while a generation is starting are merged, the control clients waiting for the
 * current or the follow-up reload, and the counts the status report shows.
 */
final class Reloads {
    private List<Consumer<ReloadOutcome>> current = new ArrayList<>();
    private List<Consumer<ReloadOutcome>> next = new ArrayList<>();
    private boolean pending;
    private int succeeded;
    private int failed;
    private String lastFailure;

    /** A reload starts now; {@code waiter} (may be null) learns its outcome. */
    void startsNow(Consumer<ReloadOutcome> waiter) {
        if (waiter != null) {
            current.add(waiter);
        }
    }

    /**
     * A reload was asked for while a generation is starting: it is merged into the one follow-up.
     *
     * @return whether this is the first request merged into it
     */
    boolean mergeIntoFollowUp(Consumer<ReloadOutcome> waiter) {
        boolean first = !pending;
        pending = true;
        if (waiter != null) {
            next.add(waiter);
        }
        return first;
    }

    /** Whether a reload was asked for while the current one was under way. */
    boolean followUpPending() {
        return pending;
    }

    /** Whether a follow-up reload is due; if so its waiters now wait for the generation it starts. */
    boolean takeFollowUp() {
        if (!pending) {
            return false;
        }
        pending = false;
        current.addAll(next);
        next = new ArrayList<>();
        return true;
    }

    /** The generation now starting is ready; {@code wasReload}: it replaced a serving one. */
    void succeeded(boolean wasReload, ReloadOutcome outcome) {
        if (wasReload) {
            succeeded++;
        }
        finishCurrent(outcome);
    }

    /** The generation now starting failed; the serving one keeps serving. */
    void failed(String reason, ReloadOutcome outcome) {
        failed++;
        lastFailure = reason;
        finishCurrent(outcome);
    }

    /** hupwatch is shutting down: no follow-up, and every waiter is told. */
    void cancelAll(String why) {
        pending = false;
        ReloadOutcome outcome = new ReloadOutcome(false, 0, 0, why);
        finishCurrent(outcome);
        List<Consumer<ReloadOutcome>> done = next;
        next = new ArrayList<>();
        done.forEach(w -> w.accept(outcome));
    }

    int succeededCount() {
        return succeeded;
    }

    int failedCount() {
        return failed;
    }

    /** The reason of the last failed reload, or null. */
    String lastFailure() {
        return lastFailure;
    }

    private void finishCurrent(ReloadOutcome outcome) {
        List<Consumer<ReloadOutcome>> done = current;
        current = new ArrayList<>();
        done.forEach(w -> w.accept(outcome));
    }
}

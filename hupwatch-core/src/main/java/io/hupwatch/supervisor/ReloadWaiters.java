package io.hupwatch.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Control clients waiting for a reload: those waiting for the generation now starting, and those
 * whose request was merged into the follow-up reload. Used only on the event loop thread.
 */
final class ReloadWaiters {
    private List<Consumer<ReloadOutcome>> current = new ArrayList<>();
    private List<Consumer<ReloadOutcome>> next = new ArrayList<>();

    void waitForCurrent(Consumer<ReloadOutcome> w) {
        current.add(w);
    }

    void waitForNext(Consumer<ReloadOutcome> w) {
        next.add(w);
    }

    /** The follow-up reload begins: its waiters now wait for the starting generation. */
    void nextBegins() {
        current.addAll(next);
        next = new ArrayList<>();
    }

    void finishCurrent(ReloadOutcome outcome) {
        List<Consumer<ReloadOutcome>> done = current;
        current = new ArrayList<>();
        done.forEach(w -> w.accept(outcome));
    }

    void failAll(ReloadOutcome outcome) {
        finishCurrent(outcome);
        List<Consumer<ReloadOutcome>> done = next;
        next = new ArrayList<>();
        done.forEach(w -> w.accept(outcome));
    }
}

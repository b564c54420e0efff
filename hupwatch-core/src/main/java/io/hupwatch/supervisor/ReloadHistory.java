package io.hupwatch.supervisor;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The last {@value #KEPT} reloads, for {@code hupwatch status}, and the counts of what ended them, for
 * the metrics (through a {@link ReloadListener}). The {@link Supervisor} tells it what happens at each
 * point of a reload's life; it changes nothing the supervisor decides on. Used on the event loop
 * thread only.
 */
public final class ReloadHistory {
    public static final int KEPT = 20;
    private static final int SIGKILL_STATUS = 128 + 9;

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final LongSupplier wallClock;
    private ReloadListener listener = ReloadListener.NONE;
    /** The reload whose generation is starting (or about to), or null. */
    private Entry current;
    /** The follow-up reload that requests made during a start were merged into, not begun yet, or null. */
    private Entry followUp;
    /** The entry that later requests for the same follow-up are counted in, or null. */
    private Entry merged;

    ReloadHistory(LongSupplier wallClock) {
        this.wallClock = wallClock;
    }

    /** Who is told of every ended reload and exited generation; set before the event loop runs. */
    public void listen(ReloadListener l) {
        listener = l;
    }

    /** A reload was asked for: it starts now, or ({@code whileStarting}) it is merged into the follow-up. */
    void asked(boolean whileStarting) {
        if (!whileStarting) {
            current = add(new Entry(ReloadRecord.STARTING, null));
        } else if (followUp == null) {
            followUp = add(new Entry(ReloadRecord.PENDING, null));
            merged = null;
        } else {
            listener.reloadEnded(ReloadRecord.MERGED, -1);
            if (merged != null && entries.peekLast() == merged) {
                merged.requests++;
            } else {
                merged = add(new Entry(ReloadRecord.MERGED, followUp));
            }
        }
    }

    /** Generation {@code number} is about to be started (for the current reload or the follow-up, if any). */
    void starting(int number) {
        if (current == null && followUp != null) {
            current = followUp;
            followUp = null;
        }
        if (current != null) {
            current.generation = number;
            current.outcome = ReloadRecord.STARTING;
        }
    }

    /**
     * Generation {@code number} is ready after {@code readyNanos} and replaces {@code previous} (0: none); on
     * {@code probation}, the swap ends when it is {@link #confirmed} or {@link #rolledBack}.
     */
    void ready(int number, int previous, long readyNanos, boolean probation) {
        if (current == null || current.generation != number || previous == 0) {
            return;
        }
        current.readyMillis = readyNanos / 1_000_000;
        current.oldGeneration = previous;
        if (probation) {
            current.outcome = ReloadRecord.ON_PROBATION;
            current = null;
        } else {
            end(ReloadRecord.SWAPPED, null, readyNanos);
        }
    }

    /** Generation {@code number}, on probation, passed it: the swap to it is done. */
    void confirmed(int number) {
        for (Entry e : entries) {
            if (e.generation == number && e.target == null && ReloadRecord.ON_PROBATION.equals(e.outcome)) {
                e.outcome = ReloadRecord.SWAPPED;
                listener.reloadEnded(ReloadRecord.SWAPPED, e.readyMillis * 1_000_000);
            }
        }
    }

    /** The reload's generation {@code number} failed; the serving one keeps serving. */
    void failed(int number, String why) {
        if (current != null && current.generation == number) {
            end(ReloadRecord.FAILED, why, -1);
        }
    }

    /** The swap to generation {@code number} was undone: the generation it replaced serves again. */
    public void rolledBack(int number, String why) {
        for (Entry e : entries) {
            if (e.generation == number && e.target == null && ReloadRecord.ON_PROBATION.equals(e.outcome)) {
                e.outcome = ReloadRecord.ROLLED_BACK;
                e.reason = why;
                listener.reloadEnded(ReloadRecord.ROLLED_BACK, -1);
            }
        }
    }

    /** Generation {@code number}'s agent reports {@code connections} still open at the end of its drain. */
    void drainLeft(int number, int connections) {
        Entry e = replacing(number);
        if (e != null) {
            e.connectionsLeft = connections;
        }
    }

    /** Generation {@code g} (null if unknown) exited with {@code status}; called before the supervisor forgets it. */
    void exited(Generation g, int status, long nowNanos) {
        if (g == null) {
            return;
        }
        long drain = -1;
        String cause;
        switch (g.state) {
            case STARTING -> cause = "failed_start";
            case SERVING -> cause = "serving_exited";
            default -> {
                drain = nowNanos - g.stopSentNanos;
                cause = status == SIGKILL_STATUS ? "killed" : "stopped";
            }
        }
        listener.generationExited(cause, drain);
        Entry e = replacing(g.number);
        if (e != null) {
            e.drainMillis = drain < 0 ? -1 : drain / 1_000_000;
            e.oldExitStatus = status;
        }
        if (current != null && current.generation == g.number && g.state == Generation.State.STOPPING) {
            // stopped while starting: by a shutdown, which also drops the follow-up
            end(ReloadRecord.CANCELLED, "hupwatch is shutting down", -1);
            if (followUp != null) {
                followUp.outcome = ReloadRecord.CANCELLED;
                followUp.reason = "hupwatch is shutting down";
                followUp = null;
            }
        }
    }

    /** The kept reloads, oldest first. */
    List<ReloadRecord> records() {
        return entries.stream().map(Entry::record).toList();
    }

    private void end(String outcome, String why, long readyNanos) {
        current.outcome = outcome;
        current.reason = why;
        current = null;
        listener.reloadEnded(outcome, readyNanos);
    }

    /** The reload that replaced generation {@code number}, or null. */
    private Entry replacing(int number) {
        for (Entry e : entries) {
            if (e.oldGeneration == number) {
                return e;
            }
        }
        return null;
    }

    private Entry add(Entry e) {
        if (entries.size() == KEPT) {
            entries.removeFirst();
        }
        entries.addLast(e);
        return e;
    }

    private final class Entry {
        final long askedAtMillis = wallClock.getAsLong();
        /** For a merged entry: the follow-up it was merged into; else null. */
        final Entry target;
        int generation;
        int requests = 1;
        String outcome;
        String reason;
        long readyMillis = -1;
        int oldGeneration;
        long drainMillis = -1;
        int connectionsLeft = -1;
        int oldExitStatus = -1;

        Entry(String outcome, Entry target) {
            this.outcome = outcome;
            this.target = target;
        }

        ReloadRecord record() {
            return new ReloadRecord(target == null ? generation : target.generation, askedAtMillis, requests, outcome,
                    reason, readyMillis, oldGeneration, drainMillis, connectionsLeft, oldExitStatus);
        }
    }
}

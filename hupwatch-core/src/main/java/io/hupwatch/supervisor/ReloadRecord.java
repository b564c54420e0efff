package io.hupwatch.supervisor;

/**
 * One reload as {@code hupwatch status} shows it. Unknown figures are -1 (0 for a generation number).
 *
 * @param generation       the generation it started (0 while a merged or pending request has none yet)
 * @param askedAtMillis    when it was asked for (wall clock, epoch milliseconds)
 * @param requests         how many requests this entry stands for (consecutive merged ones are one entry)
 * @param outcome          {@code starting}, {@code pending} (follow-up not begun), {@code swapped},
 *                         {@code failed}, {@code rolled back}, {@code merged} (into the follow-up
 *                         reload of {@code generation}) or {@code cancelled} (by a shutdown)
 * @param reason           why it failed or was rolled back, else null
 * @param readyMillis      from its start to ready, or -1
 * @param oldGeneration    the generation it replaced, or 0
 * @param drainMillis      from the stop signal to the old generation's exit, or -1 (still draining)
 * @param connectionsLeft  connections the old generation still had open at the end of its agent's drain,
 *                         or -1 when unknown (no agent attached, or not drained yet)
 * @param oldExitStatus    the old generation's exit status (128+N for signal N), or -1 (not exited yet)
 */
public record ReloadRecord(int generation, long askedAtMillis, int requests, String outcome, String reason,
        long readyMillis, int oldGeneration, long drainMillis, int connectionsLeft, int oldExitStatus) {

    public static final String STARTING = "starting";
    public static final String PENDING = "pending";
    public static final String ON_PROBATION = "on probation";
    public static final String SWAPPED = "swapped";
    public static final String FAILED = "failed";
    public static final String ROLLED_BACK = "rolled back";
    public static final String MERGED = "merged";
    public static final String CANCELLED = "cancelled";

    /** The outcomes that end a reload, in the order the metrics list them. */
    public static final java.util.List<String> ENDED = java.util.List.of(SWAPPED, FAILED, ROLLED_BACK, MERGED,
            CANCELLED);
}

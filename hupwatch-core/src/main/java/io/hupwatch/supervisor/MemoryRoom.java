package io.hupwatch.supervisor;

/**
 * Whether a memory limit can hold one more generation beside the serving one, judged before a reload
 * starts it. During a swap two generations are resident, and during a probation for its length too; a
 * cgroup that cannot hold them makes the kernel's OOM killer choose, and it picks the largest process,
 * often the serving generation.
 *
 * <p>The rule. The new generation is assumed to need what the serving one holds privately (its tree's
 * anonymous and shared-memory pages: the mapped code is page cache the two share). A tenth of the limit
 * stays free (the kernel's own charges, thread stacks, a heap that grows before the collector runs).
 * <ul>
 *   <li>The reload goes ahead with a probation when {@code used + 1.5 × footprint + limit/10 ≤ limit}.</li>
 *   <li>It goes ahead without a probation when only {@code used + footprint + limit/10 ≤ limit} holds:
 *       during a swap the two overlap while the new one starts, not yet serving, and the old one drains;
 *       during a probation the old one stays for its whole length while the new one takes all the load
 *       and grows into its heap and caches (a new release may well need more than the old one), so it
 *       gets half a generation more. What the paused one gives back is not counted on: that depends on
 *       its collector and its flags.</li>
 *   <li>Otherwise the reload fails at once, saying so; the serving generation is untouched.</li>
 * </ul>
 * "used" is everything in the cgroup: hupwatch, the serving generation, a draining one not yet gone.
 * With no limit, or no footprint to go by, there is nothing to judge.
 */
final class MemoryRoom {
    private static final long MIB = 1024 * 1024;

    enum Verdict { FITS, NO_PROBATION, DOES_NOT_FIT }

    /** {@code text}: the figures and what follows from them, for the log and the reload's failure. */
    record Judgement(Verdict verdict, String text) {
        static final Judgement UNJUDGED = new Judgement(Verdict.FITS, null);
    }

    private MemoryRoom() {
    }

    /**
     * @param use       the limit and its use now; null when unknown
     * @param footprint what the serving generation holds privately, in bytes; below 1 when unknown
     * @param serving   its name, "generation 2 (pid 41)"
     */
    static Judgement judge(MemoryUse use, long footprint, String serving) {
        if (use == null || use.limit() <= 0 || footprint <= 0) {
            return Judgement.UNJUDGED;
        }
        long limit = use.limit();
        long free = limit / 10;
        long swap = use.used() + footprint + free;
        String figures = "limit " + mib(limit) + " (" + use.cgroup() + "), in use " + mib(use.used()) + ", " + serving
                + " holds " + mib(footprint) + ", " + mib(free) + " kept free";
        if (swap + footprint / 2 <= limit) {
            return new Judgement(Verdict.FITS, "memory " + figures + ": room for a new generation and a probation");
        }
        if (swap <= limit) {
            return new Judgement(Verdict.NO_PROBATION, "memory " + figures + ": room for a new generation, not for a"
                    + " probation (" + mib(swap + footprint / 2) + " needed)");
        }
        return new Judgement(Verdict.DOES_NOT_FIT, "not enough memory for a new generation beside " + serving
                + ", assuming it needs what that one holds (memory " + figures + ": " + mib(swap) + " needed)");
    }

    private static String mib(long bytes) {
        return (bytes + MIB / 2) / MIB + " MiB";
    }
}

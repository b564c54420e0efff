package io.hupwatch.supervisor;

import java.util.ArrayList;
import java.util.List;

/**
 * The live generations, by role: at most one starting, at most one serving, any number stopping
 * (draining after the stop signal). Owned and changed by the {@link Supervisor} alone.
 */
final class Generations {
    Generation starting;
    Generation serving;
    final List<Generation> stopping = new ArrayList<>();
    /** The previous serving generation, kept warm during a probation (paused, or accepting alongside); or null. */
    Generation standby;

    /** Every live generation, oldest first. */
    List<Generation> live() {
        List<Generation> all = new ArrayList<>(stopping);
        if (standby != null) {
            all.add(standby);
        }
        if (serving != null) {
            all.add(serving);
        }
        if (starting != null) {
            all.add(starting);
        }
        all.sort((a, b) -> Integer.compare(a.number, b.number));
        return all;
    }

    /** The live generation numbered {@code number}, or null. */
    Generation find(int number) {
        return live().stream().filter(g -> g.number == number).findFirst().orElse(null);
    }

    boolean noneLeft() {
        return serving == null && starting == null && standby == null && stopping.isEmpty();
    }

    /** "generation 2 (pid 41), generation 3 (pid 57)", or "no generation". */
    String describe() {
        List<Generation> all = live();
        return all.isEmpty() ? "no generation" : String.join(", ", all.stream().map(Generation::toString).toList());
    }

    StatusReport report(long nowNanos, long wrapperPid, String ready, List<String> sockets, int reloadsOk,
            int reloadsFailed, String lastFailure, boolean shuttingDown, List<ReloadRecord> history) {
        List<StatusReport.GenerationInfo> infos = live().stream().map(g -> new StatusReport.GenerationInfo(g.number,
                g.child.pid(), g.state == Generation.State.STOPPING ? "draining" : g.state.name().toLowerCase(),
                (nowNanos - g.startedNanos) / 1_000_000, g.statusText, -1)).toList();
        return new StatusReport(wrapperPid, ready, infos, sockets, reloadsOk, reloadsFailed, lastFailure, shuttingDown,
                history);
    }
}

package io.hupwatch.supervisor;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** A {@link ReloadRecord} as a line of {@code hupwatch status} and as JSON. */
final class ReloadText {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private ReloadText() {
    }

    /**
     * "2026-12-03 14:02:11  generation 5  swapped, ready after 1.2s; generation 4 drained for 812ms,
     * 3 connection(s) left, exited with status 0".
     */
    static String line(ReloadRecord r) {
        StringBuilder sb = new StringBuilder(TIME.format(Instant.ofEpochMilli(r.askedAtMillis())
                .atZone(ZoneId.systemDefault())));
        sb.append("  ").append(r.generation() == 0 ? "generation ?" : "generation " + r.generation()).append("  ");
        if (r.outcome().equals(ReloadRecord.MERGED)) {
            sb.append(r.requests() == 1 ? "1 request merged" : r.requests() + " requests merged")
                    .append(" into the follow-up reload");
            return sb.toString();
        }
        sb.append(r.outcome());
        if (r.readyMillis() >= 0) {
            sb.append(", ready after ").append(millis(r.readyMillis()));
        }
        if (r.reason() != null) {
            sb.append(": ").append(r.reason());
        }
        if (r.oldGeneration() > 0) {
            sb.append("; generation ").append(r.oldGeneration());
            if (r.oldExitStatus() < 0) {
                sb.append(" draining");
            } else {
                sb.append(r.drainMillis() < 0 ? "" : " drained for " + millis(r.drainMillis()) + ",");
                sb.append(r.connectionsLeft() < 0 ? "" : " " + r.connectionsLeft() + " connection(s) left,");
                sb.append(" exited with ").append(ExitStatus.describe(r.oldExitStatus()));
            }
        }
        return sb.toString();
    }

    static String json(ReloadRecord r) {
        return "{\"generation\":" + orNull(r.generation() == 0 ? -1 : r.generation())
                + ",\"asked_at\":" + StatusReport.quote(Instant.ofEpochMilli(r.askedAtMillis()).toString())
                + ",\"requests\":" + r.requests()
                + ",\"outcome\":" + StatusReport.quote(r.outcome())
                + ",\"reason\":" + StatusReport.quote(r.reason())
                + ",\"ready_ms\":" + orNull(r.readyMillis())
                + ",\"old_generation\":" + orNull(r.oldGeneration() == 0 ? -1 : r.oldGeneration())
                + ",\"drain_ms\":" + orNull(r.drainMillis())
                + ",\"connections_left\":" + orNull(r.connectionsLeft())
                + ",\"old_exit_status\":" + orNull(r.oldExitStatus()) + "}";
    }

    private static String orNull(long value) {
        return value < 0 ? "null" : Long.toString(value);
    }

    private static String millis(long ms) {
        return Durations.formatNanos(ms * 1_000_000);
    }
}

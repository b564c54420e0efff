package io.hupwatch.supervisor;

import java.util.List;

/**
 * What {@code hupwatch status} shows.
 *
 * @param wrapperPid     hupwatch's pid
 * @param ready          the readiness mode, as text
 * @param generations    the live generations, oldest first
 * @param sockets        the sockets hupwatch holds, as {@code NAME ADDRESS}
 * @param reloadsOk      reloads that ended with the new generation serving
 * @param reloadsFailed  reloads that ended with the old generation still serving
 * @param lastFailure    the reason of the last failed reload, or null
 * @param shuttingDown   whether hupwatch is shutting down
 * @param history        the last reloads, oldest first
 */
public record StatusReport(long wrapperPid, String ready, List<GenerationInfo> generations, List<String> sockets,
        int reloadsOk, int reloadsFailed, String lastFailure, boolean shuttingDown, List<ReloadRecord> history) {

    /**
     * One generation: its number, pid, state (starting, serving, draining), age, last STATUS= text, and
     * its open connections on the held sockets (-1: not counted).
     */
    public record GenerationInfo(int generation, long pid, String state, long ageMillis, String status,
            int connections) {
    }

    /** This report with each generation's open connections ({@code byGeneration}: number to count). */
    public StatusReport withConnections(java.util.Map<Integer, Integer> byGeneration) {
        List<GenerationInfo> counted = generations.stream().map(g -> new GenerationInfo(g.generation(), g.pid(),
                g.state(), g.ageMillis(), g.status(), byGeneration.getOrDefault(g.generation(), -1))).toList();
        return new StatusReport(wrapperPid, ready, counted, sockets, reloadsOk, reloadsFailed, lastFailure,
                shuttingDown, history);
    }

    /** For people: one line about hupwatch, one per generation, then sockets and the last failure. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("hupwatch pid ").append(wrapperPid).append(shuttingDown ? " (shutting down)" : "")
                .append(", ready: ").append(ready).append(", reloads: ").append(reloadsOk).append(" ok, ")
                .append(reloadsFailed).append(" failed\n");
        for (GenerationInfo g : generations) {
            sb.append(String.format("  generation %-4d pid %-8d %-9s up %s%s%s%n", g.generation(), g.pid(), g.state(),
                    Durations.format(java.time.Duration.ofMillis(g.ageMillis() / 1000 * 1000)),
                    g.connections() < 0 ? "" : ", " + g.connections() + " connection(s)",
                    g.status() == null ? "" : "  (" + g.status() + ")"));
        }
        for (String s : sockets) {
            sb.append("  socket ").append(s).append('\n');
        }
        if (lastFailure != null) {
            sb.append("  last failed reload: ").append(lastFailure).append('\n');
        }
        if (!history.isEmpty()) {
            sb.append("  last reloads, oldest first:\n");
            history.forEach(r -> sb.append("    ").append(ReloadText.line(r)).append('\n'));
        }
        return sb.toString();
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"pid\":").append(wrapperPid);
        sb.append(",\"ready\":").append(quote(ready));
        sb.append(",\"shutting_down\":").append(shuttingDown);
        sb.append(",\"generations\":[");
        for (int i = 0; i < generations.size(); i++) {
            GenerationInfo g = generations.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"generation\":").append(g.generation())
                    .append(",\"pid\":").append(g.pid())
                    .append(",\"state\":").append(quote(g.state()))
                    .append(",\"age_ms\":").append(g.ageMillis())
                    .append(",\"status\":").append(quote(g.status()))
                    .append(",\"connections\":").append(g.connections() < 0 ? "null" : g.connections()).append('}');
        }
        sb.append("],\"sockets\":[");
        for (int i = 0; i < sockets.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(quote(sockets.get(i)));
        }
        sb.append("],\"reloads\":{\"ok\":").append(reloadsOk).append(",\"failed\":").append(reloadsFailed)
                .append(",\"last_failure\":").append(quote(lastFailure)).append("},\"history\":[");
        for (int i = 0; i < history.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(ReloadText.json(history.get(i)));
        }
        sb.append("]}");
        return sb.toString();
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}

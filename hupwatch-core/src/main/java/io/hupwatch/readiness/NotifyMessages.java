package io.hupwatch.readiness;

import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.Readiness;

/**
 * sd_notify messages ("READY=1", "STATUS=...", newline-separated) from a generation, as events; and
 * on a handoff connection also {@code ACCEPTING=1}, which hupwatch says for a generation once its
 * Java agent has reported it accepting on every socket it must ({@code --ready auto}, decided by the
 * sockets' {@code AcceptReadiness}), and {@code DRAIN_LEFT=N}, the agent's count of the connections
 * still open at the end of its drain. {@code STOPPING=1}: the
 * generation has begun to stop (the agent sends it when its drain begins), which ends a probation at once.
 * {@link #AGENT_RESUMED} and {@link #AGENTS_GONE}: what the handoff socket says of its agent links.
 */
public final class NotifyMessages {
    private static final int MAX_STATUS = 200;

    /**
     * What the handoff socket says for a generation once every agent it told RESUME has answered
     * ({@code RESUMED} on the link; the agents' own lines are not passed on).
     */
    public static final String AGENT_RESUMED = io.hupwatch.handoff.HandoffProtocol.RESUMED;
    /** What the handoff socket says for a generation once the last of its agent links has closed. */
    public static final String AGENTS_GONE = "AGENTS_GONE";

    /** The agent's count, at the end of its drain, of the connections its server still had open. */
    private static final String DRAIN_LEFT = "DRAIN_LEFT=";

    private NotifyMessages() {
    }

    private static void drainLeft(int generation, String count, EventSink sink) {
        try {
            sink.post(new Event.DrainLeft(generation, Integer.parseInt(count)));
        } catch (NumberFormatException e) {
            // not the agent's line: ignored like any other unknown one
        }
    }

    public static void dispatch(int generation, String payload, EventSink sink) {
        for (String line : payload.split("\n")) {
            if (line.equals("READY=1")) {
                sink.post(new Event.ChildReady(generation, "READY=1"));
            } else if (line.equals("ACCEPTING=1")) {
                sink.post(new Event.ChildReady(generation, Readiness.Auto.HOW));
            } else if (line.startsWith(DRAIN_LEFT)) {
                drainLeft(generation, line.substring(DRAIN_LEFT.length()), sink);
            } else if (line.equals(AGENT_RESUMED)) {
                sink.post(new Event.AgentResumed(generation));
            } else if (line.equals(AGENTS_GONE)) {
                sink.post(new Event.AgentsGone(generation));
            } else if (line.equals("STOPPING=1")) {
                sink.post(new Event.ChildStopping(generation));
            } else if (line.startsWith("STATUS=")) {
                String text = line.substring("STATUS=".length());
                sink.post(new Event.ChildStatus(generation, text.length() > MAX_STATUS
                        ? text.substring(0, MAX_STATUS) + "..." : text));
            }
        }
    }
}

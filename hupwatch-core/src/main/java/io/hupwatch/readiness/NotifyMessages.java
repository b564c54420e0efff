package io.hupwatch.readiness;

import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.Readiness;

/**
 * sd_notify messages ("READY=1", "STATUS=...", newline-separated) from a generation, as events; and
 * on a handoff connection also {@code ACCEPTING=1}, which hupwatch's Java agent sends once the
 * server accepts on every socket hupwatch holds ({@code --ready auto}). {@code STOPPING=1}: the generation
 * has begun to stop (the agent sends it when its drain begins), which ends a probation at once.
 */
public final class NotifyMessages {
    private static final int MAX_STATUS = 200;

    private NotifyMessages() {
    }

    public static void dispatch(int generation, String payload, EventSink sink) {
        for (String line : payload.split("\n")) {
            if (line.equals("READY=1")) {
                sink.post(new Event.ChildReady(generation, "READY=1"));
            } else if (line.equals("ACCEPTING=1")) {
                sink.post(new Event.ChildReady(generation, Readiness.Auto.HOW));
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

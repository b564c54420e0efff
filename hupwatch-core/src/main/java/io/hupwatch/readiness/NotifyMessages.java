package io.hupwatch.readiness;

import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;

/** sd_notify messages ("READY=1", "STATUS=...", newline-separated) from a generation, as events. */
public final class NotifyMessages {
    private static final int MAX_STATUS = 200;

    private NotifyMessages() {
    }

    public static void dispatch(int generation, String payload, EventSink sink) {
        for (String line : payload.split("\n")) {
            if (line.equals("READY=1")) {
                sink.post(new Event.ChildReady(generation, "READY=1"));
            } else if (line.startsWith("STATUS=")) {
                String text = line.substring("STATUS=".length());
                sink.post(new Event.ChildStatus(generation, text.length() > MAX_STATUS
                        ? text.substring(0, MAX_STATUS) + "..." : text));
            }
        }
    }
}

package io.hupwatch.supervisor;

/** Where signal handlers, process watchers and timers post their events. Safe from any thread. */
@FunctionalInterface
public interface EventSink {
    void post(Event event);
}

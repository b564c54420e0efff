package io.hupwatch.supervisor;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that runs the supervisor: it takes events off a queue, one at a time, and hands
 * them to {@link Supervisor#handle}. It blocks while nothing happens, so an idle hupwatch uses no CPU.
 */
public final class EventLoop implements EventSink {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    @Override
    public void post(Event event) {
        queue.add(event);
    }

    /** Starts generation 1 and handles events until the supervisor has finished; returns its exit status. */
    public int run(Supervisor supervisor) {
        supervisor.start();
        while (supervisor.finished().isEmpty()) {
            Event event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                continue; // nothing interrupts this thread on purpose; the generations still need it
            }
            log.debug("event: {}", event);
            try {
                supervisor.handle(event);
            } catch (RuntimeException e) {
                // A bug must not leave the generations unsupervised: report it and keep going.
                log.error("internal error while handling {}: {}", event, e.toString(), e);
            }
        }
        return supervisor.finished().getAsInt();
    }
}

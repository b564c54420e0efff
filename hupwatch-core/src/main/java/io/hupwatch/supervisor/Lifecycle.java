package io.hupwatch.supervisor;

/**
 * Milestones the supervisor announces, for whoever reports them outward (systemd's notify socket,
 * the pidfile). Called on the event loop thread; implementations must not block.
 */
public interface Lifecycle {
    /** Generation 1 is ready: hupwatch is up. */
    default void started(int generation, long pid) {
    }

    /** A reload began. */
    default void reloading() {
    }

    /** The reload ended; {@code ok} when the new generation serves. */
    default void reloaded(boolean ok, String summary) {
    }

    /** A generation sent a STATUS= text, or hupwatch has news worth a status line. */
    default void status(String text) {
    }

    /** Shutdown began. */
    default void stopping() {
    }

    Lifecycle NONE = new Lifecycle() {
    };

    /** Each of {@code parts}, in order. */
    static Lifecycle all(Lifecycle... parts) {
        return new Lifecycle() {
            @Override
            public void started(int generation, long pid) {
                for (Lifecycle l : parts) {
                    l.started(generation, pid);
                }
            }

            @Override
            public void reloading() {
                for (Lifecycle l : parts) {
                    l.reloading();
                }
            }

            @Override
            public void reloaded(boolean ok, String summary) {
                for (Lifecycle l : parts) {
                    l.reloaded(ok, summary);
                }
            }

            @Override
            public void status(String text) {
                for (Lifecycle l : parts) {
                    l.status(text);
                }
            }

            @Override
            public void stopping() {
                for (Lifecycle l : parts) {
                    l.stopping();
                }
            }
        };
    }
}

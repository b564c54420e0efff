package io.hupwatch.supervisor;

/** One run of the server command: its number, its process and where it is in its life. */
final class Generation {

    /** STANDBY: the previous serving generation during a probation (see {@link Probation}). */
    enum State { STARTING, SERVING, STANDBY, STOPPING }

    final int number;
    final Host.Child child;
    final long startedNanos;
    State state = State.STARTING;
    long stopSentNanos;
    /** The last STATUS= text it sent, or null. */
    String statusText;
    /** Whether the warm-up makes it ready (delay; auto while hupwatch holds no socket). */
    boolean readyAfterWarmup;
    /** The one pending timer of this generation (ready check or drain timeout), or null. */
    Host.Timer timer;

    Generation(int number, Host.Child child, long startedNanos) {
        this.number = number;
        this.child = child;
        this.startedNanos = startedNanos;
    }

    void replaceTimer(Host.Timer next) {
        if (timer != null) {
            timer.cancel();
        }
        timer = next;
    }

    /** "generation 3 (pid 4242)", as every log line names it. */
    @Override
    public String toString() {
        return "generation " + number + " (pid " + child.pid() + ")";
    }
}

package io.hupwatch.supervisor;

/** Everything that can happen to the supervisor. Producers only post these; the event loop handles them. */
public sealed interface Event {

    /** A signal reached hupwatch itself. */
    record SignalReceived(PosixSignal signal) implements Event {
    }

    /** Generation {@code generation} exited with {@code status} (128+N when signal N killed it). */
    record ChildExited(int generation, int status) implements Event {
    }

    /** Generation {@code generation} may count as ready (its warm-up is over); the supervisor checks it is alive. */
    record ReadyCheck(int generation) implements Event {
    }

    /** The drain timeout of generation {@code generation} ran out. */
    record DrainTimedOut(int generation) implements Event {
    }

    /** Generation {@code generation} reported that it is ready ({@code how}: "READY=1", "log line ..."). */
    record ChildReady(int generation, String how) implements Event {
    }

    /** Generation {@code generation} was not ready within the ready timeout. */
    record ReadyTimedOut(int generation) implements Event {
    }

    /** Generation {@code generation} sent a {@code STATUS=} text. */
    record ChildStatus(int generation, String text) implements Event {
    }

    /** A control client asks for a reload and waits for {@code reply}. */
    record ReloadRequested(java.util.function.Consumer<ReloadOutcome> reply) implements Event {
    }

    /** Generation {@code generation}'s agent had {@code connections} still open at the end of its drain. */
    record DrainLeft(int generation, int connections) implements Event {
    }

    /** A control client asks for the status. */
    record StatusRequested(java.util.function.Consumer<StatusReport> reply) implements Event {
    }

    /** The probation of generation {@code generation} is over: it is confirmed, and the one kept warm drains. */
    record ProbationOver(int generation) implements Event {
    }

    /** A control client asks to go back to the generation kept warm during a probation, and waits for {@code reply}. */
    record RollbackRequested(java.util.function.Consumer<ReloadOutcome> reply) implements Event {
    }

    /** Generation {@code generation} says it has begun to stop ({@code STOPPING=1}): it no longer accepts. */
    record ChildStopping(int generation) implements Event {
    }

    /** The readiness check of {@code generation}, on probation, is due to run again. */
    record ProbeDue(int generation) implements Event {
    }

    /** The readiness probe, run again during the probation of {@code generation}, failed ({@code why}). */
    record ProbeFailed(int generation, String why) implements Event {
    }

    /** The readiness probe, run again during the probation of {@code generation}, passed. */
    record ProbePassed(int generation) implements Event {
    }

    /** Every agent of generation {@code generation} told RESUME answered that it accepts again ({@code RESUMED}). */
    record AgentResumed(int generation) implements Event {
    }

    /** The agents of generation {@code generation}, told RESUME, did not all answer in time. */
    record ResumeTimedOut(int generation) implements Event {
    }

    /** Every agent link of generation {@code generation} has closed: its JVMs are gone (its tree may linger). */
    record AgentsGone(int generation) implements Event {
    }
}

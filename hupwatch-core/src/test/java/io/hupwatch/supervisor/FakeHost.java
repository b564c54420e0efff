package io.hupwatch.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** A host that forks nothing: it records spawns and signals, and runs timers on a clock the test moves. */
final class FakeHost implements Host {
    final List<FakeChild> spawned = new ArrayList<>();
    final List<SpawnRequest> requests = new ArrayList<>();
    /** Every signal sent, in order, as "pid:SIGNAL". */
    final List<String> signals = new ArrayList<>();
    /** Of those, the ones forwarded to a generation's first process only (the others reach its whole tree). */
    final List<String> forwarded = new ArrayList<>();
    /** What {@link #holdsSockets()} answers. */
    boolean holdsSockets = true;
    /** The generations the supervisor said became the serving one, in order. */
    final List<Integer> serving = new ArrayList<>();
    /** Whether generations can be paused (as with hupwatch's Java agent attached). */
    boolean pausable;
    /** "PAUSE 1", "RESUME 1", "PROBE 2": what the supervisor asked of the generations' agents and probes, in order. */
    final List<String> told = new ArrayList<>();
    private final PriorityQueue<FakeTimer> timers =
            new PriorityQueue<>(Comparator.comparingLong((FakeTimer t) -> t.due).thenComparingLong(t -> t.seq));
    private long now;
    private long seq;
    private int nextPid = 100;
    SpawnException nextSpawnFailure;
    /** What {@link #memoryUse()} answers (null: no memory cgroup). */
    MemoryUse memoryUse;

    @Override
    public MemoryUse memoryUse() {
        return memoryUse;
    }

    @Override
    public boolean holdsSockets() {
        return holdsSockets;
    }

    @Override
    public void serving(int number) {
        serving.add(number);
    }

    /** The generations the supervisor said serve again after a rollback or a failed start, in order. */
    final List<Integer> servingAgain = new ArrayList<>();

    @Override
    public void servingAgain(int number) {
        servingAgain.add(number);
    }

    /** What {@link #droppedPorts} answers, per generation. */
    final java.util.Map<Integer, String> droppedPorts = new java.util.HashMap<>();

    @Override
    public String droppedPorts(int number) {
        return droppedPorts.get(number);
    }

    @Override
    public boolean pause(int number) {
        if (pausable) {
            told.add("PAUSE " + number);
        }
        return pausable;
    }

    /** Whether RESUME reaches a generation's agent (false: its link is broken). */
    boolean resumable = true;

    @Override
    public boolean resume(int number) {
        told.add("RESUME " + number);
        return resumable;
    }

    @Override
    public void probeAgain(int number) {
        told.add("PROBE " + number);
    }

    @Override
    public Child spawn(SpawnRequest request) throws SpawnException {
        requests.add(request);
        if (nextSpawnFailure != null) {
            SpawnException e = nextSpawnFailure;
            nextSpawnFailure = null;
            throw e;
        }
        FakeChild c = new FakeChild(nextPid++, request.generation());
        spawned.add(c);
        return c;
    }

    @Override
    public Timer schedule(Duration delay, Event event) {
        FakeTimer t = new FakeTimer(now + delay.toNanos(), seq++, event);
        timers.add(t);
        return t;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves the clock forward, handing every timer that falls due to the supervisor, in order. */
    void advance(Duration d, Supervisor s) {
        long until = now + d.toNanos();
        while (!timers.isEmpty() && timers.peek().due <= until) {
            FakeTimer t = timers.poll();
            now = t.due;
            if (!t.cancelled) {
                s.handle(t.event);
            }
        }
        now = until;
    }

    int liveTimers() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }

    FakeChild generation(int n) {
        return spawned.stream().filter(c -> c.generation == n).findFirst().orElseThrow();
    }

    List<String> signalsTo(FakeChild c) {
        return signals.stream().filter(s -> s.startsWith(c.pid + ":")).map(s -> s.substring(s.indexOf(':') + 1)).toList();
    }

    final class FakeChild implements Child {
        final long pid;
        final int generation;
        boolean alive = true;
        /** What {@link #privateMemory()} answers. */
        long privateMemory = -1;

        FakeChild(long pid, int generation) {
            this.pid = pid;
            this.generation = generation;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public long privateMemory() {
            return privateMemory;
        }

        @Override
        public void signal(PosixSignal signal) {
            if (alive) {
                signals.add(pid + ":" + signal.name());
            }
        }

        @Override
        public void forward(PosixSignal signal) {
            if (alive) {
                signals.add(pid + ":" + signal.name());
                forwarded.add(pid + ":" + signal.name());
            }
        }

        /** The process exits: the host reports it, as the real one does. */
        void exit(int status, Supervisor s) {
            alive = false;
            s.handle(new Event.ChildExited(generation, status));
        }
    }

    static final class FakeTimer implements Timer {
        final long due;
        final long seq;
        final Event event;
        boolean cancelled;

        FakeTimer(long due, long seq, Event event) {
            this.due = due;
            this.seq = seq;
            this.event = event;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}

package io.hupwatch.os;

import java.util.List;

/**
 * The processes of this machine as {@code /proc} shows them, and the exact way to signal one. The
 * real one is {@link ProcFsProcesses}; tests give a table of their own.
 */
public interface ProcessTable {

    /** Every process now (zombies included, flagged). */
    List<ProcessEntry> all();

    /** Whether process {@code pid}'s environment (as it was exec'd) holds every one of {@code entries} ("K=V"). */
    boolean environmentHas(long pid, List<String> entries);

    /** Sends {@code signal} to that process, unless it has exited (a reused pid is never signalled). */
    void signal(ProcessEntry process, int signal);

    /** Sends {@code signal} to every process of group {@code pgid}. */
    void signalGroup(long pgid, int signal);

    /**
     * One process: its ids, and its start time (clock ticks since boot), which with the pid names it
     * exactly (a pid is reused, a pid with its start time never).
     */
    record ProcessEntry(long pid, long ppid, long pgid, long startTime, boolean zombie) {
    }
}

package io.hupwatch.os;

import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The processes of this machine as {@code /proc} shows them, and the exact way to signal one. The
 * real one is {@link ProcFsProcesses}; tests give a table of their own.
 */
public interface ProcessTable {

    /** Every process now (zombies included, flagged). */
    List<ProcessEntry> all();

    /** Process {@code pid} now, or null when it is gone. */
    ProcessEntry entry(long pid);

    /** Whether process {@code pid}'s environment (as it was exec'd) holds every one of {@code entries} ("K=V"). */
    boolean environmentHas(long pid, List<String> entries);

    /** The uids of process {@code pid} ({@code /proc/PID/status}), or null when it is gone. */
    Uids uids(long pid);

    /** The inodes of the sockets open in process {@code pid} (empty when it is gone or not readable). */
    Set<Long> socketInodes(long pid);

    /**
     * Sends {@code signal} to that process, unless it has exited (a reused pid is never signalled) or
     * {@code stillMember} no longer says yes of its pid (its uids, its cgroup): both checked again
     * once a pidfd holds the process, right before the signal.
     */
    void signal(ProcessEntry process, int signal, LongPredicate stillMember);

    /** Sends {@code signal} to every process of group {@code pgid}. */
    void signalGroup(long pgid, int signal);

    /**
     * One process: its ids, and its start time (clock ticks since boot), which with the pid names it
     * exactly (a pid is reused, a pid with its start time never).
     */
    record ProcessEntry(long pid, long ppid, long pgid, long session, long startTime, boolean zombie) {
    }

    /** A process's real, effective and saved uid. */
    record Uids(long real, long effective, long saved) {
        /** Whether all three are {@code uid}: no set-uid step up or down from it. */
        public boolean allAre(long uid) {
            return real == uid && effective == uid && saved == uid;
        }
    }
}

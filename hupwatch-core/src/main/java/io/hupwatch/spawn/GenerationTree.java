package io.hupwatch.spawn;

import io.hupwatch.os.ProcessTable;
import io.hupwatch.os.ProcessTable.ProcessEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The processes of one generation: its first process (the leader, started in a process group of its
 * own), and everything that descends from it, found by pid, never by name:
 * <ul>
 *   <li>every process of the leader's process group;</li>
 *   <li>every process whose environment carries this generation's {@code HUPWATCH_PID} and
 *       {@code HUPWATCH_GENERATION} (one that left the group with {@code setsid} and was reparented);</li>
 *   <li>every process seen as a member before (by pid and start time), and every child of a member.</li>
 * </ul>
 * The stop signal and SIGKILL go to the group at once and to each member outside it; the generation
 * has exited when no member is left. Zombies are not members. Thread-safe: the waiter thread polls
 * it while the event loop signals it.
 */
public final class GenerationTree {
    private final ProcessTable table;
    private final long leader;
    private final List<String> marks;
    /** Members seen so far, by pid and start time. */
    private Set<Member> known = new HashSet<>();
    /** Whether the leader's group had a process at the last look (its number cannot be reused meanwhile). */
    private boolean groupSeen = true;

    private record Member(long pid, long startTime) {
        static Member of(ProcessEntry e) {
            return new Member(e.pid(), e.startTime());
        }
    }

    public GenerationTree(ProcessTable table, long leader, long wrapperPid, int generation) {
        this.table = table;
        this.leader = leader;
        this.marks = List.of("HUPWATCH_PID=" + wrapperPid, "HUPWATCH_GENERATION=" + generation);
    }

    public long leader() {
        return leader;
    }

    /**
     * The live members now.
     *
     * @param deep also read the environment of every process (costlier: done when signalling and when
     *             the leader exits, not on every poll)
     */
    public synchronized List<ProcessEntry> members(boolean deep) {
        List<ProcessEntry> all = table.all();
        Map<Long, List<ProcessEntry>> children = new HashMap<>();
        for (ProcessEntry e : all) {
            children.computeIfAbsent(e.ppid(), k -> new ArrayList<>()).add(e);
        }
        Set<Member> found = new HashSet<>();
        Deque<ProcessEntry> todo = new ArrayDeque<>();
        boolean group = false;
        for (ProcessEntry e : all) {
            boolean inGroup = groupSeen && e.pgid() == leader;
            group |= inGroup;
            if (inGroup || e.pid() == leader && known.isEmpty() || known.contains(Member.of(e))
                    || deep && !e.zombie() && table.environmentHas(e.pid(), marks)) {
                todo.add(e);
            }
        }
        List<ProcessEntry> live = new ArrayList<>();
        while (!todo.isEmpty()) {
            ProcessEntry e = todo.poll();
            if (found.add(Member.of(e))) {
                if (!e.zombie()) {
                    live.add(e);
                }
                todo.addAll(children.getOrDefault(e.pid(), List.of()));
            }
        }
        groupSeen = group;
        known = new HashSet<>(live.stream().map(Member::of).toList());
        return live;
    }

    /** Sends each of {@code signals}, in order, to the whole group at once, then to each member that left it. */
    public synchronized void signal(int... signals) {
        List<ProcessEntry> members = members(true);
        for (int signal : signals) {
            if (groupSeen) {
                table.signalGroup(leader, signal);
            }
            for (ProcessEntry e : members) {
                if (e.pgid() != leader || !groupSeen) {
                    table.signal(e, signal);
                }
            }
        }
    }
}

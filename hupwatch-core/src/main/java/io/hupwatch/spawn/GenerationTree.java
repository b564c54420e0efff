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
import java.util.function.LongPredicate;

/**
 * The processes of one generation: its first process (the leader, started in a process group of its
 * own), and everything that descends from it, found by pid, never by name:
 * <ul>
 *   <li>every process of the leader's process group;</li>
 *   <li>every process whose environment carries this generation's {@code HUPWATCH_PID} and
 *       {@code HUPWATCH_GENERATION} (one that left the group with {@code setsid} and was reparented),
 *       unless hupwatch started it (a readiness check);</li>
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
    private final LongPredicate ownChildren;
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
        this(table, leader, wrapperPid, generation, KnownChildren::contains);
    }

    /** @param ownChildren whether a pid is one hupwatch started and waits for itself */
    GenerationTree(ProcessTable table, long leader, long wrapperPid, int generation, LongPredicate ownChildren) {
        this.ownChildren = ownChildren;
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
        Map<Long, ProcessEntry> byPid = new HashMap<>();
        all.forEach(e -> byPid.put(e.pid(), e));
        Set<Member> found = new HashSet<>();
        Deque<ProcessEntry> todo = new ArrayDeque<>();
        boolean group = false;
        for (ProcessEntry e : all) {
            boolean inGroup = groupSeen && e.pgid() == leader;
            group |= inGroup;
            if (inGroup || e.pid() == leader && known.isEmpty() || known.contains(Member.of(e))
                    || deep && !e.zombie() && table.environmentHas(e.pid(), marks) && !startedByHupwatch(e, byPid)) {
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

    /**
     * Whether {@code e} descends from a process hupwatch started for itself (an {@code exec:} readiness
     * check, which carries the generation's variables too): that is hupwatch's, not the generation's.
     */
    private boolean startedByHupwatch(ProcessEntry e, Map<Long, ProcessEntry> byPid) {
        for (ProcessEntry p = e; p != null && p.pid() > 1; p = byPid.get(p.ppid())) {
            if (p.pid() != leader && ownChildren.test(p.pid())) {
                return true;
            }
            if (p.ppid() == p.pid()) {
                break;
            }
        }
        return false;
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

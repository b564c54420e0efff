package io.hupwatch.spawn;

import io.hupwatch.os.ProcessTable;
import io.hupwatch.os.ProcessTable.ProcessEntry;
import io.hupwatch.os.ProcessTable.Uids;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The processes of one generation when no cgroup of its own says it (the fallback of
 * {@link CgroupTree}): its first process (the leader, started in a process group of its own), and
 * what descends from it, found by pid, never by name:
 * <ul>
 *   <li>every process of the leader's process group;</li>
 *   <li>a process outside the group that carries this generation's {@code HUPWATCH_PID} and
 *       {@code HUPWATCH_GENERATION} (one that left the group with {@code setsid} and was reparented
 *       to hupwatch, a subreaper), unless hupwatch started it (a readiness check);</li>
 *   <li>every process seen as a member before (by pid and start time), and every child of a member.</li>
 * </ul>
 * A process outside the group counts only if it started after the leader and its real, effective
 * and saved uid are all the leader's: the two variables are easy to plant, and another user's
 * process is never signalled nor waited for. A marked one must also descend from hupwatch (when
 * hupwatch is a subreaper, whatever a generation leaves behind does). The stop signal and SIGKILL go
 * to the group at once and to each member outside it (its start time and uids checked again on a
 * pidfd); the generation has exited when no member is left. Zombies are not members.
 */
public final class GenerationTree implements GenerationMembers {
    private final ProcessTable table;
    private final long wrapperPid;
    private final ProcessEntry leader;
    private final long leaderPid;
    private final List<String> marks;
    private final LongPredicate ownChildren;
    private final boolean orphansComeToHupwatch;
    /** The uid the generation runs as: the leader's, as last seen (a start script may drop privileges). */
    private long owner;
    /** Members seen so far, by pid and start time. */
    private Set<Member> known = new HashSet<>();
    /** Processes that are not members any more (daemons let go). */
    private final Set<Member> letGo = new HashSet<>();
    /** Whether the leader's group had a process at the last look (its number cannot be reused meanwhile). */
    private boolean groupSeen = true;

    private record Member(long pid, long startTime) {
        static Member of(ProcessEntry e) {
            return new Member(e.pid(), e.startTime());
        }
    }

    public GenerationTree(ProcessTable table, long leader, long wrapperPid, int generation) {
        this(table, leader, wrapperPid, generation, KnownChildren::contains, OrphanReaper.adoptsOrphans());
    }

    /**
     * @param ownChildren           whether a pid is one hupwatch started and waits for itself
     * @param orphansComeToHupwatch whether hupwatch is a subreaper (or PID 1), so that a process a
     *                              generation leaves behind descends from it
     */
    GenerationTree(ProcessTable table, long leader, long wrapperPid, int generation, LongPredicate ownChildren,
            boolean orphansComeToHupwatch) {
        this.table = table;
        this.wrapperPid = wrapperPid;
        this.leaderPid = leader;
        this.leader = table.entry(leader);
        this.ownChildren = ownChildren;
        this.orphansComeToHupwatch = orphansComeToHupwatch;
        this.marks = List.of("HUPWATCH_PID=" + wrapperPid, "HUPWATCH_GENERATION=" + generation);
        Uids uids = table.uids(leader);
        this.owner = uids == null ? -1 : uids.effective();
    }

    @Override
    public ProcessEntry leader() {
        return leader;
    }

    @Override
    public synchronized List<ProcessEntry> members(boolean deep) {
        List<ProcessEntry> all = table.all();
        Map<Long, List<ProcessEntry>> children = new HashMap<>();
        Map<Long, ProcessEntry> byPid = new HashMap<>();
        for (ProcessEntry e : all) {
            children.computeIfAbsent(e.ppid(), k -> new ArrayList<>()).add(e);
            byPid.put(e.pid(), e);
        }
        Set<Member> found = new HashSet<>();
        Deque<ProcessEntry> todo = new ArrayDeque<>();
        boolean group = false;
        for (ProcessEntry e : all) {
            boolean inGroup = groupSeen && e.pgid() == leaderPid;
            group |= inGroup;
            if (isLeader(e) && !e.zombie()) {
                Uids uids = table.uids(e.pid());
                owner = uids == null ? owner : uids.effective();
            }
            if (inGroup || isLeader(e) || known.contains(Member.of(e))
                    || deep && !e.zombie() && descendsFromHupwatch(e, byPid) && table.environmentHas(e.pid(), marks)) {
                todo.add(e);
            }
        }
        List<ProcessEntry> live = new ArrayList<>();
        while (!todo.isEmpty()) {
            ProcessEntry e = todo.poll();
            boolean trusted = groupSeen && e.pgid() == leaderPid || isLeader(e);
            if (!letGo.contains(Member.of(e)) && found.add(Member.of(e)) && !e.zombie()
                    && (trusted || ownedByTheGeneration(e))) {
                live.add(e);
                todo.addAll(children.getOrDefault(e.pid(), List.of()));
            }
        }
        groupSeen = group;
        known = new HashSet<>(live.stream().map(Member::of).toList());
        return live;
    }

    private boolean isLeader(ProcessEntry e) {
        return leader != null && Member.of(e).equals(Member.of(leader));
    }

    /** Started after the generation, and wholly the generation's user's (no set-uid step). */
    private boolean ownedByTheGeneration(ProcessEntry e) {
        if (leader == null || e.startTime() < leader.startTime()) {
            return false;
        }
        return whollyTheOwners(e.pid());
    }

    private boolean whollyTheOwners(long pid) {
        Uids uids = table.uids(pid);
        return uids != null && uids.allAre(owner);
    }

    /**
     * Whether {@code e} was left behind by a generation: hupwatch (a subreaper) is its ancestor, not
     * through a process hupwatch started for itself (an {@code exec:} readiness check, which carries
     * the generation's variables too).
     */
    private boolean descendsFromHupwatch(ProcessEntry e, Map<Long, ProcessEntry> byPid) {
        for (ProcessEntry p = e; p != null && p.pid() > 1; p = byPid.get(p.ppid())) {
            if (p.pid() != leaderPid && ownChildren.test(p.pid())) {
                return false;
            }
            if (p.ppid() == wrapperPid || p.ppid() == p.pid()) {
                return p.ppid() == wrapperPid;
            }
        }
        return !orphansComeToHupwatch;
    }

    /** Sends each of {@code signals}, in order, to the whole group at once, then to each member that left it. */
    @Override
    public synchronized void signal(int... signals) {
        List<ProcessEntry> members = members(true);
        for (int signal : signals) {
            if (groupSeen) {
                table.signalGroup(leaderPid, signal);
            }
            for (ProcessEntry e : members) {
                if (e.pgid() != leaderPid || !groupSeen) {
                    table.signal(e, signal, this::whollyTheOwners);
                }
            }
        }
    }

    @Override
    public synchronized void letGo(Collection<ProcessEntry> processes) {
        processes.forEach(e -> letGo.add(Member.of(e)));
    }
}

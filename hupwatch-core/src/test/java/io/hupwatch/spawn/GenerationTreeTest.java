package io.hupwatch.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hupwatch.os.ProcessTable;
import io.hupwatch.os.ProcessTable.ProcessEntry;
import io.hupwatch.os.ProcessTable.Uids;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/** Which processes belong to a generation, against a process table the test writes. */
class GenerationTreeTest {
    private static final long WRAPPER = 10;
    private static final long USER = 1000;

    /** A process table that is a list, and remembers what was signalled. */
    private static final class Table implements ProcessTable {
        final List<ProcessEntry> processes = new ArrayList<>();
        final Set<Long> marked = new HashSet<>();
        final List<String> sent = new ArrayList<>();
        /** uids by pid; every process not in it is wholly USER's. */
        final Map<Long, Uids> uids = new HashMap<>();
        Runnable beforeSignal = () -> { };

        ProcessEntry add(long pid, long ppid, long pgid, boolean zombie) {
            return add(new ProcessEntry(pid, ppid, pgid, 1, 1000 + pid, zombie));
        }

        ProcessEntry add(ProcessEntry e) {
            processes.add(e);
            return e;
        }

        void remove(long pid) {
            processes.removeIf(e -> e.pid() == pid);
        }

        @Override
        public List<ProcessEntry> all() {
            return List.copyOf(processes);
        }

        @Override
        public ProcessEntry entry(long pid) {
            return processes.stream().filter(e -> e.pid() == pid).findFirst().orElse(null);
        }

        @Override
        public Uids uids(long pid) {
            return entry(pid) == null ? null : uids.getOrDefault(pid, new Uids(USER, USER, USER));
        }

        @Override
        public Set<Long> socketInodes(long pid) {
            return Set.of();
        }

        @Override
        public boolean environmentHas(long pid, List<String> entries) {
            return marked.contains(pid) && entries.equals(List.of("HUPWATCH_PID=10", "HUPWATCH_GENERATION=3"));
        }

        @Override
        public void signal(ProcessEntry process, int signal, LongPredicate stillMember) {
            beforeSignal.run();
            if (stillMember.test(process.pid())) {
                sent.add(process.pid() + ":" + signal);
            }
        }

        @Override
        public void signalGroup(long pgid, int signal) {
            sent.add("-" + pgid + ":" + signal);
        }
    }

    /** The tree of generation 3, led by pid 100, under a hupwatch (pid 10) that is a subreaper. */
    private static GenerationTree tree(Table t) {
        return new GenerationTree(t, 100, WRAPPER, 3, pid -> false, true);
    }

    private static List<Long> pids(List<ProcessEntry> entries) {
        return entries.stream().map(ProcessEntry::pid).sorted().toList();
    }

    @Test
    void theLeadersGroupAndEveryDescendantAreMembersOtherProcessesAreNot() {
        Table t = new Table();
        t.add(1, 0, 1, false);
        t.add(WRAPPER, 1, WRAPPER, false);
        t.add(100, WRAPPER, 100, false); // the start script
        t.add(101, 100, 100, false); // its java, not exec'd
        t.add(102, 101, 102, false); // a child of java in a group of its own
        t.add(200, WRAPPER, 200, false); // another generation
        GenerationTree tree = tree(t);
        assertEquals(List.of(100L, 101L, 102L), pids(tree.members(true)));
    }

    @Test
    void afterTheLeaderExitsWhatItLeftIsStillTheGenerationUntilItIsGone() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(101, 100, 100, false);
        t.add(103, 100, 100, false);
        GenerationTree tree = tree(t);
        tree.members(true);
        t.remove(100);
        t.remove(101);
        t.remove(103);
        t.add(101, WRAPPER, 101, false); // reparented to hupwatch, and it left the group (setsid)
        t.add(103, WRAPPER, 100, true); // exited, not yet reaped
        assertEquals(List.of(101L), pids(tree.members(false)));
        t.remove(101);
        t.remove(103);
        assertEquals(List.of(), pids(tree.members(false)));
    }

    @Test
    void aReusedPidIsNotAMemberButAProcessCarryingTheGenerationsEnvironmentIs() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(101, 100, 100, false);
        GenerationTree tree = tree(t);
        tree.members(true);
        t.processes.clear();
        t.add(new ProcessEntry(101, 1, 101, 101, 99_999, false)); // pid 101 reused by something else
        t.add(104, WRAPPER, 104, false); // a daemonized descendant (reparented to hupwatch), started between two looks
        t.marked.add(104L);
        assertEquals(List.of(), pids(tree.members(false)), "without reading environments, 104 is unknown");
        assertEquals(List.of(104L), pids(tree.members(true)));
    }

    @Test
    void aReadinessCheckHupwatchStartedIsNotAMemberThoughItCarriesTheGenerationsEnvironment() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(300, WRAPPER, WRAPPER, false); // the exec: check's shell, hupwatch's own child
        t.add(301, 300, WRAPPER, false); // what it runs
        t.marked.addAll(List.of(300L, 301L));
        GenerationTree tree = new GenerationTree(t, 100, WRAPPER, 3, pid -> pid == 100 || pid == 300, true);
        assertEquals(List.of(100L), pids(tree.members(true)));
    }

    @Test
    void aSignalGoesToTheGroupAtOnceAndToEachMemberOutsideIt() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(101, 100, 100, false);
        t.add(105, 100, 105, false); // left the group (setsid), still a child
        t.add(106, WRAPPER, 106, false); // escaped and reparented to hupwatch, found by its environment
        t.marked.add(106L);
        tree(t).signal(15);
        assertEquals("-100:15", t.sent.get(0), "the group first, at once");
        assertEquals(List.of("105:15", "106:15"), t.sent.subList(1, t.sent.size()).stream().sorted().toList());
    }

    @Test
    void onceTheGroupIsEmptyItsNumberIsNeverSignalledAgain() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(106, WRAPPER, 106, false);
        t.marked.add(106L);
        GenerationTree tree = tree(t);
        tree.members(true);
        t.remove(100);
        tree.members(false);
        t.add(new ProcessEntry(100, 1, 100, 100, 5000, false)); // the number taken by a new, unrelated group
        tree.signal(9);
        assertEquals(List.of("106:9"), t.sent);
    }

    @Test
    void aMarkedProcessOfAnotherUserIsNeverAMemberNorSignalled() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(107, WRAPPER, 107, false); // nobody's, with the variables planted
        t.add(108, WRAPPER, 108, false); // a set-uid program run by the generation's user
        t.marked.addAll(List.of(107L, 108L));
        t.uids.put(107L, new Uids(65534, 65534, 65534));
        t.uids.put(108L, new Uids(USER, 0, 0));
        GenerationTree tree = tree(t);
        assertEquals(List.of(100L), pids(tree.members(true)));
        tree.signal(9);
        assertEquals(List.of("-100:9"), t.sent);
    }

    @Test
    void aMarkedProcessStartedBeforeTheGenerationOrNotLeftBehindByItIsNotAMember() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(new ProcessEntry(109, WRAPPER, 109, 109, 50, false)); // started before the leader
        t.add(60, 1, 60, false); // a login shell of the same user
        t.add(110, 60, 110, false); // started by it, after the leader: not hupwatch's descendant
        t.marked.addAll(List.of(109L, 110L));
        GenerationTree tree = tree(t);
        assertEquals(List.of(100L), pids(tree.members(true)));
        t.remove(100);
        assertEquals(List.of(), pids(tree.members(true)), "the generation has exited");
    }

    @Test
    void aMemberOutsideTheGroupIsCheckedAgainRightBeforeEachSignal() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(105, 100, 105, false); // left the group
        GenerationTree tree = tree(t);
        assertEquals(List.of(100L, 105L), pids(tree.members(true)));
        // it exec's a set-uid program between the look and the signal
        t.beforeSignal = () -> t.uids.put(105L, new Uids(USER, 0, 0));
        tree.signal(15);
        assertEquals(List.of("-100:15"), t.sent);
    }
}

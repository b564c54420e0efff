package io.hupwatch.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hupwatch.os.ProcessTable;
import io.hupwatch.os.ProcessTable.ProcessEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which processes belong to a generation, against a process table the test writes. */
class GenerationTreeTest {
    private static final long WRAPPER = 10;

    /** A process table that is a list, and remembers what was signalled. */
    private static final class Table implements ProcessTable {
        final List<ProcessEntry> processes = new ArrayList<>();
        final Set<Long> marked = new HashSet<>();
        final List<String> sent = new ArrayList<>();

        ProcessEntry add(long pid, long ppid, long pgid, boolean zombie) {
            ProcessEntry e = new ProcessEntry(pid, ppid, pgid, 1000 + pid, zombie);
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
        public boolean environmentHas(long pid, List<String> entries) {
            return marked.contains(pid) && entries.equals(List.of("HUPWATCH_PID=10", "HUPWATCH_GENERATION=3"));
        }

        @Override
        public void signal(ProcessEntry process, int signal) {
            sent.add(process.pid() + ":" + signal);
        }

        @Override
        public void signalGroup(long pgid, int signal) {
            sent.add("-" + pgid + ":" + signal);
        }
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
        GenerationTree tree = new GenerationTree(t, 100, WRAPPER, 3);
        assertEquals(List.of(100L, 101L, 102L), pids(tree.members(true)));
    }

    @Test
    void afterTheLeaderExitsWhatItLeftIsStillTheGenerationUntilItIsGone() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(101, 100, 100, false);
        t.add(103, 100, 100, false);
        GenerationTree tree = new GenerationTree(t, 100, WRAPPER, 3);
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
        GenerationTree tree = new GenerationTree(t, 100, WRAPPER, 3);
        tree.members(true);
        t.processes.clear();
        t.processes.add(new ProcessEntry(101, 1, 101, 99_999, false)); // pid 101 reused by something else
        t.add(104, 1, 104, false); // a daemonized descendant, started between two looks
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
        GenerationTree tree = new GenerationTree(t, 100, WRAPPER, 3, pid -> pid == 100 || pid == 300);
        assertEquals(List.of(100L), pids(tree.members(true)));
    }

    @Test
    void aSignalGoesToTheGroupAtOnceAndToEachMemberOutsideIt() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(101, 100, 100, false);
        t.add(105, 100, 105, false); // left the group (setsid), still a child
        t.add(106, 1, 106, false); // escaped and reparented, found by its environment
        t.marked.add(106L);
        new GenerationTree(t, 100, WRAPPER, 3).signal(15);
        assertEquals("-100:15", t.sent.get(0), "the group first, at once");
        assertEquals(List.of("105:15", "106:15"), t.sent.subList(1, t.sent.size()).stream().sorted().toList());
    }

    @Test
    void onceTheGroupIsEmptyItsNumberIsNeverSignalledAgain() {
        Table t = new Table();
        t.add(100, WRAPPER, 100, false);
        t.add(106, 1, 106, false);
        t.marked.add(106L);
        GenerationTree tree = new GenerationTree(t, 100, WRAPPER, 3);
        tree.members(true);
        t.remove(100);
        tree.members(false);
        t.add(100, 1, 100, false); // the number taken by a new, unrelated group
        tree.signal(9);
        assertEquals(List.of("106:9"), t.sent);
    }
}

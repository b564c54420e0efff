package io.hupwatch.spawn;

import io.hupwatch.os.CgroupV2;
import io.hupwatch.os.ProcessTable;
import io.hupwatch.os.ProcessTable.ProcessEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generation that runs in a cgroup v2 of its own (see {@link GenerationCgroups}): its members are
 * exactly the processes of that cgroup, whatever their uid, session or environment, and nothing else.
 * SIGKILL goes through {@code cgroup.kill} where the kernel has it; every other signal goes to each
 * process of the cgroup on a pidfd, checked to be in the cgroup still.
 */
final class CgroupTree implements GenerationMembers {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int SIGKILL = 9;

    private final ProcessTable table;
    private final Path cgroup;
    private final ProcessEntry leader;
    /** Daemons let go, by pid and start time. */
    private final Set<List<Long>> letGo = new HashSet<>();

    /** hupwatch's own pid: never a member, even if it failed to step out of the cgroup after a start. */
    private final long self;

    CgroupTree(ProcessTable table, Path cgroup, long leader, long self) {
        this.self = self;
        this.table = table;
        this.cgroup = cgroup;
        this.leader = table.entry(leader);
    }

    Path cgroup() {
        return cgroup;
    }

    @Override
    public ProcessEntry leader() {
        return leader;
    }

    @Override
    public synchronized List<ProcessEntry> members(boolean deep) {
        List<ProcessEntry> live = new ArrayList<>();
        for (long pid : CgroupV2.processes(cgroup)) {
            ProcessEntry e = pid == self ? null : table.entry(pid);
            if (e != null && !e.zombie() && !letGo.contains(List.of(e.pid(), e.startTime()))) {
                live.add(e);
            }
        }
        return live;
    }

    @Override
    public synchronized void signal(int... signals) {
        for (int signal : signals) {
            if (signal == SIGKILL && letGo.isEmpty() && !CgroupV2.holds(cgroup, self) && killAll()) {
                continue;
            }
            for (ProcessEntry e : members(true)) {
                table.signal(e, signal, pid -> CgroupV2.holds(cgroup, pid));
            }
        }
    }

    private boolean killAll() {
        try {
            return CgroupV2.kill(cgroup);
        } catch (IOException e) {
            log.warn("cannot write {}/cgroup.kill: {}; sending SIGKILL to each process", cgroup, e.getMessage());
            return false;
        }
    }

    @Override
    public synchronized void letGo(Collection<ProcessEntry> processes) {
        processes.forEach(e -> letGo.add(List.of(e.pid(), e.startTime())));
    }
}

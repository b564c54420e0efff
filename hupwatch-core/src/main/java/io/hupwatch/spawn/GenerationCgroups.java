package io.hupwatch.spawn;

import io.hupwatch.os.CgroupV2;
import io.hupwatch.os.ProcFsProcesses;
import io.hupwatch.os.ProcessTable;
import io.hupwatch.spawn.KnownChildren.ThrowingSupplier;
import io.hupwatch.supervisor.SpawnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How hupwatch knows which processes are a generation, chosen once at start and said in one log line.
 * With a delegated cgroup v2 subtree (systemd {@code Delegate=yes}, a container's own root: hupwatch's
 * cgroup is writable and holds hupwatch alone), hupwatch moves itself to a leaf {@code supervisor/}
 * (a cgroup with processes cannot have children with controllers) and starts each generation in a
 * cgroup of its own, {@code generation-N/}: the kernel's exact answer ({@link CgroupTree}). Otherwise
 * it falls back to the process group and checked marks ({@link GenerationTree}).
 */
public final class GenerationCgroups {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final ProcessTable table;
    private final long self;
    /** hupwatch's delegated cgroup, or null: no cgroups. */
    private final Path base;
    private final Path supervisor;
    /** Which way generations' trees are known: said once, when the first generation has started. */
    private final String howKnown;
    private boolean said;

    /** A generation's first process and its tree. */
    public record Started(int pid, GenerationMembers tree) {
    }

    private GenerationCgroups(ProcessTable table, long self, Path base, String howKnown) {
        this.table = table;
        this.self = self;
        this.base = base;
        this.supervisor = base == null ? null : base.resolve("supervisor");
        this.howKnown = howKnown;
    }

    /** Finds out whether hupwatch has a delegated cgroup v2 subtree, takes it if so, and logs which way trees are known. */
    public static GenerationCgroups detect(ProcessTable table) {
        long self = ProcessHandle.current().pid();
        try {
            return take(table, self, CgroupV2.ownDirectory());
        } catch (IOException e) {
            return new GenerationCgroups(table, self, null, "process trees: a generation is its process group and"
                    + " what it leaves behind with its HUPWATCH_ variables, its uid, started after it (no cgroup of its"
                    + " own: " + e.getMessage() + ")");
        }
    }

    /** Takes {@code own} as hupwatch's subtree, when it is delegated: moves hupwatch into {@code supervisor/}. */
    static GenerationCgroups take(ProcessTable table, long self, Path own) throws IOException {
        if (!Files.isWritable(own) || !Files.isWritable(own.resolve("cgroup.procs"))) {
            throw new IOException("hupwatch's cgroup " + own + " is not writable: not delegated to it");
        }
        for (long pid : CgroupV2.processes(own)) {
            if (!ProcFsProcesses.descends(pid, self)) {
                throw new IOException("hupwatch's cgroup " + own + " also holds pid " + pid
                        + ", not hupwatch's: not delegated to it alone");
            }
        }
        GenerationCgroups cgroups = new GenerationCgroups(table, self, own, "process trees: each generation runs in a"
                + " cgroup v2 of its own, " + own + "/generation-N (hupwatch's cgroup is delegated to it; hupwatch"
                + " itself moved to " + own.resolve("supervisor") + ")");
        try {
            Files.createDirectories(cgroups.supervisor);
            for (long pid : CgroupV2.processes(own)) {
                CgroupV2.move(cgroups.supervisor, pid);
            }
        } catch (IOException e) {
            throw new IOException("cannot move hupwatch into " + cgroups.supervisor + ": " + e.getMessage(), e);
        }
        return cgroups;
    }

    /**
     * Starts generation {@code generation} with {@code spawn} (which registers the pid it returns),
     * in a new cgroup of its own when hupwatch has them: hupwatch steps into that cgroup for the
     * spawn, so the first process starts there and everything it starts too.
     */
    public Started start(int generation, ThrowingSupplier<Integer, SpawnException> spawn) throws SpawnException {
        Path cgroup = base == null ? null : create(generation);
        if (cgroup != null) {
            Integer pid = KnownChildren.startingAlone(() -> {
                if (!enter(cgroup, generation)) {
                    return null;
                }
                try {
                    return spawn.get();
                } finally {
                    leave(cgroup);
                }
            });
            if (pid != null) {
                sayHowKnown();
                return new Started(pid, new CgroupTree(table, cgroup, pid, self));
            }
        }
        int pid = KnownChildren.starting(spawn);
        sayHowKnown();
        return new Started(pid, new GenerationTree(table, pid, self, generation));
    }

    /** After the first start, not at hupwatch's: a command line refused before anything runs gets its one line. */
    private void sayHowKnown() {
        if (!said) {
            said = true;
            log.info("{}", howKnown);
        }
    }

    private boolean enter(Path cgroup, int generation) {
        try {
            CgroupV2.move(cgroup, self);
            return true;
        } catch (IOException e) {
            log.warn("generation {}: cannot move hupwatch into cgroup {} ({}); the generation's tree is its process"
                    + " group and marks", generation, cgroup, e.toString());
            return false;
        }
    }

    /** Back to {@code supervisor/}; a generation's cgroup that still holds hupwatch is never killed whole. */
    private void leave(Path cgroup) {
        try {
            CgroupV2.move(supervisor, self);
        } catch (IOException e) {
            log.error("cannot move hupwatch back from {} to {}: {}", cgroup, supervisor, e.toString());
        }
    }

    private Path create(int generation) {
        Path cgroup = base.resolve("generation-" + generation);
        try {
            Files.deleteIfExists(cgroup); // an empty one left by an earlier hupwatch
            Files.createDirectory(cgroup);
            return cgroup;
        } catch (IOException e) {
            log.warn("generation {}: cannot use cgroup {} ({}); its tree is its process group and marks",
                    generation, cgroup, e.toString());
            return null;
        }
    }

    /** Removes the cgroup of a generation that has exited, unless a daemon let go of is still in it. */
    public static void exited(GenerationMembers tree) {
        if (tree instanceof CgroupTree c) {
            try {
                Files.deleteIfExists(c.cgroup());
            } catch (IOException e) {
                log.debug("cgroup {} stays: {}", c.cgroup(), e.toString());
            }
        }
    }
}

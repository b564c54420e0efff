package io.hupwatch.spawn;

import io.hupwatch.os.ProcessTable.ProcessEntry;
import java.util.Collection;
import java.util.List;

/**
 * Which processes are one generation, and how to signal all of them: its own cgroup where hupwatch
 * has a delegated cgroup v2 subtree ({@link CgroupTree}), its process group and marked, checked
 * descendants otherwise ({@link GenerationTree}). Thread-safe: the waiter thread polls it while the
 * event loop signals it.
 */
public interface GenerationMembers {

    /** The generation's first process as it was when the generation started, or null when it was already gone. */
    ProcessEntry leader();

    /**
     * The live members now.
     *
     * @param deep look harder (costlier: done when signalling and when the leader exits, not on every poll)
     */
    List<ProcessEntry> members(boolean deep);

    /** Sends each of {@code signals}, in order, to every member. */
    void signal(int... signals);

    /** Stops counting {@code processes} as members (daemons that left the generation on purpose). */
    void letGo(Collection<ProcessEntry> processes);
}

package io.hupwatch.spawn;

import io.hupwatch.os.ProcessTable;
import io.hupwatch.os.ProcessTable.ProcessEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Processes that left their generation on purpose: a daemon it started (double fork, a session of
 * its own: gpg-agent, a Gradle daemon) that holds none of hupwatch's sockets. Once the generation's
 * first process has exited, they are waited for no longer than the drain timeout: such a daemon can
 * live for days, and the generation would never count as exited.
 */
final class DetachedDaemons {
    private DetachedDaemons() {
    }

    /** Those of {@code left} (members still alive after {@code leader} exited) that left on purpose. */
    static List<ProcessEntry> among(List<ProcessEntry> left, ProcessEntry leader, ProcessTable table) {
        if (leader == null) {
            return List.of();
        }
        Set<Long> hupwatchSockets = table.socketInodes(ProcessHandle.current().pid());
        return left.stream()
                .filter(e -> e.pgid() != leader.pid() && e.session() != leader.session())
                .filter(e -> Collections.disjoint(table.socketInodes(e.pid()), hupwatchSockets))
                .toList();
    }

    /** "pid 4244 (gpg-agent)" for each. */
    static String describe(List<ProcessEntry> daemons) {
        return daemons.stream().map(e -> "pid " + e.pid() + " (" + name(e.pid()) + ")")
                .collect(Collectors.joining(", "));
    }

    private static String name(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "gone";
        }
    }
}

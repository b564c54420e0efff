package io.hupwatch.spawn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one start will run: the command, its whole environment, and the fds placed in the child. */
public final class Launch {
    public final List<String> command;
    public final Map<String, String> environment;
    /** {child fd, hupwatch's fd} pairs. */
    public final List<int[]> fds = new ArrayList<>();
    /** The working directory, already resolved; null for hupwatch's own. */
    public final java.nio.file.Path directory;

    public Launch(List<String> command, Map<String, String> environment, java.nio.file.Path directory) {
        this.command = new ArrayList<>(command);
        this.environment = new LinkedHashMap<>(environment);
        this.directory = directory;
    }

    public void placeFd(int childFd, int ownFd) {
        fds.add(new int[] {childFd, ownFd});
    }
}

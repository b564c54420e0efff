package io.hupwatch.spawn;

import io.hupwatch.os.PosixSpawn;
import io.hupwatch.supervisor.SpawnException;
import java.util.List;
import java.util.Map;

/**
 * Starts a generation with glibc's {@code posix_spawnp} (through {@link PosixSpawn}), which (unlike
 * {@link ProcessBuilder}) lets hupwatch decide every fd the child gets and its signal state:
 * <ul>
 *   <li>fds 0-2 are inherited, the sockets are placed where the pass mode wants them, and every
 *       other fd is closed in the child ({@code closefrom});</li>
 *   <li>the signal mask is emptied (every JVM thread blocks SIGQUIT, and a child would inherit that)
 *       and every signal is reset to its default (a HUP ignored by {@code nohup} is not passed on);</li>
 *   <li>the child leads a process group of its own, so the stop signal reaches everything a start
 *       script starts, and a Ctrl-C in a terminal reaches hupwatch alone (which then stops the generations
 *       gracefully).</li>
 * </ul>
 * A failed start becomes a {@link SpawnException} that says what to fix.
 */
public final class PosixSpawner {
    private PosixSpawner() {
    }

    /**
     * @param fds {child fd, parent fd} pairs; each parent fd is duplicated onto the child fd
     * @param dir the child's working directory (a relative command is found from there), or null
     * @return the child's pid
     */
    public static int spawn(List<String> argv, Map<String, String> env, List<int[]> fds, java.nio.file.Path dir)
            throws SpawnException {
        try {
            return PosixSpawn.spawn(argv, env, fds, dir);
        } catch (PosixSpawn.Failed e) {
            throw SpawnFailures.classify(argv.get(0), e.errno(), e.description());
        }
    }
}

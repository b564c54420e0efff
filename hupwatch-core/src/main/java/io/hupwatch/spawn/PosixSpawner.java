package io.hupwatch.spawn;

import io.hupwatch.os.FdHygiene;
import io.hupwatch.os.LibC;
import io.hupwatch.os.Native;
import io.hupwatch.supervisor.SpawnException;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Starts a generation with glibc's {@code posix_spawnp}, which (unlike {@link ProcessBuilder})
 * lets hupwatch decide every fd the child gets and its signal state:
 * <ul>
 *   <li>fds 0-2 are inherited, the sockets are placed where the pass mode wants them, and every
 *       other fd is closed in the child ({@code closefrom});</li>
 *   <li>the signal mask is emptied (every JVM thread blocks SIGQUIT, and a child would inherit that)
 *       and every signal is reset to its default (a HUP ignored by {@code nohup} is not passed on);</li>
 *   <li>the child leads a process group of its own, so the stop signal reaches everything a start
 *       script starts, and a Ctrl-C in a terminal reaches hupwatch alone (which then stops the generations
 *       gracefully).</li>
 * </ul>
 */
public final class PosixSpawner {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int SIGSET_BYTES = 128;
    private static final int OPAQUE_BYTES = 512;

    private PosixSpawner() {
    }

    /**
     * @param fds {child fd, parent fd} pairs; each parent fd is duplicated onto the child fd
     * @param dir the child's working directory (a relative command is found from there), or null
     * @return the child's pid
     */
    public static int spawn(List<String> argv, Map<String, String> env, List<int[]> fds, java.nio.file.Path dir)
            throws SpawnException {
        LibC libc = Native.libc();
        jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(libc);
        Pointer actions = Memory.allocateDirect(rt, OPAQUE_BYTES, true);
        Pointer attr = Memory.allocateDirect(rt, OPAQUE_BYTES, true);
        libc.posix_spawn_file_actions_init(actions);
        libc.posix_spawnattr_init(attr);
        try {
            int highest = 2;
            // Two steps, so that a socket whose own fd number is another socket's target is not overwritten.
            int staging = 1000;
            for (int i = 0; i < fds.size(); i++) {
                libc.posix_spawn_file_actions_adddup2(actions, fds.get(i)[1], staging + i);
            }
            for (int i = 0; i < fds.size(); i++) {
                libc.posix_spawn_file_actions_adddup2(actions, staging + i, fds.get(i)[0]);
                highest = Math.max(highest, fds.get(i)[0]);
            }
            closeFrom(libc, actions, highest + 1);
            if (dir != null) {
                libc.posix_spawn_file_actions_addchdir_np(actions, dir.toString());
            }
            Pointer empty = Memory.allocateDirect(rt, SIGSET_BYTES, true);
            Pointer all = Memory.allocateDirect(rt, SIGSET_BYTES, true);
            for (int i = 0; i < SIGSET_BYTES; i++) {
                all.putByte(i, (byte) 0xff);
            }
            libc.posix_spawnattr_setsigmask(attr, empty);
            libc.posix_spawnattr_setsigdefault(attr, all);
            // The attribute's process group is 0 after init: the child leads a new group, numbered by its pid.
            libc.posix_spawnattr_setflags(attr, (short) (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF
                    | POSIX_SPAWN_SETSIGMASK));

            String[] envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            IntByReference pid = new IntByReference(0);
            int error = libc.posix_spawnp(pid, argv.get(0), actions, attr, argv.toArray(String[]::new), envp);
            if (error != 0) {
                throw SpawnFailures.classify(argv.get(0), error, libc.strerror(error));
            }
            return pid.intValue();
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
            libc.posix_spawnattr_destroy(attr);
        }
    }

    private static void closeFrom(LibC libc, Pointer actions, int from) {
        try {
            libc.posix_spawn_file_actions_addclosefrom_np(actions, from);
        } catch (UnsatisfiedLinkError oldGlibc) {
            FdHygiene.markAllCloseOnExec(from);
        }
    }
}

package io.hupwatch.os;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * glibc's {@code posix_spawnp} with the file actions and attributes a generation needs: each given fd
 * placed on its target, every other fd closed in the child ({@code closefrom}), an empty signal mask,
 * every signal at its default, and a process group of its own.
 */
public final class PosixSpawn {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int SIGSET_BYTES = 128;
    private static final int OPAQUE_BYTES = 512;

    /** posix_spawnp returned an error: its errno (the exec's own included: ENOENT, EACCES...) and strerror. */
    public static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        private final int errno;

        Failed(int errno, String description) {
            super(description);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }

        /** strerror's text for {@link #errno()}. */
        public String description() {
            return getMessage();
        }
    }

    private PosixSpawn() {
    }

    /**
     * @param fds {child fd, parent fd} pairs; each parent fd is duplicated onto the child fd
     * @param dir the child's working directory (a relative command is found from there), or null
     * @return the child's pid
     */
    public static int spawn(List<String> argv, Map<String, String> env, List<int[]> fds, Path dir) throws Failed {
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
                throw new Failed(error, libc.strerror(error));
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

    /**
     * Binds libc and the posix_spawn calls {@link #spawn} makes (tens of milliseconds of jnr-ffi set-up), on
     * scratch memory; it throws what a call throws.
     */
    public static void warmUp() {
        LibC libc = Native.libc();
        libc.strerror(0);
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(libc);
        Pointer scratch = Memory.allocateDirect(runtime, OPAQUE_BYTES, true);
        Pointer emptySet = Memory.allocateDirect(runtime, OPAQUE_BYTES, true);
        libc.posix_spawn_file_actions_init(scratch);
        libc.posix_spawn_file_actions_adddup2(scratch, 0, 0);
        libc.posix_spawn_file_actions_destroy(scratch);
        libc.posix_spawnattr_init(scratch);
        libc.posix_spawnattr_setflags(scratch, (short) 0);
        libc.posix_spawnattr_setsigmask(scratch, emptySet);
        libc.posix_spawnattr_setsigdefault(scratch, emptySet);
        libc.posix_spawnattr_destroy(scratch);
    }
}

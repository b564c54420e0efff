package io.hupwatch.run;

import io.hupwatch.os.LibC;
import io.hupwatch.os.Native;
import java.text.SimpleDateFormat;
import java.util.Date;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Start-up work that does not depend on the command line, done on a second thread while the main
 * thread parses it: loading the locale data the log timestamps need, and binding libc and the calls
 * that start a generation (tens of milliseconds of jnr-ffi set-up). Whatever it has not finished
 * when the main thread gets there is simply done there; it changes no state anyone reads.
 */
public final class StartupWarmer {
    private static final int OPAQUE_BYTES = 512;

    private StartupWarmer() {
    }

    /** Starts the warm-up on a daemon thread and returns at once. */
    public static void startInBackground(String timestampPattern) {
        Thread t = new Thread(() -> warmQuietly(timestampPattern), "hupwatch-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void warmQuietly(String timestampPattern) {
        try {
            warm(timestampPattern);
        } catch (RuntimeException | LinkageError e) {
            // Only a head start: the same work is done, and reported, where it is needed.
        }
    }

    /** The warm-up itself; it throws what a call throws (tested: nothing). */
    static void warm(String timestampPattern) {
        new SimpleDateFormat(timestampPattern).format(new Date());
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

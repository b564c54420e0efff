package io.hupwatch.run;

import io.hupwatch.os.PosixSpawn;
import java.text.SimpleDateFormat;
import java.util.Date;

/**
 * Start-up work that does not depend on the command line, done on a second thread while the main
 * thread parses it: loading the locale data the log timestamps need, and binding libc and the calls
 * that start a generation (tens of milliseconds of jnr-ffi set-up). Whatever it has not finished
 * when the main thread gets there is simply done there; it changes no state anyone reads.
 */
public final class StartupWarmer {
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
        PosixSpawn.warmUp();
    }
}

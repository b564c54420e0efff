package io.hupwatch.readiness;

import io.hupwatch.os.Native;
import io.hupwatch.spawn.Launch;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code --ready log:REGEX}: the generation's stdout and stderr go through pipes that hupwatch
 * copies, byte for byte, to its own stdout and stderr, a whole line at a time ({@link OutputCopier}),
 * while it looks for a line that matches.
 */
final class OutputProbe implements ReadinessProbe {
    private static final int O_CLOEXEC = 0x80000;
    private static final OutputStream STDOUT = new FileOutputStream(FileDescriptor.out);
    private static final OutputStream STDERR = new FileOutputStream(FileDescriptor.err);

    /** How long a pipe may stay open once an exited generation's output is copied (a process outside it holds it). */
    private static final long OPEN_MILLIS = 2000;
    /** How long the copy of an exited generation's last output may make no progress at all (nobody reads hupwatch's). */
    private static final long STALL_MILLIS = 10_000;

    private final int[] writeEnds;
    private final OutputCopier[] copiers;

    private OutputProbe(int[] writeEnds, OutputCopier... copiers) {
        this.writeEnds = writeEnds;
        this.copiers = copiers;
    }

    static OutputProbe prepare(Launch launch, int generation, Pattern pattern, EventSink sink) throws IOException {
        int[] out = pipe();
        int[] err = pipe();
        launch.placeFd(1, out[1]);
        launch.placeFd(2, err[1]);
        AtomicBoolean matched = new AtomicBoolean();
        OutputProbe probe = new OutputProbe(new int[] {out[1], err[1]},
                new OutputCopier(out[0], STDOUT, matcher(generation, pattern, matched, sink, "stdout"),
                        "generation " + generation + " stdout"),
                new OutputCopier(err[0], STDERR, matcher(generation, pattern, matched, sink, "stderr"),
                        "generation " + generation + " stderr"));
        for (OutputCopier c : probe.copiers) {
            c.start();
        }
        return probe;
    }

    /** A close-on-exec pipe: each generation gets only the write end placed on its fd 1 or 2. */
    private static int[] pipe() throws IOException {
        int[] fds = new int[2];
        if (Native.libc().pipe2(fds, O_CLOEXEC) < 0) {
            throw new IOException("pipe2() failed: " + Native.lastError());
        }
        return fds;
    }

    /** hupwatch's copies of the write ends are closed once the child has its own. */
    @Override
    public void started(int pid) {
        closeWriteEnds();
    }

    /**
     * The generation has exited: all it left in the pipes is copied before its exit is reported
     * (hupwatch may exit right after), for as long as the copy makes progress.
     */
    @Override
    public void close() {
        closeWriteEnds();
        for (OutputCopier c : copiers) {
            c.finish(OPEN_MILLIS, STALL_MILLIS);
        }
    }

    private synchronized void closeWriteEnds() {
        for (int i = 0; i < writeEnds.length; i++) {
            if (writeEnds[i] >= 0) {
                Native.libc().close(writeEnds[i]);
                writeEnds[i] = -1;
            }
        }
    }

    /** Posts the generation ready on the first line, of either stream, that matches. */
    private static Consumer<byte[]> matcher(int generation, Pattern pattern, AtomicBoolean matched, EventSink sink,
            String stream) {
        return line -> {
            if (matched.get()) {
                return;
            }
            String l = new String(line, StandardCharsets.UTF_8).stripTrailing();
            if (pattern.matcher(l).find() && matched.compareAndSet(false, true)) {
                sink.post(new Event.ChildReady(generation, "log line on " + stream + ": " + abbreviate(l)));
            }
        };
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}

package io.hupwatch.readiness;

import io.hupwatch.os.LibC;
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
import java.util.regex.Pattern;

/**
 * {@code --ready log:REGEX}: the generation's stdout and stderr go through pipes that hupwatch
 * copies, byte for byte, to its own stdout and stderr, a whole line at a time (so that hupwatch's
 * own log lines never land inside one), while it looks for a line that matches.
 */
final class OutputProbe implements ReadinessProbe {
    private static final int MAX_LINE = 64 * 1024;
    private static final int O_CLOEXEC = 0x80000;
    private static final OutputStream STDOUT = new FileOutputStream(FileDescriptor.out);
    private static final OutputStream STDERR = new FileOutputStream(FileDescriptor.err);

    /** How long an exited generation's output may take to drain (a grandchild may hold the pipe open). */
    private static final long DRAIN_MILLIS = 2000;

    private final int[] writeEnds;
    private final Thread[] copiers;

    private OutputProbe(int[] writeEnds, Thread... copiers) {
        this.writeEnds = writeEnds;
        this.copiers = copiers;
    }

    static OutputProbe prepare(Launch launch, int generation, Pattern pattern, EventSink sink) throws IOException {
        int[] out = pipe();
        int[] err = pipe();
        launch.placeFd(1, out[1]);
        launch.placeFd(2, err[1]);
        AtomicBoolean matched = new AtomicBoolean();
        return new OutputProbe(new int[] {out[1], err[1]},
                copier(out[0], STDOUT, generation, pattern, matched, sink, "stdout"),
                copier(err[0], STDERR, generation, pattern, matched, sink, "stderr"));
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
     * The generation has exited: its last lines are copied before its exit is reported (hupwatch
     * may exit right after), for up to {@link #DRAIN_MILLIS}.
     */
    @Override
    public void close() {
        closeWriteEnds();
        long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
        for (Thread t : copiers) {
            try {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
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

    private static Thread copier(int readEnd, OutputStream target, int generation, Pattern pattern,
            AtomicBoolean matched, EventSink sink, String name) {
        Thread t = new Thread(() -> {
            LibC libc = Native.libc();
            LineSplitter lines = new LineSplitter(MAX_LINE);
            byte[] buf = new byte[8192];
            int n;
            while ((n = (int) libc.read(readEnd, buf, buf.length)) > 0) {
                for (byte[] chunk : lines.feed(buf, n)) {
                    write(target, chunk);
                    if (!matched.get()) {
                        String l = new String(chunk, StandardCharsets.UTF_8).stripTrailing();
                        if (pattern.matcher(l).find() && matched.compareAndSet(false, true)) {
                            sink.post(new Event.ChildReady(generation, "log line on " + name + ": " + abbreviate(l)));
                        }
                    }
                }
            }
            write(target, lines.rest());
            libc.close(readEnd);
        }, "hupwatch-output-" + generation + "-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One write(2) per line, as hupwatch's own log lines are: neither can land inside the other. */
    private static void write(OutputStream target, byte[] chunk) {
        if (chunk.length == 0) {
            return;
        }
        try {
            target.write(chunk);
        } catch (IOException e) {
            // hupwatch's own output is gone; keep draining so the child never blocks
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}

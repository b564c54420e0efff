package io.hupwatch.readiness;

import io.hupwatch.os.LibC;
import io.hupwatch.os.Native;
import io.hupwatch.os.PipeBytes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one output pipe of a generation to hupwatch's own stdout or stderr on a daemon thread, a
 * whole line per write(2) (so that hupwatch's own log lines never land inside one), and keeps
 * track of how far it has got, so that {@link #finish} can wait for the last output of an exited
 * generation by progress rather than by the clock.
 */
final class OutputCopier {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int MAX_LINE = 64 * 1024;

    private final int readEnd;
    private final OutputStream target;
    private final Consumer<byte[]> lineSeen;
    private final String name;
    private final Thread thread;
    /** Bytes taken from the pipe so far. */
    private volatile long taken;
    /** Bytes taken from the pipe whose lines have been written out (all of taken, but a line's unfinished end). */
    private volatile long handled;
    /** {@link System#nanoTime()} when a read or a write last moved data. */
    private volatile long lastMoved = System.nanoTime();
    private boolean closed;

    /** @param lineSeen gets every line (or piece of an over-long line) once it is written */
    OutputCopier(int readEnd, OutputStream target, Consumer<byte[]> lineSeen, String name) {
        this.readEnd = readEnd;
        this.target = target;
        this.lineSeen = lineSeen;
        this.name = name;
        this.thread = new Thread(this::copy, "hupwatch-output-" + name.replace(' ', '-'));
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void copy() {
        LibC libc = Native.libc();
        LineSplitter lines = new LineSplitter(MAX_LINE);
        byte[] buf = new byte[8192];
        while (true) {
            int n = (int) libc.read(readEnd, buf, buf.length);
            if (n <= 0) {
                break;
            }
            taken += n;
            lastMoved = System.nanoTime();
            for (byte[] line : lines.feed(buf, n)) {
                write(line);
                lastMoved = System.nanoTime();
                lineSeen.accept(line);
            }
            handled = taken;
        }
        write(lines.rest());
        closeReadEnd();
    }

    private void write(byte[] line) {
        if (line.length == 0) {
            return;
        }
        try {
            target.write(line);
        } catch (IOException e) {
            // hupwatch's own output is gone; keep draining so the generation never blocks
        }
    }

    /**
     * The generation has exited (its whole process tree): waits until every byte it left in the pipe
     * is copied, however long that takes while the copy moves. It stops waiting only when the copy
     * has stalled for {@code stallMillis} (nobody reads hupwatch's output), or when it has caught up
     * and the pipe is still open {@code openMillis} later (a process outside the generation holds it).
     */
    void finish(long openMillis, long stallMillis) {
        long start = System.nanoTime();
        long owed = taken + available();
        long caughtUp = 0;
        while (thread.isAlive()) {
            long now = System.nanoTime();
            long moved = lastMoved - start > 0 ? lastMoved : start;
            // caught up once what was in the pipe at the exit is written out: whatever comes after that is
            // from a process outside the generation, and gets at most openMillis however fast it writes
            if (caughtUp == 0 && handled >= owed) {
                caughtUp = now;
            }
            if (caughtUp != 0 && now - caughtUp >= TimeUnit.MILLISECONDS.toNanos(openMillis)) {
                log.warn("{}: the pipe is still open {} ms after the exited generation's last output (a process"
                        + " outside the generation holds it); no longer copied", name, openMillis);
                return;
            }
            if (caughtUp == 0 && now - moved >= TimeUnit.MILLISECONDS.toNanos(stallMillis)) {
                log.warn("{}: none of the exited generation's last output could be copied for {} ms (nobody"
                        + " reads hupwatch's output?); the rest is dropped", name, stallMillis);
                return;
            }
            try {
                thread.join(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The bytes waiting in the pipe, 0 once it is closed or when the kernel does not say. */
    private synchronized long available() {
        if (closed) {
            return 0;
        }
        return PipeBytes.waiting(readEnd);
    }

    private synchronized void closeReadEnd() {
        closed = true;
        Native.libc().close(readEnd);
    }
}

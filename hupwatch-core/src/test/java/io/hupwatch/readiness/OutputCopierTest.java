package io.hupwatch.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.os.Native;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link OutputCopier} on real pipes: how long {@code finish} waits for an exited generation's last output. */
@Timeout(30)
class OutputCopierTest {
    private static final int O_CLOEXEC = 0x80000;

    private final int[] fds = new int[2];
    private FileOutputStream writer;

    private void pipe() throws IOException {
        assertEquals(0, Native.libc().pipe2(fds, O_CLOEXEC));
        writer = new FileOutputStream("/proc/self/fd/" + fds[1]);
        Native.libc().close(fds[1]);
    }

    @AfterEach
    void closeWriter() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }

    /** hupwatch's own output, taking each write slowly, as a loaded machine or a slow log reader does. */
    private static final class SlowTarget extends OutputStream {
        private final ByteArrayOutputStream got = new ByteArrayOutputStream();
        private final long nanosPerWrite;

        SlowTarget(long nanosPerWrite) {
            this.nanosPerWrite = nanosPerWrite;
        }

        @Override
        public synchronized void write(int b) {
            got.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            LockSupport.parkNanos(nanosPerWrite);
            synchronized (this) {
                got.write(b, off, len);
            }
        }

        synchronized String text() {
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    private static String lines(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("line ").append(i).append('\n');
        }
        return sb.toString();
    }

    /** A copier to {@code target} of a pipe that {@code written} was written to; the write end stays open unless {@code ended}. */
    private OutputCopier copierOf(OutputStream target, String written, boolean ended) throws IOException {
        pipe();
        OutputCopier copier = new OutputCopier(fds[0], target, line -> { }, "test stdout");
        writer.write(written.getBytes(StandardCharsets.UTF_8));
        if (ended) {
            writer.close();
            writer = null;
        }
        copier.start();
        return copier;
    }

    /** How long {@code finish(openMillis, stallMillis)} took, in milliseconds. */
    private static long finishing(OutputCopier copier, long openMillis, long stallMillis) {
        long start = System.nanoTime();
        copier.finish(openMillis, stallMillis);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void everythingLeftInThePipeIsCopiedHoweverLongItTakes() throws IOException {
        String text = lines(3000); // ~30 KB: most of it still in the pipe, not yet read, when finish starts
        SlowTarget target = new SlowTarget(TimeUnit.MICROSECONDS.toNanos(300));
        // The write end stays open (a process outside the generation holds it): still, all that was written is copied.
        long took = finishing(copierOf(target, text, false), 100, 5000);
        assertEquals(text, target.text());
        assertTrue(took >= 100, "the copy of 3000 slow lines took " + took + " ms, and finish waited for all of it");
    }

    @Test
    void theCopyOfAnExitedGenerationEndsWithItsOutput() throws IOException {
        SlowTarget target = new SlowTarget(0);
        long took = finishing(copierOf(target, "last words, no newline", true), 5000, 5000);
        assertTrue(took < 4000, "finish returned at the end of the output, after " + took + " ms");
        assertEquals("last words, no newline", target.text());
    }

    @Test
    void aPipeHeldOpenIsLeftOnceItsOutputIsCopied() throws IOException {
        SlowTarget target = new SlowTarget(0);
        long took = finishing(copierOf(target, "a\n", false), 200, 10_000);
        assertEquals("a\n", target.text());
        assertTrue(took >= 200 && took < 5000, "finish gave up on the open pipe after " + took + " ms");
    }

    @Test
    void aCopyThatCannotMoveIsGivenUp() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        long took = finishing(copierOf(stuck, "nobody reads this\n", true), 10_000, 300);
        release.countDown();
        assertTrue(took >= 300 && took < 5000, "finish gave up on the stalled copy after " + took + " ms");
    }
}

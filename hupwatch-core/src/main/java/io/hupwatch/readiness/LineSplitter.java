package io.hupwatch.readiness;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a byte stream into whole lines (each with its newline), keeping a partial line until the
 * rest arrives, or until it reaches {@code maxLine} bytes (then it is passed on as it is).
 */
final class LineSplitter {
    private final int maxLine;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    LineSplitter(int maxLine) {
        this.maxLine = maxLine;
    }

    /** The complete lines that {@code n} more bytes finish, in order. */
    List<byte[]> feed(byte[] data, int n) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (data[i] == '\n') {
                pending.write(data, start, i + 1 - start);
                out.add(pending.toByteArray());
                pending.reset();
                start = i + 1;
            }
        }
        pending.write(data, start, n - start);
        if (pending.size() >= maxLine) {
            out.add(pending.toByteArray());
            pending.reset();
        }
        return out;
    }

    /** What is left of an unfinished line (at end of stream). */
    byte[] rest() {
        byte[] r = pending.toByteArray();
        pending.reset();
        return r;
    }
}

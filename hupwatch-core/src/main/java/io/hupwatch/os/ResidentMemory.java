package io.hupwatch.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a process holds in memory that another copy of it would need again: its resident anonymous and
 * shared-memory pages ({@code RssAnon + RssShmem} of {@code /proc/PID/status}). Its resident file pages
 * (libjvm, the class-data archive, jars) are left out: they are page cache, charged to the cgroup once
 * however many processes map them, so a second JVM of the same release finds them there.
 */
public final class ResidentMemory {
    private ResidentMemory() {
    }

    /** In bytes; 0 when the process is gone or its status cannot be read. */
    public static long privateBytes(long pid) {
        try {
            return parseStatus(Files.readString(Path.of("/proc/" + pid + "/status"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** {@code RssAnon + RssShmem} of a status text ("RssAnon:\t  51234 kB"), in bytes. */
    static long parseStatus(String status) {
        long kib = 0;
        for (String line : status.split("\n")) {
            if (line.startsWith("RssAnon:") || line.startsWith("RssShmem:")) {
                String[] f = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
                kib += Long.parseLong(f[0]);
            }
        }
        return kib * 1024;
    }
}

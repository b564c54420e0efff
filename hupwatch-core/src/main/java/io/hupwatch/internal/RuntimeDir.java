package io.hupwatch.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * hupwatch's private directory (mode 0700) for its per-generation sockets:
 * {@code $XDG_RUNTIME_DIR/hupwatch.PID} when that is set, else {@code $TMPDIR/hupwatch.PID.RANDOM}.
 * Removed, with what is in it, at exit.
 */
final class RuntimeDir implements AutoCloseable {
    private final Path path;

    private RuntimeDir(Path path) {
        this.path = path;
    }

    static RuntimeDir create() throws IOException {
        long pid = ProcessHandle.current().pid();
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir;
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        if (xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) && Files.isWritable(Path.of(xdg))) {
            dir = Path.of(xdg, "hupwatch." + pid);
            deleteTree(dir);
            Files.createDirectory(dir, mode);
        } else {
            dir = Files.createTempDirectory("hupwatch." + pid + ".", mode);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return new RuntimeDir(dir);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        deleteTree(path);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}

package io.hupwatch.sockets;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
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
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            removeLeftovers(tmp);
            dir = createUnique(tmp, "hupwatch." + pid + ".", mode);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return new RuntimeDir(dir);
    }

    /**
     * Like {@link Files#createTempDirectory}, without its start-up cost (it seeds a SecureRandom):
     * the name need not be unguessable, because mkdir never reuses an existing entry: the directory
     * is always one hupwatch has just created, for its own user, mode 0700.
     */
    private static Path createUnique(Path parent, String prefix, FileAttribute<?> mode) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path dir = parent.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
            try {
                return Files.createDirectory(dir, mode);
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 100) {
                    throw taken;
                }
            }
        }
    }

    /**
     * Removes the directories of hupwatch processes that are gone (a SIGKILLed hupwatch cannot
     * remove its own): {@code hupwatch.PID.*} owned by this user whose PID is not running.
     */
    private static void removeLeftovers(Path tmp) {
        try (Stream<Path> entries = Files.list(tmp)) {
            entries.filter(p -> p.getFileName().toString().matches("hupwatch\\.\\d+\\..+"))
                    .filter(p -> {
                        long pid = Long.parseLong(p.getFileName().toString().split("\\.")[1]);
                        return ProcessHandle.of(pid).isEmpty() && ownedByMe(p);
                    })
                    .forEach(RuntimeDir::deleteTree);
        } catch (IOException | RuntimeException ignored) {
            // hygiene only
        }
    }

    private static boolean ownedByMe(Path p) {
        try {
            return Files.getOwner(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName()
                    .equals(System.getProperty("user.name"));
        } catch (IOException e) {
            return false;
        }
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

package io.hupwatch.ops;

import io.hupwatch.sockets.FilePlacement;
import io.hupwatch.supervisor.StartupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --pidfile}: hupwatch's pid, written atomically (a temporary file renamed over it) once
 * generation 1 is ready, removed at exit if it still names this hupwatch. A file naming a live
 * hupwatch is a start error; a stale one (dead pid, or a pid that is no hupwatch) is replaced.
 */
public final class PidFile implements io.hupwatch.supervisor.Lifecycle {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final Path path;
    private final long pid = ProcessHandle.current().pid();

    private PidFile(Path path) {
        this.path = path.toAbsolutePath();
    }

    /** @throws StartupException when a live hupwatch is named there, or no file can be written there */
    public static PidFile claim(Path path) {
        PidFile f = new PidFile(path);
        String misplaced = FilePlacement.problem(f.path, "hupwatch.pid");
        if (misplaced != null) {
            throw new StartupException("--pidfile " + path + ": " + misplaced);
        }
        f.probeWritable(path);
        Optional<Long> other = f.readPid();
        if (other.isPresent() && other.get() != f.pid && isHupwatch(other.get())) {
            throw new StartupException("--pidfile " + path + " names hupwatch pid " + other.get()
                    + ", which is running: stop it first, or use another pidfile");
        }
        if (other.isPresent()) {
            log.info("--pidfile {} named pid {}, which is not a running hupwatch: it will be replaced", path, other.get());
        }
        return f;
    }

    /** Generation 1 is ready: hupwatch is up, so the pidfile may name it. */
    @Override
    public void started(int generation, long pid) {
        write();
    }

    /** Creates and removes the temporary file now, so that a directory hupwatch cannot write to fails the start. */
    private void probeWritable(Path given) {
        Path tmp = temporary();
        try {
            Files.deleteIfExists(tmp);
            Files.newByteChannel(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)).close();
            Files.delete(tmp);
        } catch (IOException e) {
            throw new StartupException("--pidfile " + given + ": cannot create a file in " + path.getParent() + " ("
                    + EnvFile.describe(e) + "); give a path in a directory hupwatch may write to");
        }
    }

    /** Named by pid, created exclusively (never through a planted symlink); not createTempFile,
     * whose SecureRandom would cost hupwatch a hundred classes for one file name. */
    private Path temporary() {
        return path.resolveSibling("." + path.getFileName() + "." + pid + ".tmp");
    }

    public void write() {
        try {
            Path tmp = temporary();
            Files.deleteIfExists(tmp);
            // rw-r--r-- at most, whatever the umask: readable by monitoring, writable by hupwatch only.
            try (var out = Files.newByteChannel(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
                out.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)));
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.error("cannot write --pidfile {}: {}", path, e.getMessage());
        }
    }

    public void remove() {
        if (readPid().filter(p -> p == pid).isPresent()) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log.warn("cannot remove --pidfile {}: {}", path, e.getMessage());
            }
        }
    }

    private Optional<Long> readPid() {
        try {
            return Optional.of(Long.parseLong(Files.readString(path).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isHupwatch(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(p -> p.info().commandLine())
                .map(cmd -> cmd.contains("hupwatch"))
                .orElse(false);
    }
}

package io.hupwatch.readiness;

import io.hupwatch.os.UnixDatagram;
import io.hupwatch.spawn.Launch;
import io.hupwatch.supervisor.EventSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code --ready notify}: the generation's own {@code NOTIFY_SOCKET} (a 0600 datagram socket in the
 * 0700 runtime directory). A datagram from any process of the generation counts, so a server may
 * notify from a helper such as {@code systemd-notify --ready}.
 */
final class NotifyProbe implements ReadinessProbe {
    private final Path path;
    private final int fd;
    private volatile boolean closed;

    private NotifyProbe(Path path, int fd, int generation, EventSink sink) {
        this.path = path;
        this.fd = fd;
        Thread t = new Thread(() -> UnixDatagram.receiveWhile(fd, () -> !closed,
                message -> NotifyMessages.dispatch(generation, message, sink)), "hupwatch-notify-" + generation);
        t.setDaemon(true);
        t.start();
    }

    static NotifyProbe prepare(Launch launch, int generation, Path runtimeDir, EventSink sink) throws IOException {
        Path path = runtimeDir.resolve("notify-" + generation + ".sock");
        Files.deleteIfExists(path);
        int fd = UnixDatagram.bind(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        launch.environment.put("NOTIFY_SOCKET", path.toString());
        return new NotifyProbe(path, fd, generation, sink);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        UnixDatagram.close(fd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the runtime directory goes at exit
        }
    }
}

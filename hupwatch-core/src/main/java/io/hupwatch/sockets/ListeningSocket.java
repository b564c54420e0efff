package io.hupwatch.sockets;

import io.hupwatch.os.Native;
import io.hupwatch.supervisor.BindAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket hupwatch holds for all generations: the owner of its fd. Closing is
 * idempotent, and removes the socket file only if hupwatch created it and it is still the same file.
 */
public final class ListeningSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final BindAddress address;
    private final int fd;
    /** The file identity ("dev:ino") of a unix socket file hupwatch created, or null. */
    private final String createdFile;
    /** Keeps the jnr channel (and so the fd) reachable for as long as this owner lives. */
    private final Object keepAlive;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** A hard link to the socket file in hupwatch's private directory, to put the path back if a child unlinks it. */
    private volatile Path spareLink;

    ListeningSocket(BindAddress address, int fd, String createdFile, Object keepAlive) {
        this.address = Objects.requireNonNull(address);
        this.fd = fd;
        this.createdFile = createdFile;
        this.keepAlive = keepAlive;
    }

    /**
     * A socket a generation opened and hupwatch took over: held from now on like a bound one; a unix
     * socket's file is treated as hupwatch's (put back if a server unlinks it, removed at exit).
     */
    static ListeningSocket adopted(BindAddress address, int fd) {
        String file = address.kind() == BindAddress.Kind.UNIX ? fileIdentity(address.path()) : null;
        return new ListeningSocket(address, fd, file, null);
    }

    /** The address, with the real port where the bind asked for port 0. */
    public BindAddress address() {
        return address;
    }

    /** Whether hupwatch still holds it (a released adopted socket is closed). */
    public boolean isOpen() {
        return !closed.get();
    }

    public int fd() {
        if (closed.get()) {
            throw new IllegalStateException(address.display() + " is closed");
        }
        return fd;
    }

    /** Whether the socket file of a unix socket is still the one hupwatch bound (a child may have unlinked it). */
    public boolean fileIntact() {
        return createdFile == null || createdFile.equals(fileIdentity(address.path()));
    }

    /**
     * Keeps a hard link to the socket file in {@code dir}, so that {@link #restoreFile()} can put the
     * path back if a server unlinks it on exit (a server that bound the path itself usually does).
     * Not possible across file systems; then a removed path can only be reported.
     */
    void keepSpareLink(Path dir) {
        if (createdFile == null) {
            return;
        }
        Path link = dir.resolve("spare-" + address.name() + ".sock");
        try {
            Files.deleteIfExists(link);
            Files.createLink(link, address.path());
            spareLink = link;
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("no spare link for {}: {}", address.path(), e.toString());
        }
    }

    /** Puts the socket file back if a child removed it; says so. Returns whether the path is usable. */
    boolean restoreFile() {
        if (createdFile == null || closed.get() || fileIntact()) {
            return true;
        }
        Path link = spareLink;
        if (link != null && !Files.exists(address.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createLink(address.path(), link);
                log.warn("{} had been removed (a server must not unlink a shared socket); hupwatch put it back", address.path());
                return true;
            } catch (IOException e) {
                log.debug("cannot restore {}: {}", address.path(), e.toString());
            }
        }
        log.error("{} was removed or replaced by someone else: clients can no longer reach {} by its path;"
                + " restart hupwatch to bind it again", address.path(), address.name());
        return false;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (createdFile != null && createdFile.equals(fileIdentity(address.path()))) {
            try {
                Files.deleteIfExists(address.path());
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", address.path(), e.getMessage());
            }
        }
        if (spareLink != null) {
            try {
                Files.deleteIfExists(spareLink);
            } catch (IOException ignored) {
                // the runtime directory goes too
            }
        }
        if (keepAlive instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", address.display(), e.toString());
            }
        } else {
            Native.libc().close(fd);
        }
    }

    static String fileIdentity(Path p) {
        try {
            return Files.getAttribute(p, "unix:dev") + ":" + Files.getAttribute(p, "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return address.display() + " (" + address.name() + ")";
    }
}

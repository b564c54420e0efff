package io.hupwatch.sockets;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a path where hupwatch is about to create a file of its own (a unix socket, the control
 * socket, the pidfile) before anything is created: what is wrong with it, in words that say what
 * to do, or nothing.
 */
public final class FilePlacement {
    private FilePlacement() {
    }

    /**
     * @param example a file name to suggest when {@code path} is a directory ({@code hupwatch.sock})
     * @return why no file can be created at {@code path}, or null when its directory is there
     */
    public static String problem(Path path, String example) {
        Path absolute = path.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return "it is a directory, not a file path; give a path in it, such as " + absolute.resolve(example);
        }
        Path dir = absolute.getParent();
        if (!Files.exists(dir)) {
            return "directory " + dir + " does not exist; create it first";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        return null;
    }
}

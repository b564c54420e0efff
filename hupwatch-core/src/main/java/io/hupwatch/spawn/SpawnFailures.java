package io.hupwatch.spawn;

import io.hupwatch.supervisor.SpawnException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns the errno of a failed start into an exit code and a sentence that says what to fix. */
final class SpawnFailures {
    private static final int ENOENT = 2;
    private static final int ENOEXEC = 8;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;

    private SpawnFailures() {
    }

    static SpawnException classify(String program, int errno, String description) {
        boolean hasPath = program.contains("/");
        switch (errno) {
            case ENOENT, ENOTDIR -> {
                if (!hasPath) {
                    return new SpawnException("command not found: " + program
                            + " (not on PATH; give its full path or fix PATH)", SpawnException.NOT_FOUND);
                }
                if (Files.exists(Path.of(program))) {
                    return new SpawnException("cannot run " + program
                            + ": its #! interpreter was not found", SpawnException.NOT_FOUND);
                }
                return new SpawnException("command not found: " + program + " (no such file)", SpawnException.NOT_FOUND);
            }
            case EACCES, ENOEXEC -> {
                String why = Files.isDirectory(Path.of(program)) ? "it is a directory"
                        : errno == ENOEXEC ? "it is not a program the kernel can run (a script needs a #! line)"
                        : "permission denied (is it executable? chmod +x " + program + ")";
                return new SpawnException("cannot execute " + program + ": " + why, SpawnException.NOT_EXECUTABLE);
            }
            default -> {
                return new SpawnException("cannot run " + program + ": " + description + " (errno " + errno + ")",
                        SpawnException.OTHER);
            }
        }
    }
}

package io.hupwatch.spawn;

import io.hupwatch.supervisor.SpawnException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds out before a start whether a command can run, for the modes that start it through a
 * shell trampoline (whose own "not found" would otherwise be all the operator sees).
 */
public final class Executables {
    private Executables() {
    }

    public static void check(String program, String pathVariable, Path dir) throws SpawnException {
        if (program.contains("/")) {
            checkFile(dir == null ? Path.of(program) : dir.resolve(program), program);
            return;
        }
        boolean foundButNotExecutable = false;
        for (String entry : (pathVariable == null ? "/usr/bin:/bin" : pathVariable).split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, program);
            if (Files.isRegularFile(candidate)) {
                if (Files.isExecutable(candidate)) {
                    checkInterpreter(candidate, program);
                    return;
                }
                foundButNotExecutable = true;
            }
        }
        if (foundButNotExecutable) {
            throw new SpawnException("cannot execute " + program + ": permission denied (is it executable?)",
                    SpawnException.NOT_EXECUTABLE);
        }
        throw new SpawnException("command not found: " + program + " (not on PATH; give its full path or fix PATH)",
                SpawnException.NOT_FOUND);
    }

    private static void checkFile(Path p, String program) throws SpawnException {
        if (!Files.exists(p) && Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                p.toRealPath();
            } catch (java.nio.file.NoSuchFileException e) {
                throw new SpawnException("command not found: " + program + " (a symbolic link to nothing)",
                        SpawnException.NOT_FOUND);
            } catch (java.io.IOException e) {
                throw new SpawnException("cannot run " + program + ": "
                        + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                        : e.getMessage()), SpawnException.OTHER);
            }
        }
        if (!Files.exists(p)) {
            throw new SpawnException("command not found: " + program + " (no such file)", SpawnException.NOT_FOUND);
        }
        if (Files.isDirectory(p)) {
            throw new SpawnException("cannot execute " + program + ": it is a directory", SpawnException.NOT_EXECUTABLE);
        }
        if (!Files.isExecutable(p)) {
            throw new SpawnException("cannot execute " + program + ": permission denied (is it executable? chmod +x "
                    + program + ")", SpawnException.NOT_EXECUTABLE);
        }
        checkInterpreter(p, program);
    }

    /** A script whose {@code #!} interpreter is missing fails with "not found" too: name the interpreter. */
    private static void checkInterpreter(Path file, String program) throws SpawnException {
        byte[] head = new byte[256];
        int n;
        try (var in = Files.newInputStream(file)) {
            n = in.read(head);
        } catch (java.io.IOException e) {
            return; // the exec will tell
        }
        if (n < 3 || head[0] != '#' || head[1] != '!') {
            return;
        }
        String line = new String(head, 2, n - 2, java.nio.charset.StandardCharsets.UTF_8).split("\n", 2)[0].strip();
        String interpreter = line.split("\\s+", 2)[0];
        if (!interpreter.isEmpty() && !Files.isExecutable(Path.of(interpreter))) {
            throw new SpawnException("cannot run " + program + ": its #! interpreter " + interpreter + " was not found",
                    SpawnException.NOT_FOUND);
        }
    }
}

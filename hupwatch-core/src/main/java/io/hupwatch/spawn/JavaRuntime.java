package io.hupwatch.spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The Java runtime a {@code java} command runs on, as far as the agent needs to know it: whether it
 * has the {@code java.instrument} module. A {@code jlink} image without it (slim container images)
 * aborts at start-up with "Could not find agent library instrument" when given {@code -javaagent}.
 */
public final class JavaRuntime {
    private JavaRuntime() {
    }

    /**
     * The home of the runtime {@code program} runs on, when it lacks {@code java.instrument}; empty when
     * it has it, or when it cannot be told (then the agent is tried, as before).
     *
     * @param program     COMMAND's program ({@code java}, {@code /opt/app/jre/bin/java}, {@code jre/bin/java})
     * @param pathVariable the PATH a bare name is looked up in
     * @param dir          where a relative path is resolved from (the working directory of the generation)
     */
    public static Optional<Path> lackingInstrument(String program, String pathVariable, Path dir) {
        Optional<Path> home = locate(program, pathVariable, dir).map(JavaRuntime::home);
        return home.filter(h -> !hasInstrument(h));
    }

    private static Optional<Path> locate(String program, String pathVariable, Path dir) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Optional.of(p.isAbsolute() || dir == null ? p : dir.resolve(p));
        }
        for (String entry : (pathVariable == null ? "" : pathVariable).split(":")) {
            Path p = Path.of(entry.isEmpty() ? "." : entry, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** {@code bin/java}'s runtime: two levels up from the file behind every symbolic link. */
    private static Path home(Path java) {
        try {
            Path real = java.toRealPath();
            return real.getParent() == null || real.getParent().getParent() == null ? null : real.getParent().getParent();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The {@code MODULES} line of the runtime's {@code release} file says it; a runtime without that
     * line has it when its {@code lib/libinstrument.so} is there; one that has neither is not a
     * layout known here, and is assumed to have it.
     */
    static boolean hasInstrument(Path home) {
        if (home == null) {
            return true;
        }
        try {
            List<String> release = Files.readAllLines(home.resolve("release"));
            for (String line : release) {
                if (line.startsWith("MODULES=")) {
                    return List.of(line.substring(8).replace("\"", "").trim().split("\\s+")).contains("java.instrument");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no release file: look at the library
        }
        Path lib = home.resolve("lib");
        return !Files.isDirectory(lib) || Files.exists(lib.resolve("libinstrument.so"));
    }
}

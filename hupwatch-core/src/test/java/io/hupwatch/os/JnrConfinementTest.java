package io.hupwatch.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The design rule of this package: no other package of hupwatch-core uses a jnr type. */
class JnrConfinementTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path OS = SOURCES.resolve("io/hupwatch/os");
    private static final Pattern JNR = Pattern.compile("\\bjnr\\.(ffi|posix|unixsocket)\\b");

    @Test
    void onlyTheOsPackageUsesJnr() throws IOException {
        assertTrue(Files.isDirectory(OS), "run from the module directory: " + OS.toAbsolutePath());
        List<String> outside;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            outside = files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(OS))
                    .filter(JnrConfinementTest::mentionsJnr).map(Path::toString).sorted().toList();
        }
        assertEquals(List.of(), outside, "jnr outside io.hupwatch.os");
    }

    @Test
    void theCheckSeesJnrWhereItIs() {
        assertTrue(mentionsJnr(OS.resolve("PosixSpawn.java")));
    }

    private static boolean mentionsJnr(Path file) {
        try {
            return JNR.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

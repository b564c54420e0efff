package io.hupwatch.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telling a runtime without java.instrument (a slim jlink image) from a full one. */
class JavaRuntimeTest {
    @TempDir
    Path dir;

    private Path runtime(String name, String modules, boolean libinstrument) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        java.toFile().setExecutable(true);
        if (modules != null) {
            Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17\"\nMODULES=\"" + modules + "\"\n");
        }
        if (libinstrument) {
            Files.writeString(home.resolve("lib/libinstrument.so"), "");
        }
        return home;
    }

    @Test
    void theReleaseFilesModulesLineDecides() throws Exception {
        Path slim = runtime("slim", "java.base jdk.httpserver", true);
        Path full = runtime("full", "java.base java.instrument jdk.httpserver", false);
        assertEquals(Optional.of(slim.toRealPath()), JavaRuntime.lackingInstrument(slim + "/bin/java", null, null));
        assertEquals(Optional.empty(), JavaRuntime.lackingInstrument(full + "/bin/java", null, null));
    }

    @Test
    void withoutAModulesLineTheLibraryDecides() throws Exception {
        assertFalse(JavaRuntime.hasInstrument(runtime("nolib", null, false)));
        assertTrue(JavaRuntime.hasInstrument(runtime("lib", null, true)));
    }

    @Test
    void aBareJavaIsLookedUpOnPathAndARelativeOneFromTheWorkingDirectory() throws Exception {
        Path slim = runtime("slim", "java.base", false);
        assertEquals(Optional.of(slim.toRealPath()), JavaRuntime.lackingInstrument("java", "/nonexistent:" + slim + "/bin", null));
        assertEquals(Optional.of(slim.toRealPath()), JavaRuntime.lackingInstrument("slim/bin/java", null, dir));
        assertEquals(Optional.empty(), JavaRuntime.lackingInstrument("java", "/nonexistent", null), "not found: the agent is tried");
    }

    @Test
    void theJdkRunningTheseTestsHasIt() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertEquals(Optional.empty(), JavaRuntime.lackingInstrument(java.toString(), null, null));
    }
}

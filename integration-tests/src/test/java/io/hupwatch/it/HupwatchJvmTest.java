package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM hupwatch runs on is the one JAVA_HOME names (scripts/test's second pass sets it to
 * Temurin 25), and it prints no warning line (JDK 24+ would warn of jffi's restricted native access
 * without --enable-native-access / Enable-Native-Access).
 */
class HupwatchJvmTest {
    @TempDir
    Path dir;

    @Test
    void runsOnJavaHomeWithoutWarnings() throws Exception {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--bind", "tcp:127.0.0.1:0", "--warmup", "0", "--",
                "sleep", "30")) {
            hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
            Path exe = Path.of("/proc/" + hw.pid() + "/exe").toRealPath();
            String javaHome = System.getenv("JAVA_HOME");
            System.out.println("hupwatch runs on " + exe + (javaHome == null ? "" : " (JAVA_HOME=" + javaHome + ")"));
            if (javaHome != null && !javaHome.isBlank()) {
                assertEquals(Path.of(javaHome, "bin", "java").toRealPath(), exe, "hupwatch runs on JAVA_HOME's java");
            }
            assertTrue(Files.isExecutable(exe), exe.toString());
            hw.signal("TERM");
            hw.awaitExit(Duration.ofSeconds(30));
            assertTrue(hw.linesMatching(Pattern.compile("(?i)warning")).isEmpty(), "no warning line\n" + hw.describe());
        }
    }
}

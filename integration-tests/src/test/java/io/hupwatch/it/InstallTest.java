package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * hupwatch as installed from what {@code mvn package} makes in hupwatch-dist: the release archive,
 * unpacked into a read-only tree and run through a symlink on PATH, and the Debian package, installed
 * with dpkg (as root: CI runs as root), used, then purged. Each does one swap of an unmodified JVM
 * server under load, with not one failed request.
 */
@Timeout(240)
@Serial // dpkg installs for the whole machine; a swap under wrk
class InstallTest {
    private static final Path DIST = HupwatchProcess.repo().resolve("hupwatch-dist/target");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** The one file in hupwatch-dist/target matching {@code glob}; its size is printed (the package sizes). */
    private static Path artifact(String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        try (var s = Files.newDirectoryStream(DIST, glob)) {
            s.forEach(found::add);
        }
        assertEquals(1, found.size(), "one " + glob + " in " + DIST + " (built by mvn package): " + found);
        System.out.println("package size: " + found.get(0).getFileName() + " " + Files.size(found.get(0)) + " bytes");
        return found.get(0);
    }

    record Run(int exit, String out) {
    }

    private Run run(List<String> command) throws Exception {
        Path log = Files.createTempFile(dir, "cmd", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish in 120 s:\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private Run ok(String... command) throws Exception {
        Run r = run(List.of(command));
        assertEquals(0, r.exit(), String.join(" ", command) + ":\n" + r.out());
        return r;
    }

    /** Every path under {@code root} with its kind, size and modification time. */
    private static TreeMap<String, String> listing(Path root) throws IOException {
        TreeMap<String, String> all = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                all.put(root.relativize(p).toString(), (a.isDirectory() ? "d " : "f ") + a.size() + " " + a.lastModifiedTime());
            }
        }
        return all;
    }

    /**
     * hupwatch (the command {@code launch}, which must exec it) supervising the JDK's HttpServer on
     * {@code port}, one swap under wrk: 0 failed requests, no warning line, the agent found beside hupwatch.
     */
    private void oneSwapUnderLoad(List<String> launch, int port) throws Exception {
        List<String> command = new ArrayList<>(launch);
        command.addAll(List.of("--bind", "tcp:127.0.0.1:" + port, "--"));
        command.addAll(TestServers.java("JdkHttpServer", Integer.toString(port)));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.startCommand(dir, command));
        SwapsUnderLoad.run(hw, port, 1, cleanup, dir);
    }

    private static boolean unshareMountWorks() {
        try {
            Process p = new ProcessBuilder("unshare", "-m", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void releaseArchiveReadOnlyThroughASymlinkOnPath() throws Exception {
        Path archive = artifact("hupwatch-*.tar.gz");
        Path opt = Files.createDirectories(dir.resolve("opt"));
        ok("tar", "xzf", archive.toString(), "-C", opt.toString());
        Path home;
        try (var s = Files.list(opt)) {
            home = s.findFirst().orElseThrow();
        }
        for (String f : List.of("bin/hupwatch", "lib/hupwatch.jar", "lib/hupwatch-agent.jar", "lib/launch.sh",
                "share/man/man1/hupwatch.1", "share/bash-completion/completions/hupwatch", "README.md", "LICENSE",
                "docs/cli.md", "docs/install.md")) {
            assertTrue(Files.exists(home.resolve(f)), f + " is in the archive");
        }
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("hupwatch"), home.resolve("bin/hupwatch"));
        Path cache = dir.resolve("cache");
        ok("chmod", "-R", "a-w", opt.toString());
        TreeMap<String, String> before = listing(opt);
        try {
            // Root writes through permissions: as root the tree is also mounted read-only (a private mount).
            List<String> launch = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name")) && unshareMountWorks()) {
                launch.addAll(List.of("unshare", "-m", "sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && exec \"$@\"",
                        opt.toString()));
            }
            // `env` finds hupwatch on the PATH it sets: the symlink.
            launch.addAll(List.of("env", "PATH=" + bin + ":" + System.getenv("PATH"), "XDG_CACHE_HOME=" + cache));
            Path java25 = TestServers.java25OrNull();
            if (java25 != null) {
                // The release launcher on Temurin 25 (JDK 17 runs it in the Debian package test).
                launch.add("JAVA_HOME=" + java25.getParent().getParent());
            }
            launch.add("hupwatch");
            oneSwapUnderLoad(launch, TestServers.freePort());
        } finally {
            run(List.of("chmod", "-R", "u+w", opt.toString()));
        }
        ok("chmod", "-R", "a-w", opt.toString());
        assertEquals(before, listing(opt), "hupwatch wrote nothing into its install tree");
        ok("chmod", "-R", "u+w", opt.toString());
        try (Stream<Path> s = Files.walk(cache)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("hupwatch.jsa")),
                    "the class-data archive is made in $XDG_CACHE_HOME/hupwatch: " + listing(cache).keySet());
        }
    }

    @Test
    void debianPackageInstallsWorksAndPurgesClean() throws Exception {
        Path deb = artifact("hupwatch_*_all.deb");
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean dpkg = Files.isExecutable(Path.of("/usr/bin/dpkg"));
        if (System.getenv("CI") != null) {
            assertTrue(root && dpkg, "CI must run the Debian package test as root with dpkg");
        }
        Assumptions.assumeTrue(root && dpkg, "not root, or no dpkg: Debian package test skipped");
        assertEquals(1, run(List.of("dpkg-query", "-W", "hupwatch")).exit(),
                "hupwatch is not installed already (the test would remove it)");

        // What the package holds, and which of those paths exist already (/usr, /usr/share...).
        List<Path> paths = new ArrayList<>();
        for (String line : ok("sh", "-c", "dpkg-deb --fsys-tarfile \"$0\" | tar t", deb.toString()).out().split("\n")) {
            String p = line.strip().replaceFirst("^\\./", "/").replaceFirst("/$", "");
            if (!p.isEmpty() && !p.equals("/") && !p.equals(".")) {
                paths.add(Path.of(p));
            }
        }
        List<Path> existing = paths.stream().filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS)).toList();
        Path cache = dir.resolve("cache");
        try {
            ok("dpkg", "-i", deb.toString());
            Run version = ok("/usr/bin/hupwatch", "--version");
            assertTrue(version.out().matches("hupwatch \\d+\\.\\d+\\.\\d+.*\\n?"), version.out());

            assertEquals("/usr/share/man/man1/hupwatch.1.gz", ok("man", "-w", "hupwatch").out().strip());
            String manPage = ok("sh", "-c", "MANWIDTH=100 man hupwatch | col -b").out();
            assertTrue(manPage.contains("--ready-timeout=DUR") && manPage.contains("EXIT STATUS"), manPage);
            for (String doc : List.of("README.md", "LICENSE", "copyright", "docs/cli.md", "docs/install.md")) {
                Path p = Path.of("/usr/share/doc/hupwatch").resolve(doc);
                assertTrue(Files.isRegularFile(p), p + " installed");
            }
            Path completion = Path.of("/usr/share/bash-completion/completions/hupwatch");
            assertTrue(Files.isRegularFile(completion), completion + " installed");
            assertEquals("_complete_hupwatch", ok("bash", "-c", ". \"$0\" 2>/dev/null; declare -F _complete_hupwatch",
                    completion.toString()).out().strip());

            oneSwapUnderLoad(List.of("env", "XDG_CACHE_HOME=" + cache, "/usr/bin/hupwatch"), TestServers.freePort());
        } finally {
            cleanup.afterEach(null);
            Run purge = run(List.of("dpkg", "--purge", "hupwatch"));
            assertEquals(0, purge.exit(), "dpkg --purge hupwatch:\n" + purge.out());
        }
        assertEquals(1, run(List.of("dpkg-query", "-W", "hupwatch")).exit(), "hupwatch is purged");
        List<Path> left = paths.stream().filter(p -> !existing.contains(p))
                .filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS)).toList();
        assertTrue(left.isEmpty(), "the purge left " + left);
        assertFalse(Files.exists(Path.of("/usr/share/hupwatch")), "/usr/share/hupwatch is gone");
        assertFalse(Files.exists(Path.of("/var/lib/dpkg/info/hupwatch.list")), "dpkg forgot hupwatch");
    }
}

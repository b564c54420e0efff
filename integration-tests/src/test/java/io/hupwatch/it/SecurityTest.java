package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What hupwatch creates is private to its user: the runtime directory is 0700, the handoff, notify
 * and control sockets 0600, nothing it creates is writable by group or others (even under umask
 * 000), a client of another uid cannot use the control socket, and {@code --env-file} values
 * never reach a log line, even with {@code -vv}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityTest extends CliTestSupport {
    private static final int NOBODY = 65534;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static boolean writableByOthers(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        return perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name)).trim();
    }

    @Test
    void underUmask000TheRuntimeDirectoryIs0700ItsSocketsAndTheControlSocket0600AndNothingIsWritableByOthers()
            throws Exception {
        Path control = dir.resolve("control.sock");
        Path pidfile = dir.resolve("hupwatch.pid");
        // Each generation records where its sockets are, then says READY=1 on its notify socket.
        try (ShellChild child = ShellChild.write(dir, "server.sh", """
                g=$HUPWATCH_GENERATION
                echo "$HUPWATCH_SOCKET" > "$dir/handoff.$g"
                echo "$NOTIFY_SOCKET" > "$dir/notify.$g"
                systemd-notify --no-block --ready
                """)) {
            HupwatchProcess hw = HupwatchProcess.startCommand(dir, List.of("/bin/sh", "-c", "umask 000; exec \"$0\" \"$@\"",
                    HupwatchProcess.script().toString(), "--bind", "web=tcp:127.0.0.1:0", "--ready", "notify",
                    "--ready-timeout", "10s", "--drain-timeout", "1s", "--control", control.toString(),
                    "--pidfile", pidfile.toString(), "--", child.path().toString()));
            try (hw) {
                Event s1 = child.await("start", 1, WAIT);
                hw.awaitLine(ready(1), WAIT);
                HupwatchProcess.await("the pidfile", WAIT, () -> Files.exists(pidfile));
                assertEquals("0", Files.readString(Path.of("/proc", Long.toString(hw.pid()), "status")).lines()
                        .filter(l -> l.startsWith("Umask:")).findFirst().orElseThrow().split("\\s+")[1].replaceAll("^0+(?=.)", ""),
                        "hupwatch runs under umask 000");

                Path handoff1 = Path.of(read("handoff.1"));
                Path notify1 = Path.of(read("notify.1"));
                Path runtime = handoff1.getParent();
                assertEquals(runtime, notify1.getParent(), "one runtime directory for the handoff and notify sockets");
                assertTrue(runtime.getFileName().toString().startsWith("hupwatch." + hw.pid()), runtime.toString());
                assertEquals("rwx------", mode(runtime), "mode of the runtime directory " + runtime);
                assertEquals(0, uid(runtime), "owned by hupwatch's user");
                assertEquals("rw-------", mode(handoff1), "mode of the handoff socket " + handoff1);
                assertEquals("rw-------", mode(notify1), "mode of the notify socket " + notify1);
                assertEquals("rw-------", mode(control), "mode of the control socket");
                assertEquals("rw-r--r--", mode(pidfile), "mode of the pidfile");

                // Generation 2's sockets too, and generation 1's are gone once it has exited.
                hw.signal("HUP");
                child.await("start", 2, WAIT);
                hw.awaitLine(ready(2), WAIT);
                hw.awaitLine(gen(1, s1.pid(), "exited"), WAIT);
                Path handoff2 = Path.of(read("handoff.2"));
                Path notify2 = Path.of(read("notify.2"));
                assertEquals(runtime, handoff2.getParent());
                assertEquals("rw-------", mode(handoff2), "mode of " + handoff2);
                assertEquals("rw-------", mode(notify2), "mode of " + notify2);
                HupwatchProcess.await("generation 1's sockets removed", WAIT,
                        () -> !Files.exists(handoff1, LinkOption.NOFOLLOW_LINKS) && !Files.exists(notify1, LinkOption.NOFOLLOW_LINKS));

                List<String> loose = new ArrayList<>();
                List<String> all = new ArrayList<>();
                try (Stream<Path> files = Files.walk(runtime)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        all.add(mode(p) + " " + p);
                        if (writableByOthers(p)) {
                            loose.add(mode(p) + " " + p);
                        }
                    }
                }
                for (Path p : List.of(control, pidfile)) {
                    if (writableByOthers(p)) {
                        loose.add(mode(p) + " " + p);
                    }
                }
                System.out.println(getClass().getSimpleName() + ": under umask 000: " + String.join(", ", all)
                        + ", " + mode(control) + " " + control + ", " + mode(pidfile) + " " + pidfile);
                assertTrue(loose.isEmpty(), "writable by group or others:\n" + String.join("\n", loose));

                hw.signal("TERM");
                assertEquals(0, hw.awaitExit(WAIT), hw.describe());
                assertFalse(Files.exists(runtime), "the runtime directory is removed at exit");
                assertNothingLeft(hw);
            }
        }
    }

    /** Runs {@code scripts/hupwatch ARGS...} as user nobody (uid and gid 65534, no supplementary groups). */
    private HupwatchCli.Result runAsNobody(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                HupwatchProcess.script().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "nobody", ".out");
        Path err = Files.createTempFile(dir, "nobody", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("HUPWATCH_JAVA_OPTS");
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return new HupwatchCli.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), command);
    }

    /** Lets other users traverse (not list) the test directory, so only the socket's own mode protects it. */
    private void openTheDirectoryToOthers() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }

    @Test
    void aClientOfAnotherUidCannotUseTheControlSocket() throws Exception {
        Path control = dir.resolve("control.sock");
        openTheDirectoryToOthers();
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "1s", "--control", control.toString())) {
            awaitReady(hw, child, 1);

            HupwatchCli.Result status = runAsNobody("status", "--control", control.toString());
            assertEquals(2, status.exit(), status.toString());
            assertEquals(List.of("hupwatch: no hupwatch answers at " + control + " (Permission denied): is hupwatch running"
                    + " with --control " + control + "?"), status.stderr().trim().lines().toList(), status.toString());
            assertEquals("", status.stdout(), status.toString());

            HupwatchCli.Result reload = runAsNobody("reload", "--control", control.toString());
            assertEquals(2, reload.exit(), reload.toString());
            assertTrue(reload.stderr().contains("(Permission denied)"), reload.toString());

            HupwatchCli.Result root = HupwatchCli.run(dir, "status", "--control", control.toString());
            assertEquals(0, root.exit(), "root's client works: " + root);
            assertTrue(root.stdout().startsWith("hupwatch pid " + hw.pid() + ","), root.toString());
            HupwatchProcess.sleep(200);
            assertEquals(List.of(1), child.startedGenerations(), "nobody's reload did nothing");
            assertTermExitsCleanly(hw);
        }
    }

    /**
     * Defence in depth: even with the control socket's mode loosened (an operator's chmod, a
     * copy-paste ACL), hupwatch checks the peer's credentials and refuses other users, and the
     * refused client says so.
     */
    @Test
    void aClientOfAnotherUidIsRefusedByItsCredentialsEvenWhenTheSocketModeAllowsIt() throws Exception {
        Path control = dir.resolve("control.sock");
        openTheDirectoryToOthers();
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "1s", "--control", control.toString())) {
            awaitReady(hw, child, 1);
            Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rw-rw-rw-"));

            HupwatchCli.Result reload = runAsNobody("reload", "--control", control.toString());
            hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - control socket " + Pattern.quote(control.toString())
                    + ": refused a client of user nobody"), WAIT);
            HupwatchProcess.sleep(300);
            assertEquals(List.of(1), child.startedGenerations(), "nobody's reload did nothing");
            HupwatchCli.Result status = runAsNobody("status", "--control", control.toString());
            assertTermExitsCleanly(hw);
            for (HupwatchCli.Result r : List.of(reload, status)) {
                assertNotEquals(0, r.exit(), r.toString());
                assertFalse(r.stdout().contains("hupwatch pid") || r.stdout().contains("generation 1"), "nothing disclosed: " + r);
                assertTrue(r.stderr().toLowerCase().contains("permission denied"), "the refused client says why: " + r);
                assertFalse(r.stderr().contains("java.") || r.stderr().contains("Exception"), "no Java exception: " + r);
                assertEquals(1, r.stderr().trim().lines().count(), "one line: " + r);
            }
        }
    }

    @Test
    void envFileValuesNeverAppearInAnyLogLineEvenWithTraceLogging() throws Exception {
        String[] secrets = {"s3cr3t-Pa55w0rd-4f1c", "tok-9d2e-5ab7", "s3cr3t-malformed-77e1", "s3cr3t-badkey-0b3a",
            "s3cr3t-latin1-c4fe"};
        Path env = dir.resolve("app.env");
        Path control = dir.resolve("control.sock");
        Files.writeString(env, "# the app's secrets\nDB_PASSWORD=" + secrets[0] + "\nexport API_TOKEN=\"" + secrets[1] + "\"\n");
        // The child checks it got the values (without printing them) and prints what it was given by name only.
        try (ShellChild child = ShellChild.write(dir, "server.sh", """
                if [ "$DB_PASSWORD" = '@PW@' ] && [ "$API_TOKEN" = '@TOK@' ]; then ev gotenv; fi
                echo "generation $HUPWATCH_GENERATION has DB_PASSWORD (${#DB_PASSWORD} chars)"
                """.replace("@PW@", secrets[0]).replace("@TOK@", secrets[1]))) {
            HupwatchProcess hw = HupwatchProcess.start(dir, "-vv", "--bind", "tcp:127.0.0.1:0", "--env-file", env.toString(),
                    "--ready", "exec:test -n \"$DB_PASSWORD\"", "--ready-timeout", "10s", "--drain-timeout", "1s",
                    "--control", control.toString(), "--", child.path().toString());
            List<HupwatchCli.Result> clients = new ArrayList<>();
            try (hw) {
                hw.awaitLine(ready(1), WAIT);
                child.await("gotenv", 1, WAIT);
                clients.add(HupwatchCli.run(dir, "reload", "--control", control.toString()));
                assertEquals(0, clients.get(0).exit(), clients.get(0).toString());
                child.await("gotenv", 2, WAIT);

                // Broken files fail the reload; their contents must not be quoted in the reason.
                Files.writeString(env, "DB_PASSWORD " + secrets[2] + "\n");
                clients.add(HupwatchCli.run(dir, "reload", "--control", control.toString()));
                Files.writeString(env, "1DB_PASSWORD=" + secrets[3] + "\n");
                clients.add(HupwatchCli.run(dir, "reload", "--control", control.toString()));
                Files.write(env, ("X=\u00e9" + secrets[4] + "\n").getBytes(StandardCharsets.ISO_8859_1));
                clients.add(HupwatchCli.run(dir, "reload", "--control", control.toString()));
                for (HupwatchCli.Result r : clients.subList(1, 4)) {
                    assertEquals(1, r.exit(), "a broken --env-file fails the reload: " + r);
                }
                clients.add(HupwatchCli.run(dir, "status", "--control", control.toString()));
                clients.add(HupwatchCli.run(dir, "status", "--control", control.toString(), "--json"));
                hw.signal("TERM");
                assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            }
            assertTrue(hw.linesMatching(Pattern.compile("\\[(DEBUG|TRACE)\\]")).size() > 0, "-vv logs debug lines\n"
                    + hw.describe());
            assertEquals(3, hw.linesMatching(Pattern.compile("reload failed: cannot start generation \\d+: .*--env-file")).size(),
                    hw.describe());
            List<String> everything = new ArrayList<>(hw.stderr());
            everything.addAll(hw.stdout());
            for (HupwatchCli.Result r : clients) {
                everything.addAll(r.stdout().lines().toList());
                everything.addAll(r.stderr().lines().toList());
            }
            for (String secret : secrets) {
                List<String> leaks = everything.stream().filter(l -> l.contains(secret)).collect(Collectors.toList());
                assertTrue(leaks.isEmpty(), "the value " + secret + " was printed:\n" + String.join("\n", leaks));
            }
            assertNothingLeft(hw);
        }
    }
}

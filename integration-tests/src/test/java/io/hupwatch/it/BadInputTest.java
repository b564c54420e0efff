package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bad inputs of issue 27 through the packaged launcher, end to end: one line naming the value
 * and what to do, the README's status, nothing started and nothing left. Every option's whole
 * corpus of bad values runs in one JVM in hupwatch-cli's BadInputFuzzTest; this checks that the
 * real {@code hupwatch} process says the same.
 */
class BadInputTest extends CliTestSupport {

    @ParameterizedTest(name = "hupwatch {0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--metrics     | tcp:nosuchhost.invalid:9000 | 1 | hupwatch: --metrics tcp:nosuchhost.invalid:9000: cannot resolve host 'nosuchhost.invalid'; give an IP address or a name this machine resolves",
        "--bind        | unix:/                      | 1 | hupwatch: --bind unix:/: it is a directory, not a file path; give a path in it, such as /app.sock",
        "--pidfile     | /                           | 1 | hupwatch: --pidfile /: it is a directory, not a file path; give a path in it, such as /hupwatch.pid",
        "--control     | /                           | 1 | hupwatch: --control /: it is a directory, not a file path; give a path in it, such as /hupwatch.sock",
        "--chdir       | /etc/passwd                 | 1 | cannot start generation 1: cannot use --chdir /etc/passwd: it is not a directory; give the directory the server runs in",
        "--stop-signal | KILL                        | 2 | hupwatch: Invalid value for option '--stop-signal': SIGKILL cannot be a stop signal: it cannot be caught, so every drain would be a kill (--drain-timeout already ends in SIGKILL); use TERM, INT or QUIT (see hupwatch --help)"})
    void oneTrueLineAndTheDocumentedStatus(String option, String value, int status, String line) throws IOException {
        Path marker = markerCommand();
        HupwatchCli.Result r = HupwatchCli.run(dir, option, value, "--", marker.toString());
        assertOneLine(r, status, line);
        assertFalse(Files.exists(dir.resolve("marker-ran")), "COMMAND ran:\n" + r);
        try (var files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("marker.sh") && !n.startsWith("cli-")).toList();
            assertEquals(List.of(), left, "left behind:\n" + r);
        }
        assertNoProcessLeft(r);
    }

    /** A client against a socket that accepts and never answers: --timeout ends it, exit 1. */
    @Test
    void aClientGivesUpOnASilentSocketAfterItsTimeout() throws IOException {
        Path path = dir.resolve("silent.sock");
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(path));
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.add(silent.accept());
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            HupwatchCli.Result r = HupwatchCli.run(dir, "status", "--control", path.toString(), "--timeout", "300ms");
            assertOneLine(r, 1, "hupwatch: no answer from " + path + " within 300ms");
        } finally {
            for (SocketChannel c : accepted) {
                c.close();
            }
        }
    }

    private static void assertOneLine(HupwatchCli.Result r, int status, String line) {
        List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "exactly one line on stderr:\n" + r);
        assertTrue(lines.get(0).endsWith(line), "the line:\n" + r);
        assertFalse(Pattern.compile("\\bnull\\b|Exception|\\tat ").matcher(lines.get(0)).find(), r.toString());
        assertEquals(status, r.exit(), r.toString());
        assertTrue(r.stdout().isEmpty(), "nothing on stdout:\n" + r);
    }

    private void assertNoProcessLeft(HupwatchCli.Result r) {
        List<String> left = HupwatchProcess.ProcAlive.runningWithCmdline(dir.toString());
        assertTrue(left.isEmpty(), "processes left running:\n" + String.join("\n", left) + "\n" + r);
    }

    /** COMMAND: records that it ran, and exits at once. */
    private Path markerCommand() throws IOException {
        Path marker = dir.resolve("marker.sh");
        Files.writeString(marker, "#!/bin/sh\ntouch '" + dir.resolve("marker-ran") + "'\n");
        Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rwxr-xr-x"));
        return marker;
    }
}

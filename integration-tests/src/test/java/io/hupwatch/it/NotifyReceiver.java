package io.hupwatch.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The systemd end of the sd_notify protocol, as a test double: a small {@code /usr/bin/python3}
 * script binds a SOCK_DGRAM unix socket (a path, or {@code @name} for the abstract namespace) and
 * prints each datagram it receives with its CLOCK_MONOTONIC arrival time. (The JDK cannot receive
 * unix datagrams.) {@link #close()} SIGKILLs it by pid and removes the socket file.
 */
final class NotifyReceiver implements AutoCloseable {
    /** One datagram: its arrival (CLOCK_MONOTONIC, microseconds) and its {@code KEY=VALUE} lines. */
    record Datagram(long arrivalMonotonicMicros, List<String> lines) {
        boolean has(String line) {
            return lines.contains(line);
        }

        String value(String key) {
            return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return String.join("|", lines);
        }
    }

    private static final String SCRIPT = """
            import os, socket, sys, time
            addr = os.environ["NOTIFY_RECEIVER_ADDRESS"]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind("\\0" + addr[1:] if addr.startswith("@") else addr)
            print("LISTENING", flush=True)
            while True:
                data = s.recv(65536)
                t = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
                text = data.decode("utf-8", "replace")
                print("DGRAM %d %s" % (t, text.replace("\\\\", "\\\\\\\\").replace("\\n", "\\\\n")), flush=True)
            """;

    private final Process process;
    private final String address;
    private final Path socketFile;
    private final List<Datagram> received = new CopyOnWriteArrayList<>();
    private final List<String> rawLines = new CopyOnWriteArrayList<>();

    private NotifyReceiver(Process process, String address, Path socketFile) {
        this.process = process;
        this.address = address;
        this.socketFile = socketFile;
        Thread t = new Thread(this::read, "notify-receiver-" + process.pid());
        t.setDaemon(true);
        t.start();
    }

    /** Binds {@code address} ({@code /abs/path} or {@code @name}) and waits until it listens. */
    static NotifyReceiver bind(String address) {
        try {
            // The program on the command line and the address in the environment: nothing in its
            // command line names the test directory, so it never counts as a process the test left behind.
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-u", "-c", SCRIPT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("NOTIFY_RECEIVER_ADDRESS", address);
            Process p = pb.start();
            NotifyReceiver r = new NotifyReceiver(p, address, address.startsWith("@") ? null : Path.of(address));
            HupwatchProcess.await("the notify receiver to listen at " + address, Duration.ofSeconds(10),
                    () -> r.rawLines.contains("LISTENING") || !p.isAlive());
            if (!p.isAlive()) {
                throw new AssertionError("the notify receiver exited with " + p.exitValue() + ": " + r.rawLines);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                rawLines.add(line);
                if (line.startsWith("DGRAM ")) {
                    int sp = line.indexOf(' ', 6);
                    long t = Long.parseLong(line.substring(6, sp));
                    String text = line.substring(sp + 1);
                    List<String> lines = new ArrayList<>();
                    for (String l : unescape(text).split("\n", -1)) {
                        if (!l.isEmpty()) {
                            lines.add(l);
                        }
                    }
                    received.add(new Datagram(t, List.copyOf(lines)));
                }
            }
        } catch (IOException ignored) {
            // killed
        }
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    String address() {
        return address;
    }

    List<Datagram> datagrams() {
        return List.copyOf(received);
    }

    /** The first datagram from index {@code from} on that matches, waiting up to {@code timeout}; returns its index. */
    int await(String what, int from, Duration timeout, Predicate<Datagram> match) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Datagram> all = datagrams();
            for (int i = from; i < all.size(); i++) {
                if (match.test(all.get(i))) {
                    return i;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no datagram " + what + " (from #" + from + ") within " + timeout
                        + "; received:\n" + describe());
            }
            HupwatchProcess.sleep(10);
        }
    }

    String describe() {
        List<Datagram> all = datagrams();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            out.add("#" + i + " t=" + all.get(i).arrivalMonotonicMicros() + "us " + all.get(i));
        }
        return out.stream().collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException ignored) {
                // the temporary directory goes anyway
            }
        }
    }
}

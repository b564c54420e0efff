package io.hupwatch.cli;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The client end of {@code --control}: one request, the answer read to the end. */
final class ControlClient {
    /** Nobody answers at the path. */
    static final class NoInstance extends Exception {
        private static final long serialVersionUID = 1L;

        NoInstance(String message) {
            super(message);
        }
    }

    /**
     * An answer of the instance ({@code text}), or none: then {@code text} is null, the reason has been
     * printed, and {@code exit} is the status to exit with (2: no instance or refused; 1: no answer in time).
     */
    record Answer(String text, int exit) {
    }

    /** How every answer of hupwatch's control socket begins. */
    private static final String[] HUPWATCH_ANSWERS = {"ok ", "failed ", "denied ", "hupwatch pid ", "{\"pid\":"};

    private ControlClient() {
    }

    /**
     * {@link #request}, with what every subcommand says when there is no answer to read: no instance at
     * {@code control} or a refused client (exit 2), or nothing within {@code timeout} ({@code noAnswer}, exit 1).
     */
    static Answer ask(Path control, String request, Duration timeout, String noAnswer) throws IOException {
        String answer;
        try {
            answer = request(control, request, timeout);
        } catch (NoInstance e) {
            System.err.println("hupwatch: " + e.getMessage());
            return new Answer(null, Main.USAGE);
        }
        if (answer == null) {
            System.err.println("hupwatch: " + noAnswer);
            return new Answer(null, 1);
        }
        if (answer.isEmpty()) {
            System.err.println("hupwatch: " + control + " closed the connection without an answer (hupwatch is"
                    + " exiting, or this is not its control socket)");
            return new Answer(null, 1);
        }
        if (!fromHupwatch(answer)) {
            System.err.println("hupwatch: no hupwatch answers at " + control + ": the program there answered '"
                    + firstLine(answer) + "'; give the --control path hupwatch was started with");
            return new Answer(null, Main.USAGE);
        }
        if (answer.startsWith("denied ")) {
            System.err.println("hupwatch: permission denied: " + answer.substring("denied ".length()));
            return new Answer(null, Main.USAGE);
        }
        return new Answer(answer, 0);
    }

    /** Whether {@code answer} begins as each of hupwatch's answers does (reload, rollback, status, status json). */
    private static boolean fromHupwatch(String answer) {
        for (String start : HUPWATCH_ANSWERS) {
            if (answer.startsWith(start)) {
                return true;
            }
        }
        return false;
    }

    /** The first line of another program's answer, shortened and with control characters shown as '?'. */
    private static String firstLine(String answer) {
        String line = answer.lines().findFirst().orElse("").strip();
        line = line.length() > 60 ? line.substring(0, 60) + "..." : line;
        return line.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * @return the answer; empty when the connection closed or broke before one; null when none came
     *         within {@code timeout}
     */
    static String request(Path control, String request, Duration timeout) throws NoInstance, IOException {
        SocketChannel c;
        try {
            c = SocketChannel.open(UnixDomainSocketAddress.of(control));
        } catch (IOException e) {
            throw new NoInstance("no hupwatch answers at " + control + " (" + e.getMessage()
                    + "): is hupwatch running with --control " + control + "?");
        }
        try (c) {
            try {
                c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            } catch (IOException closedBeforeTheRequest) {
                return "";
            }
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readAll(c));
            try {
                return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException brokenBeforeAnAnswer) {
                return "";
            }
        }
    }

    private static String readAll(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (buf.hasRemaining() && c.read(buf) >= 0) {
                // read to end of stream
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).stripTrailing();
    }
}

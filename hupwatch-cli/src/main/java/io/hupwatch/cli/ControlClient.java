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

    private ControlClient() {
    }

    /** @return the answer, or null when none came within {@code timeout} */
    static String request(Path control, String request, Duration timeout) throws NoInstance, IOException {
        SocketChannel c;
        try {
            c = SocketChannel.open(UnixDomainSocketAddress.of(control));
        } catch (IOException e) {
            throw new NoInstance("no hupwatch answers at " + control + " (" + e.getMessage()
                    + "): is hupwatch running with --control " + control + "?");
        }
        try (c) {
            c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readAll(c));
            try {
                return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
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

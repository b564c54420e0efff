package io.hupwatch.it;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Clients that cost a server what they can: many connections that send nothing ({@link #idle}), one that
 * sends a request a byte at a time and never finishes it ({@link #slowLoris}), and a well-behaved one with a
 * timeout of its own ({@link #get}). For hupwatch's own listeners: {@code --metrics} and {@code --control}.
 */
final class HostileClients {
    private HostileClients() {
    }

    /** Connections opened one after the other and held without a byte sent, until closed. */
    static final class Idle implements AutoCloseable {
        private final List<SocketChannel> open = new ArrayList<>();
        private final Thread opener;
        private volatile boolean stop;

        private Idle(SocketAddress address, int count) {
            opener = new Thread(() -> {
                for (int i = 0; i < count && !stop; i++) {
                    try {
                        SocketChannel c = SocketChannel.open(family(address));
                        c.connect(address);
                        synchronized (open) {
                            open.add(c);
                        }
                    } catch (IOException e) {
                        // the server's backlog overflowed, or it refused: the next one tries again
                    }
                }
            }, "idle-connections");
            opener.setDaemon(true);
            opener.start();
        }

        /** Waits until every connection was tried. */
        void awaitOpened(long millis) throws InterruptedException {
            opener.join(millis);
        }

        int opened() {
            synchronized (open) {
                return open.size();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            opener.join(5000);
            synchronized (open) {
                for (SocketChannel c : open) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // closing what the server may have closed already
                    }
                }
            }
        }
    }

    /**
     * How many connections {@link #idle} may hold in this JVM: {@code wanted}, or fewer when its fd limit
     * (less what is open, less a margin) is lower.
     */
    static int affordable(int wanted) throws IOException {
        long limit = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).map(l -> l.split("\\s+")[3])
                .mapToLong(Long::parseLong).findFirst().orElse(1024);
        long inUse;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            inUse = fds.count();
        }
        return (int) Math.min(wanted, limit - inUse - 300);
    }

    static Idle idle(SocketAddress address, int count) {
        return new Idle(address, count);
    }

    /**
     * A client that sends {@code start} and then one byte every 200 ms, never ending its request.
     *
     * @return completes with the milliseconds until the server cut it off (a write or read failed, or end of file)
     */
    static Future<Long> slowLoris(SocketAddress address, String start) {
        var executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "slow-loris");
            t.setDaemon(true);
            return t;
        });
        Future<Long> cut = executor.submit(() -> {
            long began = System.nanoTime();
            try (SocketChannel c = SocketChannel.open(family(address))) {
                c.connect(address);
                c.write(ByteBuffer.wrap(start.getBytes(StandardCharsets.US_ASCII)));
                c.configureBlocking(false);
                ByteBuffer sink = ByteBuffer.allocate(1024);
                while (true) {
                    Thread.sleep(200);
                    c.write(ByteBuffer.wrap(new byte[] {'x'}));
                    sink.clear();
                    if (c.read(sink) < 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                // reset by the server: cut off
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        });
        executor.shutdown();
        return cut;
    }

    /**
     * Sends {@code request} and reads the answer to end of file, giving up after {@code millis}.
     *
     * @return the answer, or null when there was none in time (the connection was closed at once, or nothing came)
     */
    static String get(SocketAddress address, String request, long millis) {
        try (SocketChannel c = SocketChannel.open(family(address))) {
            c.connect(address);
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            c.configureBlocking(false);
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < deadline) {
                int n = c.read(buf);
                if (n < 0) {
                    return buf.position() == 0 ? null : new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
                }
                if (n == 0) {
                    Thread.sleep(10);
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static StandardProtocolFamily family(SocketAddress address) {
        return address instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET;
    }
}

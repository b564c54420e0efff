package io.hupwatch.handoff;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/** The child's end of the handoff: connects, receives the header and the fds, and keeps the connection. */
public final class HandoffClient implements AutoCloseable {
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /** One received socket: its name, its address as hupwatch displays it, and its fd in this process. */
    public record Received(String name, String address, int fd) {
    }

    private final UnixSocketChannel connection;
    private final int generation;
    private final List<Received> sockets;

    private HandoffClient(UnixSocketChannel connection, int generation, List<Received> sockets) {
        this.connection = connection;
        this.generation = generation;
        this.sockets = sockets;
    }

    /**
     * Loads and links the native calls that {@link #connect} and a receive need (jnr's start: a few hundred
     * milliseconds the first time in a JVM), so that a later connect is quick. Leaves nothing open.
     */
    public static void prepare() throws IOException {
        Posix.get().allocateMsgHdr();
        for (UnixSocketChannel end : UnixSocketChannel.pair()) {
            end.close();
        }
    }

    public static HandoffClient connect(String socketPath) throws IOException {
        UnixSocketChannel conn;
        try {
            conn = UnixSocketChannel.open(new UnixSocketAddress(new File(socketPath)));
        } catch (IOException e) {
            throw new IOException("connect(" + socketPath + ") failed: " + e.getMessage()
                    + " (is this process started by hupwatch, and is that hupwatch still running?)", e);
        }
        try {
            return receive(conn);
        } catch (IOException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    private static HandoffClient receive(UnixSocketChannel conn) throws IOException {
        POSIX posix = Posix.get();
        MsgHdr msg = posix.allocateMsgHdr();
        ByteBuffer data = ByteBuffer.allocateDirect(HandoffProtocol.MAX_HEADER);
        msg.setIov(new ByteBuffer[] {data});
        msg.allocateControl(4 * HandoffProtocol.MAX_FDS);
        int n = Posix.check(posix.recvmsg(conn.getFD(), msg, MSG_CMSG_CLOEXEC), "recvmsg(handoff)");
        if (n == 0) {
            throw new IOException("hupwatch closed the handoff connection without sending the sockets"
                    + " (this process may not be the generation it was meant for)");
        }
        List<Integer> fds = new ArrayList<>();
        for (CmsgHdr c : msg.getControls()) {
            if (c.getLevel() == SOL_SOCKET && c.getType() == SCM_RIGHTS) {
                ByteBuffer b = c.getData().order(ByteOrder.nativeOrder());
                while (b.remaining() >= 4) {
                    fds.add(b.getInt());
                }
            }
        }
        try {
            return header(conn, data, n, fds);
        } catch (IOException | RuntimeException e) {
            fds.forEach(posix::close); // never keep a copy of a listening socket nobody will serve
            throw e;
        }
    }

    /** The rest of the header after the first {@code n} bytes, and the sockets it names with {@code fds}. */
    private static HandoffClient header(UnixSocketChannel conn, ByteBuffer data, int n, List<Integer> fds)
            throws IOException {
        byte[] first = new byte[n];
        data.get(0, first);
        StringBuilder text = new StringBuilder(new String(first, StandardCharsets.UTF_8));
        ByteBuffer more = ByteBuffer.allocate(4096);
        while (!HandoffProtocol.complete(text.toString())) {
            more.clear();
            int r = conn.read(more);
            if (r < 0) {
                throw new IOException("the handoff header ended early: '" + text + "'");
            }
            text.append(new String(more.array(), 0, r, StandardCharsets.UTF_8));
            if (text.length() > HandoffProtocol.MAX_HEADER) {
                throw new IOException("the handoff header is larger than " + HandoffProtocol.MAX_HEADER + " bytes");
            }
        }
        HandoffProtocol.Header header = HandoffProtocol.decode(text.toString());
        if (header.sockets().size() != fds.size()) {
            throw new IOException("hupwatch named " + header.sockets().size() + " socket(s) but sent " + fds.size()
                    + " fd(s)");
        }
        List<Received> sockets = new ArrayList<>();
        for (int i = 0; i < fds.size(); i++) {
            HandoffProtocol.Entry e = header.sockets().get(i);
            sockets.add(new Received(e.name(), e.address(), fds.get(i)));
        }
        return new HandoffClient(conn, header.generation(), List.copyOf(sockets));
    }

    /**
     * Asks hupwatch for the sockets on this connection ({@link HandoffProtocol#SOCKETS}) and receives
     * them: for a connection whose first header carried none (hupwatch's agent socket sends them only
     * when asked). Their fds are new ones, close-on-exec like the first.
     */
    public synchronized List<Received> requestSockets() throws IOException {
        send(HandoffProtocol.SOCKETS);
        return receive(connection).sockets;
    }

    public int generation() {
        return generation;
    }

    public List<Received> sockets() {
        return sockets;
    }

    /** Sends one line to hupwatch. */
    public synchronized void send(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            connection.write(b);
        }
    }

    /** Blocks until hupwatch closes the connection (it exited or died). */
    public void awaitClose() {
        ByteBuffer b = ByteBuffer.allocate(256);
        try {
            while (connection.read(b) >= 0) {
                b.clear();
            }
        } catch (IOException e) {
            // a broken connection means the same: hupwatch is gone
        }
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}

package io.hupwatch.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixSocketChannel;

/**
 * One accepted connection of a {@link UnixStreamServer}: reads and writes, the peer's credentials
 * ({@code SO_PEERCRED}), and a message sent with fds ({@code sendmsg} with {@code SCM_RIGHTS}).
 */
public final class UnixStreamConnection implements AutoCloseable {
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SHUT_RDWR = 2;
    private static final int SO_SNDTIMEO = 21;

    /** The process at the other end, as the kernel recorded it when it connected. */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    private final UnixSocketChannel channel;

    UnixStreamConnection(UnixSocketChannel channel) {
        this.channel = channel;
    }

    /**
     * {@code SO_SNDTIMEO}: a write or send that the peer leaves blocked (it reads nothing, its buffer is
     * full) fails after {@code millis} instead of waiting forever.
     */
    public void sendTimeout(long millis) throws IOException {
        LibC libc = Native.libc();
        Pointer timeval = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(libc), 16);
        timeval.putLong(0, millis / 1000);
        timeval.putLong(8, millis % 1000 * 1000);
        if (libc.setsockopt(channel.getFD(), SOL_SOCKET, SO_SNDTIMEO, timeval, 16) != 0) {
            throw new IOException("setsockopt(SO_SNDTIMEO) failed: " + Native.lastError());
        }
    }

    public PeerCredentials peerCredentials() throws IOException {
        Credentials c = channel.socket().getCredentials();
        return new PeerCredentials(c.getPid(), c.getUid(), c.getGid());
    }

    /**
     * Sends {@code data} with {@code fds} attached (one {@code sendmsg}; no control message when there are
     * none); what the kernel did not take of {@code data} follows in one write.
     *
     * @param what names the message in an error: "sendmsg(WHAT) failed: Broken pipe (errno 32)"
     */
    public void sendWithFds(byte[] data, int[] fds, String what) throws IOException {
        POSIX posix = Posix.get();
        MsgHdr msg = posix.allocateMsgHdr();
        ByteBuffer buffer = ByteBuffer.allocateDirect(data.length);
        buffer.put(data).flip();
        msg.setIov(new ByteBuffer[] {buffer});
        if (fds.length > 0) {
            CmsgHdr control = msg.allocateControl(4 * fds.length);
            control.setLevel(SOL_SOCKET);
            control.setType(SCM_RIGHTS);
            ByteBuffer fdBytes = ByteBuffer.allocate(4 * fds.length).order(ByteOrder.nativeOrder());
            for (int fd : fds) {
                fdBytes.putInt(fd);
            }
            fdBytes.flip();
            control.setData(fdBytes);
        }
        ensureOpen();
        int sent = Posix.check(posix.sendmsg(channel.getFD(), msg, 0), "sendmsg(" + what + ")");
        ByteBuffer rest = ByteBuffer.wrap(data, sent, data.length - sent);
        while (rest.hasRemaining()) {
            write(rest);
        }
    }

    public int read(ByteBuffer into) throws IOException {
        ensureOpen();
        return channel.read(into);
    }

    /**
     * Writes what the kernel takes of {@code from} now; fails when it takes nothing within the
     * {@link #sendTimeout} (jnr answers the timeout's EAGAIN with 0 bytes written).
     */
    public int write(ByteBuffer from) throws IOException {
        ensureOpen();
        int n = channel.write(from);
        if (n == 0 && from.hasRemaining()) {
            throw new IOException("write failed: the peer has read nothing for the send timeout (EAGAIN)");
        }
        return n;
    }

    /** A closed connection's fd number may already be another file's: never use it. */
    private void ensureOpen() throws ClosedChannelException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** {@code shutdown(SHUT_RDWR)}: wakes a thread blocked reading this connection (none once it is closed). */
    public void shutdown() {
        if (channel.isOpen()) {
            Native.libc().shutdown(channel.getFD(), SHUT_RDWR);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

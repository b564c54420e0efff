package io.hupwatch.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /** The process at the other end, as the kernel recorded it when it connected. */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    private final UnixSocketChannel channel;

    UnixStreamConnection(UnixSocketChannel channel) {
        this.channel = channel;
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
        int sent = Posix.check(posix.sendmsg(channel.getFD(), msg, 0), "sendmsg(" + what + ")");
        if (sent < data.length) {
            channel.write(ByteBuffer.wrap(data, sent, data.length - sent));
        }
    }

    public int read(ByteBuffer into) throws IOException {
        return channel.read(into);
    }

    public int write(ByteBuffer from) throws IOException {
        return channel.write(from);
    }

    /** {@code shutdown(SHUT_RDWR)}: wakes a thread blocked reading this connection. */
    public void shutdown() {
        Native.libc().shutdown(channel.getFD(), SHUT_RDWR);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package fake.io.netty.channel.unix;

import java.net.SocketAddress;

/** The shape of Netty's {@code io.netty.channel.unix.Socket} the agent changes (a shaded copy's name ends the same). */
public class Socket {
    public SocketAddress bound;
    public int backlog = -1;

    public int intValue() {
        return 1_000_000;
    }

    public void bind(SocketAddress address) {
        bound = address;
    }

    public void listen(int backlog) {
        this.backlog = backlog;
    }
}
